#pragma once

#include "core/breakpoints/breakpointstore.h"
#include "core/dap/dapclient.h"
#include "core/launch/vlanswitchwatch.h"
#include "core/session/dapresults.h"
#include "core/session/launchplan.h"
#include "core/session/ocrattempt.h"
#include "core/session/prestarteddriver.h"
#include "core/session/runrecorder.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QTimer>

#include <memory>
#include <optional>

namespace nixtide {

class DriverHost;
class LocalSocketTransport;

struct MachineInfo
{
    QString name;
    QString state; // off, booting, up, shutdown, crashed
    QString kind; // vm (QEMU), container (systemd-nspawn: no screen)
    QString vncSocket;
    QString stateDir;
    QJsonObject raw;
};

// One node of the driver's nested log (logBegin/logEnd) or a plain log line.
struct LogEntry
{
    int id = 0; // the agent's id; plain lines get negative ids
    int parentId = 0; // 0: top level
    QString message;
    QString machine;
    QString level; // plain lines: info, warning, error
    double time = 0; // seconds since the epoch, from the agent
    double durationSeconds = -1; // -1 while the step runs (or for plain lines)
    bool failed = false;
    bool nested = false;
    bool subtest = false; // a nested entry begun by subtest()
    QJsonObject attributes;
    // Where the test script was when the step began (the .nix file and line
    // when mapped); empty and 0 when the driver began it on its own.
    QString path;
    int line = 0;
    // Set on the entry of one OCR attempt by the driver (its image is the
    // run record's copy when there is a record).
    std::optional<OcrAttempt> ocr;
};

// What the headless front ends hand to setBreakpoints().
using SourceBreakpoint = Breakpoint;

// The debugger's answer for one requested breakpoint, in request order.
struct BreakpointAnswer
{
    int line = 0; // where it is set (the requested line when refused)
    bool verified = false;
    QString message; // why it was refused
};

// The debug session model the GUI and the headless commands bind to. Runs the
// driver through a DriverHost and speaks DAP to the agent inside it. Everything
// is asynchronous; every change is a signal, every fact has an accessor.
class DebugSession : public QObject
{
    Q_OBJECT

public:
    enum class State { Idle, Starting, Running, Stopped, Terminated };
    Q_ENUM(State)

    explicit DebugSession(QObject *parent = nullptr);
    ~DebugSession() override;

    // Starts the driver and connects to the agent; false (and error()) when
    // the plan cannot even start. Breakpoints set before start() are sent
    // during configuration. With `prestarted` (PrestartedDriver::take()
    // for this plan), the session adopts that driver instead of starting
    // one: its early output is passed on (driverOutputLine, before start()
    // returns), then the agent is configured.
    bool start(const LaunchPlan &plan,
        std::optional<PrestartedDriver::Handover> prestarted = std::nullopt);

    // The breakpoints this session sends (all of them when the agent is
    // ready, a file's again when its requests change) and where the agent's
    // answers and `breakpoint` events go; its one-shot entries are dropped
    // at the next stop and when the run ends. The session's own store until
    // the window gives its own (not owned; give it before start()).
    void setBreakpointStore(BreakpointStore *store);
    BreakpointStore *breakpointStore() const { return m_store; }
    // The file's breakpoints in the store, for the headless front ends.
    void setBreakpoints(const QString &path, const QList<SourceBreakpoint> &breakpoints);
    void continueExecution();
    void next();
    void stepIn();
    void stepOut();
    void pause();
    // Asks the agent to end the test, then stops the driver group after a
    // grace period; kill() stops the group at once.
    void terminate();
    void stopDriver(); // SIGTERM to the driver's group, SIGKILL after a grace period
    void kill();

