#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>

// What the debug agent answers, as the front ends use it: the DAP bodies are
// read here once, so no window or command-line code handles protocol JSON.

namespace nixtide {

struct StackFrame
{
    int id = 0;
    QString name;
    QString path;
    int line = 0;
    int threadId = 1; // the thread the stop that produced this frame named
};

struct Scope
{
    QString name;
    int variablesReference = 0;
};

struct Variable
{
    QString name;
    QString value;
    QString type;
    int variablesReference = 0; // > 0: it has children
};

struct EvaluateResult
{
    QString result;
    QString type;
    int variablesReference = 0;
};

struct ExceptionInfo
{
    QString exceptionId;
    QString description;
};

// Where the script can go on from (set next statement, run to cursor).
struct GotoTarget
{
    int id = 0;
    QString label;
    int line = 0;
};

struct Completions
{
    QStringList names;
    // How many characters before the cursor each name replaces.
    int replacedLength = 0;
};

// How a script run ended, as the agent reported it.
struct ScriptOutcome
{
    QString status; // "passed" or "failed"
    QString error; // the exception, "SyntaxError: …", when failed
    QString path; // where it failed (the .nix file when mapped)
    int line = 0;
};

// An answer to one request: ok false and error set when the agent refused
// it or was not there, else the typed body.
template <typename T>
using TypedCallback = std::function<void(bool ok, const T &result, const QString &error)>;
// An answer whose body carries nothing the caller needs.
using DoneCallback = std::function<void(bool ok, const QString &error)>;

namespace dap {

QList<StackFrame> stackFramesFrom(const QJsonObject &body, int threadId);
QList<Scope> scopesFrom(const QJsonObject &body);
QList<Variable> variablesFrom(const QJsonObject &body);
EvaluateResult evaluateResultFrom(const QJsonObject &body);
ExceptionInfo exceptionInfoFrom(const QJsonObject &body);
QList<GotoTarget> gotoTargetsFrom(const QJsonObject &body);
Completions completionsFrom(const QJsonObject &body);
ScriptOutcome scriptOutcomeFrom(const QJsonObject &body);

} // namespace dap

} // namespace nixtide
