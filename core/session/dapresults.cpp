#include "core/session/dapresults.h"

#include <QJsonArray>

namespace nixtide::dap {

namespace {

QString text(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toString();
}

int number(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toInt();
}

QJsonArray array(const QJsonObject &body, const char *key)
{
    return body.value(QLatin1String(key)).toArray();
}

} // namespace

QList<StackFrame> stackFramesFrom(const QJsonObject &body, int threadId)
{
    QList<StackFrame> frames;
    for (const QJsonValue &value : array(body, "stackFrames")) {
        const QJsonObject f = value.toObject();
        frames.append({number(f, "id"), text(f, "name"),
            text(f.value(QStringLiteral("source")).toObject(), "path"), number(f, "line"),
            threadId});
    }
    return frames;
}

QList<Scope> scopesFrom(const QJsonObject &body)
{
    QList<Scope> scopes;
    for (const QJsonValue &value : array(body, "scopes")) {
        const QJsonObject s = value.toObject();
        scopes.append({text(s, "name"), number(s, "variablesReference")});
    }
    return scopes;
}

QList<Variable> variablesFrom(const QJsonObject &body)
{
    QList<Variable> variables;
    for (const QJsonValue &value : array(body, "variables")) {
        const QJsonObject v = value.toObject();
        variables.append(
            {text(v, "name"), text(v, "value"), text(v, "type"), number(v, "variablesReference")});
    }
    return variables;
}

EvaluateResult evaluateResultFrom(const QJsonObject &body)
{
    return {text(body, "result"), text(body, "type"), number(body, "variablesReference")};
}

ExceptionInfo exceptionInfoFrom(const QJsonObject &body)
{
    return {text(body, "exceptionId"), text(body, "description")};
}

QList<GotoTarget> gotoTargetsFrom(const QJsonObject &body)
{
    QList<GotoTarget> targets;
    for (const QJsonValue &value : array(body, "targets")) {
        const QJsonObject t = value.toObject();
        targets.append({number(t, "id"), text(t, "label"), number(t, "line")});
    }
    return targets;
}

Completions completionsFrom(const QJsonObject &body)
{
    Completions completions;
    const QJsonArray targets = array(body, "targets");
    for (const QJsonValue &target : targets)
        completions.names << text(target.toObject(), "text");
    // The agent completes one name: every target replaces the same text.
    if (!targets.isEmpty())
        completions.replacedLength = number(targets.first().toObject(), "length");
    return completions;
}

ScriptOutcome scriptOutcomeFrom(const QJsonObject &body)
{
    return {text(body, "status"), text(body, "error"), text(body, "path"), number(body, "line")};
}

} // namespace nixtide::dap