    // Evaluates in the given frame (0: the top frame of the last stop), in
    // the test's namespace; waits as long as it takes.
    void evaluate(const QString &expression, int frameId, TypedCallback<EvaluateResult> callback,
        const QString &context = QStringLiteral("repl"));
    void scopes(int frameId, TypedCallback<QList<Scope>> callback);
    void variables(int variablesReference, TypedCallback<QList<Variable>> callback);
    // The exception the last stop is for.
    void exceptionInfo(TypedCallback<ExceptionInfo> callback);
    // Names for the name being typed at the end of `line` (frameId 0: the
    // script's namespace).
    void completions(const QString &line, int frameId, TypedCallback<Completions> callback);
    // Where the stopped script can go on from near path:line, and going there.
    void gotoTargets(const QString &path, int line, TypedCallback<QList<GotoTarget>> callback);
    void gotoTarget(int targetId, DoneCallback callback);
    // Runs the script again in the running driver with the plan's arguments,
    // keeping how the first launch stopped and traced.
    void restartScript(const LaunchPlan &plan, DoneCallback callback);
    void machineAction(const QString &machine, const QString &action, const QString &text = {},
        DoneCallback callback = {});

    State state() const { return m_state; }
    const LaunchPlan &plan() const { return m_plan; }
    QString error() const { return m_error; }
    QList<MachineInfo> machines() const { return m_machines; }
    const QList<LogEntry> &logEntries() const { return m_log; }
    // The last MiB of the machine's serial console, as terminal bytes.
    QByteArray serialData(const QString &machine) const;
    QList<StackFrame> stackFrames() const { return m_frames; }
    // The innermost frame of the test script itself (the file breakpoints
    // are set in), 0 when none is on the stack: an exception raised inside
    // the driver is the script line's failure, and that line is what the
    // user wants to see first.
    int scriptFrameIndex() const;
    QString stopReason() const { return m_stopReason; }
    QString stopDescription() const { return m_stopDescription; }
    int exitCode() const { return m_exitCode; }
    bool crashed() const { return m_crashed; }
    QString runRecordDir() const;
    QString agentSocketPath() const;
    // The run's private directory where the driver runs: on the host for a
    // remote run (LaunchPlan::host).
    QString driverRunDir() const;
    QString driverOutput() const;
    qint64 driverProcessId() const;
    QString stuckReason() const { return m_stuckReason; }
    // The plan's host, empty for this machine; whether the driver can use
    // KVM there (known after hostProbed()).
    QString hostName() const;
    std::optional<bool> hostKvm() const { return m_hostKvm; }
    DapClient *client() const { return m_client.get(); }

Q_SIGNALS:
    void stateChanged(nixtide::DebugSession::State state);
    void connectedToAgent();
    // The agent's answer, one entry per breakpoint requested for `path`.
    void breakpointsAnswered(const QString &path, const QList<nixtide::BreakpointAnswer> &answers);
    // After a stop the stack is fetched first; frames() holds it.
    void stopped(const QString &reason, const QString &description);
    void continued();
    void machinesChanged();
    void logEntryAdded(int index);
    void logEntryUpdated(int index);
    // Serial console bytes as the guest wrote them (CR LF line ends), in
    // chunks that may end inside a line, an escape sequence or a character.
    void serialReceived(const QString &machine, const QByteArray &bytes);
    void screenshotTaken(const QString &machine, const QString &path);
    void output(const QString &category, const QString &text);
    void driverOutputLine(const QString &line, bool isStderr);
    void agentExited(int exitCode);
    // The driver process ended, or could not be executed at all (then
    // exitCode is -1 and error() says why); the session is Terminated.
    void finished(int exitCode, bool crashed);
    void errorOccurred(const QString &message);
    void hostProbed(const QString &host, bool kvm);
    // A step of the driver's start that takes time (a remote host's copy).
    void launchProgress(const QString &message);
    // The SSH connection to the plan's host is gone; the run ends with it.
    void connectionLost(const QString &message);
    // The driver waits for something that will not come (a VLAN's switch
    // that died during its start-up) and will not go on by itself: only a
    // stop ends the run. Once per session; stuckReason() keeps it.
    void driverStuck(const QString &message);
    // A run of the test script began (the first, or one after a restart).
    void scriptStarted();
    void scriptFinished(const nixtide::ScriptOutcome &outcome);
    // An agent event kept as it came, for the run record (nixtide/machines,
    // nixtide/log, nixtide/logBegin, nixtide/logEnd); everyone else reads
    // the typed signals above.
    void eventReceived(const QString &event, const QJsonObject &body);
    // What the run's result says now: "running" once started (and when the
    // script starts again), passed or failed when the script ends (the VMs
    // may stay up), and when the driver ends one of passed, failed, killed,
    // error, or stopped (ended on request before the script had a result).
    void resultChanged(const QString &status);

private:
    using ResultCallback
        = std::function<void(bool ok, const QJsonObject &body, const QString &error)>;
    // Any request; the public ones above read its body.
    void request(const QString &command, const QJsonObject &arguments, ResultCallback callback,
        int timeoutMs = -1);
    void setState(State state);
    void onConnected();
    void onEvent(const QString &event, const QJsonObject &body);
    void onInitialized();
    void onSerial(const QJsonObject &body);
    void onMachines(const QJsonObject &body);
    void onSocketReachable(const QString &driverPath, const QString &localPath);
    void onFileFetched(const QString &driverPath, const QString &localPath);
    void onScreenshotFetched(const QJsonObject &body, const QString &localPath);
    void onOcr(const QJsonObject &body);
    void onOcrImage(const QJsonObject &body, const QString &localPath);
    void onStopped(const QJsonObject &body);
    void onLogBegin(const LogEntry &entry);
    void onVlanSwitchExited(int vlan, qint64 pid);
    void reportVlanStuck(int vlan, qint64 pid);
    void onDriverFinished(int exitCode, bool crashed);
    void onDriverFailedToStart(const QString &message);
    void sendBreakpoints(const QString &path);
    void onBreakpointEvent(const QJsonObject &body);
    void stepRequest(const QString &command);
    void fail(const QString &message);

