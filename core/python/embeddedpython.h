#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace nixtide {

struct ScriptStatement
{
    int firstLine = 0;
    int lastLine = 0;
    QString kind; // ast node type, e.g. "Expr", "With"
    QString label; // subtest name for `with subtest("…")`
};

struct DriverMethod
{
    QString name;
    QString signature; // "(command: str, timeout: int | None = None) -> str"
    QString doc;
};

struct ScriptDiagnostic
{
    int line = 0;
    int column = 0;
    QString message;
};

// Parses and lints test scripts with the IDE's own embedded CPython (ast,
// pyflakes). Calls are short and never execute user code, so they may run on
// the GUI thread. One interpreter per process: the first instance starts it.
class EmbeddedPython
{
public:
    EmbeddedPython();
    ~EmbeddedPython();
    EmbeddedPython(const EmbeddedPython &) = delete;
    EmbeddedPython &operator=(const EmbeddedPython &) = delete;

    QList<ScriptStatement> statements(const QString &source, QString *error = nullptr) const;
    std::optional<ScriptDiagnostic> syntaxError(const QString &source) const;
    QList<ScriptDiagnostic> lint(const QString &source, const QStringList &knownNames) const;
    QString pythonVersion() const;
    // What a test_driver package gives scripts, read from its source (the
    // names its test_symbols() injects, its machine classes' methods).
    bool driverSymbols(const QString &packageDir, QStringList *globals,
        QList<DriverMethod> *methods, QString *error) const;
};

} // namespace nixtide
