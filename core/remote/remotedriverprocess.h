#pragma once

#include "core/launch/driverrunner.h"
#include "core/launch/outputlines.h"
#include "core/launch/privatedir.h"
#include "core/remote/sshconnection.h"
#include "core/remote/sshtarget.h"

#include <QHash>
#include <QProcess>
#include <QSet>
#include <QStringList>
#include <QTimer>

#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace nixtide {

// Runs a test driver on another host over one SSH control connection:
// copies the driver's closure there (`nix copy`), sends the agent, starts the
// driver in a process group of its own under a small shell that kills that
// group when the SSH channel closes (stop, nixtide's death, a lost network),
// and forwards the agent's and the VMs' unix sockets to a private directory
// here. Nothing the IDE reads is a path on the host.
class RemoteDriverProcess : public DriverRunner
{
    Q_OBJECT

public:
    explicit RemoteDriverProcess(SshTarget target, QObject *parent = nullptr);
    ~RemoteDriverProcess() override;

    bool start(const DriverLaunchOptions &options, QString *error) override;
    void stop() override;
    void killGroup() override;
    bool isRunning() const override;
    QString agentSocketPath() const override { return m_agentSocket; }
    QString recentOutput() const override;
    QString reachableSocket(const QString &driverPath) override;
    void fetchFile(const QString &driverPath) override;
    QString hostName() const override { return m_target.uri(); }

    // The run's directory on the host (agent, sockets, the driver's TMPDIR);
    // removed there when the driver ends.
    QString runDir() const override { return m_hostDir; }
    qint64 connectionProcessId() const { return m_ssh.masterProcessId(); }

private:
    void onOpened();
    void copyClosure();
    // One line of progress on the way to a running driver.
    void step(const QString &what);
    void sendAgent();
    void launch();
    void whenHostSocketExists(const QString &path, std::function<void()> then);
    void readChannel(QProcess::ProcessChannel channel, bool flush = false);
    void onDriverFinished(int exitCode, QProcess::ExitStatus status);
    void concludeDriverEnd(int exitCode, QProcess::ExitStatus status);
    // Concludes a channel end held in m_channelEnd, if one waits.
    void concludeWaitingChannelEnd();
    void abort(const QString &message);
    void finish();
    QString exitMarker() const;
    void onHostDriverExited();
    void stopHelpers();
    QProcess *helper(std::unique_ptr<QProcess> process);

    SshTarget m_target;
    SshConnection m_ssh;
    PrivateDir m_dir; // the control socket and the forwarded sockets
    QString m_driverPath;
    QStringList m_arguments;
    QString m_agentDir;
    int m_stopGraceMs = 3000;
    QString m_hostDir;
    QString m_agentSocket;
    std::unique_ptr<QProcess> m_driver;
    // Short ssh commands (copy, probes, waits) that end with the run.
    std::vector<std::unique_ptr<QProcess>> m_helpers;
    QHash<QString, QString> m_reachable; // host socket -> local socket
    QSet<QString> m_pending;
    OutputLines m_output;
    int m_fetching = 0;
    int m_fetched = 0; // names the local copies
    std::optional<std::pair<int, bool>> m_exit; // finished() waiting for fetches
    // The channel's 255 while the master still looked alive: concluded when
    // the master's end comes, or when m_masterGrace runs out.
    std::optional<std::pair<int, QProcess::ExitStatus>> m_channelEnd;
    QTimer m_masterGrace;
    bool m_driverExited = false;
    bool m_starting = false;
    bool m_lost = false;
    bool m_stopping = false;
};

} // namespace nixtide
