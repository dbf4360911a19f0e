#pragma once

#include "core/session/dapresults.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>

namespace nixtide {

class DebugSession;
struct BreakpointAnswer;
class ScriptEditor;
class SessionWindow;
struct LogEntry;

// Shows one DebugSession in the window's docks: the nested log, the stop
// (current-line or exception marker), the call stack, the selected frame's
// variables (fetched lazily), watches, the REPL and its output, and what
// acceleration the machines' QEMUs really use (the machine tabs are
// MachinePanel's). It only displays and
// forwards what the user asks of the session; running the test is
// SessionController's job.
class SessionView : public QObject
{
    Q_OBJECT

public:
    SessionView(SessionWindow *window, DebugSession *session, QObject *parent = nullptr);
    ~SessionView() override;

    // The frame the variables, watches and REPL refer to (0: the top one).
    int selectedFrameId() const { return m_frameId; }
    bool isScriptFinished() const { return m_scriptFinished; }
    // Shows the result of code the user ran (REPL or selected lines).
    // `done`, when given, hears whether the code ran without an error.
    void evaluateInRepl(const QString &code, std::function<void(bool)> done = {});
    // Closes the log's section of the run in progress, if one is open,
    // with `result` (the session ended before the script did).
    void endRun(const QString &result, bool failed);
    // Said in the title of the next run's log section ("Run 1, after a
    // rebuild: …"), once.
    void setNextRunNote(const QString &note) { m_nextRunNote = note; }

Q_SIGNALS:
    // The driver reported the end of a script run (interactive drivers keep
    // their VMs then); status: "passed" or "failed".
    void scriptFinished(const nixtide::ScriptOutcome &outcome);

private:
    void complete(const QString &textBeforeCursor);
    void addLogEntry(int index);
    void onStopped(const QString &reason, const QString &description);
    void onContinued();
    void showFrame(int frameId);
    void updateMachines();
    void updateAcceleration();
    void evaluateWatch(const QString &expression);
    void showHover(ScriptEditor *editor, const QString &expression);
    void showBreakpointAnswers(const QString &path, const QList<BreakpointAnswer> &answers);
    void clearStop();

    SessionWindow *m_window;
    QPointer<DebugSession> m_session;
    int m_frameId = 0;
    QString m_nextRunNote;
    int m_scopeGeneration = 0; // drops answers for an older stop or frame
    int m_stderrSeen = 0; // stderr output events: tracebacks the REPL has shown
    bool m_scriptFinished = false;
    bool m_runOpen = false; // the log's newest run section has no result yet
    QElapsedTimer m_runClock;
    QTimer m_accelerationTimer;
    QString m_connectionLost; // why the way to the driver's host is gone
};

} // namespace nixtide