    LaunchPlan m_plan;
    State m_state = State::Idle;
    QString m_error;
    std::unique_ptr<DriverHost> m_driver;
    std::unique_ptr<LocalSocketTransport> m_transport;
    std::unique_ptr<DapClient> m_client;
    // Unopened when the plan asks for no record; writes nothing then.
    RunRecorder m_recorder;
    VlanSwitchWatch m_vlanWatch;
    int m_vlanStartupEntry = 0; // the driver's "start all VLans" step while it runs
    QString m_stuckReason;
    QTimer m_terminateTimer;
    bool m_connected = false;
    bool m_configured = false;
    BreakpointStore m_ownStore;
    // Never null: the session's own store when the window's is gone.
    BreakpointStore *m_store = &m_ownStore;
    // The agent's breakpoint id -> the file and the store's id, from its
    // last setBreakpoints answers: `breakpoint` events name the agent's.
    QHash<int, std::pair<QString, int>> m_agentBreakpoints;
    QList<MachineInfo> m_machines;
    QList<LogEntry> m_log;
    QHash<int, int> m_logIndex; // agent id -> index in m_log
    int m_nextPlainId = -1;
    QHash<QString, QByteArray> m_serial;
    // Screenshot events waiting for their file from the driver's host.
    QHash<QString, QJsonObject> m_screenshots;
    // OCR events waiting for their screen image, in the order they came
    // (the driver names one file for every try that saw the same screen),
    // and the images already here.
    QHash<QString, QList<QJsonObject>> m_ocrWaiting;
    QHash<QString, QString> m_ocrImages; // the driver's path -> readable here
    std::optional<bool> m_hostKvm;
    QList<StackFrame> m_frames;
    int m_threadId = 1; // the last stop's
    QString m_stopReason;
    QString m_stopDescription;
    int m_exitCode = -1;
    int m_agentExitCode = -1;
    bool m_crashed = false;
    // terminate(), stopDriver() or kill() was asked for (or the session gave
    // up on the agent): a driver killed by a signal then is no surprise.
    bool m_endRequested = false;
    // The script finished, or is stopped on the exception that fails it:
    // its result is known whatever ends the driver afterwards.
    bool m_scriptFinished = false;
    bool m_stoppedOnFailure = false;
    bool m_connectionLost = false;
};

} // namespace nixtide
