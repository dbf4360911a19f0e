#pragma once

#include "core/session/debugsession.h"
#include "core/session/prestarteddriver.h"
#include "core/session/scriptreuse.h"
#include "core/session/testresolver.h"
#include "ui/window/sessionstate.h"

#include <QObject>
#include <QTimer>

#include <functional>
#include <memory>

namespace nixtide {

class SessionWindow;
class SessionView;
struct ScriptOutcome;
struct NixBuildResult;

// Runs the window's test under the debugger. F5 saves the test, builds it
// (TestResolver: progress in the status bar, Nix's log in Build Output,
// evaluation errors at their line in the editor) and starts a DebugSession
// with the editors' breakpoints; the other debug actions map onto that
// session. One session per run: the last one, with its log, stays until the
// next run. Closing the window first stops the test so that no VM outlives
// the IDE. What a session shows in the docks is SessionView's job.
class SessionController : public QObject
{
    Q_OBJECT

public:
    explicit SessionController(SessionWindow *window);
    ~SessionController() override;

    DebugSession *session() const { return m_session.get(); }
    SessionView *view() const { return m_view.get(); }
    TestResolver *resolver() const { return m_resolver.get(); }
    SessionState state() const { return m_state; }
    // The last thing said in the status bar and Build Output.
    QString lastNotice() const { return m_notice; }

    // The bundle attribute built: "driverInteractive" (the default: the VMs
    // stay up when the script ends, so it can run again) or "driver".
    void setDriverAttribute(const QString &attribute) { m_attribute = attribute; }
    // Where run records go (tests), and where the Tests dock reads them;
    // empty: the XDG state directory.
    void setRecordBase(const QString &dir) { m_recordBase = dir; }
    // Asked before closing the window stops a paused test (its VMs and
    // what the user was inspecting go); true closes. The default asks
    // with a message box; tests answer themselves.
    using ClosePrompt = std::function<bool()>;
    void setClosePrompt(ClosePrompt prompt) { m_askClose = std::move(prompt); }

public Q_SLOTS:
    void run();
    void continueExecution();
    void stop();
    void cancelBuild();
    // The script again from the top on the live VMs. An edited testScript
    // runs without a rebuild when ScriptReuse allows it (the decision
    // `nixtide run --reuse-build` makes); any other edit stops the test and
    // builds it again.
    void restartScript();
    void pause();
    void stepOver();
    void stepIn();
    void stepOut();
    void runToCursor(const QString &path, int line);
    // DAP gotoTargets + goto: the paused script goes on from `line`.
    void setNextStatement(const QString &path, int line);
    // Code from `path`'s lines firstLine..lastLine. At a failure, lines
    // that hold the failing one and run without an error fix it: the next
    // Continue goes on after them instead of failing.
    void runSelection(
        const QString &code, const QString &path = {}, int firstLine = 0, int lastLine = 0);

Q_SIGNALS:
    void stateChanged(nixtide::SessionState state);
    void sessionCreated(nixtide::DebugSession *session);
    void notice(const QString &message);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void setState(SessionState state);
    void say(const QString &message);
    void onBuildFinished(const NixBuildResult &result);
    void showEvaluationError(const NixError &error);
    void onBuildFailed(TestResolver::Failure failure, const QString &message);
    void startEarly();
    void onResolved(const LaunchPlan &plan);
    void onSessionState(DebugSession::State state);
    void onSessionFinished(int exitCode, bool crashed);
    void onScriptFinished(const ScriptOutcome &outcome);
    void gotoLine(const QString &path, int line, const std::function<void(bool)> &done);
    // The failing script line of an exception stop in `path`, or 0.
    int failingLine(const QString &path) const;
    void discardSession();
    bool sessionLive() const;

    SessionWindow *m_window;
    std::unique_ptr<TestResolver> m_resolver;
    std::unique_ptr<DebugSession> m_session;
    std::unique_ptr<PrestartedDriver> m_early; // the last build's driver, until Nix answers
    std::unique_ptr<SessionView> m_view;
    SessionState m_state = SessionState::Idle;
    QString m_attribute = QStringLiteral("driverInteractive");
    QString m_recordBase;
    QString m_notice;
    BuiltSource m_builtSource; // what the running test was built from
    QString m_testPath;
    // A failure fixed with Run Selection: its last line, until the stop ends.
    QString m_fixedPath;
    int m_fixedLine = 0;
    bool m_continueAfterGoto = false;
    bool m_runAgainAfterStop = false;
    // Why Ctrl+F5 rebuilds, from the decision until the new session starts.
    QString m_rebuildReason;
    bool m_stopRequested = false; // the user's Stop: its exit code is no verdict
    bool m_closeAfterStop = false;
    QTimer m_closeKillTimer;
    ClosePrompt m_askClose;
};

} // namespace nixtide
