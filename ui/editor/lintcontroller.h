#pragma once

#include "core/nix/scriptlint.h"

#include <QList>
#include <QObject>
#include <QString>

class QTimer;

namespace nixtide {

class ScriptEditor;

// Live lint of the editor's test script: a short while after the last edit
// it runs ScriptLinter on the editor's text and marks the file lines they map to with a squiggle, a
// margin marker and an annotation. It leaves the editor's own error and exception annotations be.
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
    ScriptLinter m_linter;
    bool m_warned = false;
    QList<LintMessage> m_messages;
    QList<int> m_annotatedLines; // 0-based lines whose annotation is ours
};

} // namespace nixtide
