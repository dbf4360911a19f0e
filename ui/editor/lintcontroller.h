#pragma once

#include <QList>
#include <QObject>
#include <QString>

#include <memory>

class QTimer;

namespace nixtide {

class EmbeddedPython;
class ScriptEditor;

struct LintMessage
{
    int line = 0; // 1-based line of the edited file
    int column = 0; // 1-based column in the script, 0 when unknown
    QString message;
    bool syntaxError = false;
};

// Live lint of the editor's test script: a short while after the last edit
// it extracts the Python (ScriptEditor's .nix testScript or whole .py file),
// asks the embedded interpreter for syntax errors and pyflakes messages, and
// marks the file lines they map to with a squiggle, a margin marker and an
// annotation. It leaves the editor's own error and exception annotations be.
class LintController : public QObject
{
    Q_OBJECT

public:
    explicit LintController(ScriptEditor *editor);
    ~LintController() override;

    static constexpr int kDebounceMs = 400;
    static constexpr int kIndicator = 9;

    QList<LintMessage> messages() const { return m_messages; }
    // Lints now instead of after the debounce.
    void lintNow();

Q_SIGNALS:
    void linted();

private:
    QList<LintMessage> analyse();
    void clearMarks();
    void mark(const LintMessage &message);

    ScriptEditor *m_editor;
    QTimer *m_timer;
    std::unique_ptr<EmbeddedPython> m_python;
    bool m_unavailable = false;
    QList<LintMessage> m_messages;
    QList<int> m_annotatedLines; // 0-based lines whose annotation is ours
};

} // namespace nixtide
