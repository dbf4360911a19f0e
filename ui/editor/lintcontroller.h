#pragma once

#include "core/nix/scriptlint.h"
#include "core/nix/scripttypecheck.h"

#include <QList>
#include <QObject>
#include <QString>

class QTimer;

namespace nixtide {

class ScriptEditor;

// Live lint of the editor's test script: a short while after the last edit
// it runs ScriptLinter on the editor's text (unless the test sets skipLint)
// and marks the file lines the messages map to with a squiggle, a margin
// marker and an annotation. With the type check on, a while later it also
// runs the build's mypy check on a worker thread and adds its findings
// (unless the test sets skipTypeCheck). It leaves the editor's own error and
// exception annotations be.
class LintController : public QObject
{
    Q_OBJECT

public:
    explicit LintController(ScriptEditor *editor);
    ~LintController() override;

    static constexpr int kDebounceMs = 400;
    static constexpr int kTypeCheckDebounceMs = 1500;
    static constexpr int kIndicator = 9;

    QList<LintMessage> messages() const { return m_messages; }
    // Lints now instead of after the debounce.
    void lintNow();
    // Off by default: mypy costs a process per check.
    void setTypeCheckEnabled(bool on);
    bool isTypeCheckScheduled() const;
    // What the test's build will check, from the file's text.
    BuildChecks buildChecks() const { return m_checks; }
    // Why the last type check could not run (no mypy…), empty otherwise.
    QString typeCheckError() const { return m_typeCheckError; }

Q_SIGNALS:
    void linted();
    // The type check's findings are in messages() and marked.
    void typeChecked();

private:
    QList<LintMessage> analyse();
    void startTypeCheck();
    void applyTypeCheck(quint64 generation, const QList<LintMessage> &found, const QString &error);
    void clearMarks();
    void mark(const LintMessage &message);

    ScriptEditor *m_editor;
    QTimer *m_timer;
    ScriptLinter m_linter;
    bool m_warned = false;
    BuildChecks m_checks;
    QTimer *m_typeTimer;
    bool m_typeCheckEnabled = false;
    bool m_typeCheckRunning = false;
    bool m_typeCheckAgain = false;
    quint64 m_generation = 0; // counts edits: a check of older text is dropped
    QString m_typeCheckError;
    QList<LintMessage> m_messages;
    QList<int> m_annotatedLines; // 0-based lines whose annotation is ours
};

} // namespace nixtide
