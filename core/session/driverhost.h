#pragma once

#include "core/session/agentconnector.h"
#include "core/session/launchplan.h"

#include <QObject>
#include <QString>

#include <memory>

namespace nixtide {

class DriverRunner;
struct DriverLaunchOptions;
class LocalSocketTransport;

// The one composition of a test driver under the agent: a launch plan run by
// the runner for its host (this machine or SSH), with the agent injected and
// the kept VM state directory applied, and the connection to that agent.
// DebugSession (the GUI, `nixtide run`) and `nixtide debug-adapter` both run
// their drivers through it, so they cannot drift apart again. It knows no
// DAP beyond opening the socket: what goes over it is the owner's business.
class DriverHost : public QObject
{
    Q_OBJECT

public:
    explicit DriverHost(QObject *parent = nullptr);
    ~DriverHost() override;

    // Starts the plan's driver; asynchronous: agentConnected(),
    // agentFailed() or failedToStart() follows, finished() at the end.
    // False (and `error`) when the plan cannot even start: a host that is
    // not one, a driver that is not executable, a kept state directory in
    // use. One start per host.
    bool start(const LaunchPlan &plan, QString *error);
    // What start() runs for `plan` on its host (the runner's options).
    static DriverLaunchOptions launchOptions(const LaunchPlan &plan);

    void stop(); // SIGTERM to the driver's group, SIGKILL after a grace period
    void killGroup(); // SIGKILL to the group now
    bool isRunning() const;

    // The driver's TMPDIR and XDG_RUNTIME_DIR as the plan asked for it (the
    // machines' state lives there): empty for a private one removed with
    // the run.
    QString vmStateDir() const { return m_vmStateDir; }
    // The open connection to the agent, once agentConnected() was emitted;
    // the caller owns it from then on.
    std::unique_ptr<LocalSocketTransport> takeTransport();
    // How patiently the agent's socket is tried (AgentConnector's defaults).
    AgentConnector &connector() { return m_connector; }

    // The runner's facts (see DriverRunner); empty before start().
    QString agentSocketPath() const;
    QString recentOutput() const;
    QString runDir() const;
    QString hostName() const;
    qint64 processId() const;
    QString reachableSocket(const QString &driverPath);
    void fetchFile(const QString &driverPath);

Q_SIGNALS:
    void outputLine(const QString &line, bool isStderr);
    // The agent listens and the connection is open: takeTransport().
    void agentConnected();
    // The agent never listened while the driver ran (not a Python driver,
    // or one that hangs before the test starts). The driver is stopped
    // right after this signal; finished() follows.
    void agentFailed(const QString &message);
    // The driver could not be executed at all: no finished() follows.
    void failedToStart(const QString &message);
    // crashed: killed by a signal (exitCode is then meaningless).
    void finished(int exitCode, bool crashed);
    // DriverRunner's, passed on: a remote run's sockets, files and host.
    void socketReachable(const QString &driverPath, const QString &localPath);
    void fileFetched(const QString &driverPath, const QString &localPath);
    void hostProbed(const QString &host, bool kvm);
    void progress(const QString &message);
    void connectionLost(const QString &message);

private:
    void onAgentFailed(const QString &message);

    // The runner goes last: its destructor kills the driver's group.
    std::unique_ptr<DriverRunner> m_runner;
    AgentConnector m_connector;
    QString m_vmStateDir;
};

} // namespace nixtide
