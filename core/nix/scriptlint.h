#pragma once

#include <QList>
#include <QString>

#include <memory>

namespace nixtide {

class EmbeddedPython;

// Which of the build's checks a test file asks for: upstream's driver
// derivation lints the script with pyflakes unless `skipLint = true` and
// type-checks it with mypy unless `skipTypeCheck = true`; either failing
// fails the build.
struct BuildChecks
{
    bool lint = true;
    bool typeCheck = true;
    // A file's checks: those any of its tests runs (each test of a file
    // that defines several sets its own).
    static BuildChecks of(const QString &nixText);
    // One test's, from its Nix text (EditorScript::testSource).
    static BuildChecks ofTest(const QString &testSource);
};

struct LintMessage
{
    int line = 0; // 1-based line of the linted file
    int column = 0; // 1-based column in the script, 0 when unknown
    QString message;
    bool syntaxError = false;
};

// Lints the Python a test file runs (a .nix file's testScript or a whole .py
// file) with the embedded interpreter: a syntax error, else pyflakes with
// the driver's globals and the file's machines as known names. Messages
// carry the file's own lines. The editor and `nixtide lint` both use it, so
// they agree message for message.
class ScriptLinter
{
public:
    ScriptLinter();
    ~ScriptLinter();

    // `path` (may be empty) finds the machines of a .py script's test. A
    // test with `skipLint = true` gets only a syntax error, as in its build.
    QList<LintMessage> lint(const QString &fileText, bool nix, const QString &path = {});
    // Set when there is no interpreter or no pyflakes; lint() then returns
    // nothing.
    QString unavailableReason() const { return m_unavailable; }

private:
    std::unique_ptr<EmbeddedPython> m_python;
    QString m_unavailable;
};

} // namespace nixtide
