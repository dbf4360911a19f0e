#pragma once

#include "core/launch/driverrunner.h"
#include "core/launch/groupwatchdog.h"
#include "core/launch/keptstatedir.h"
#include "core/launch/outputlines.h"
#include "core/launch/privatedir.h"

#include <QObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QStringList>
#include <QTimer>

#include <memory>

namespace nixtide {

struct DriverLaunchOptions
{
    QString driverPath; // the bundle's bin/nixos-test-driver, run as is
    QStringList extraArguments; // appended: --keep-vm-state, --junit-xml FILE, ...
    QString agentDir; // holds inject/; empty runs the driver without the agent
    // The driver's TMPDIR and XDG_RUNTIME_DIR, kept (see KeptStateDir);
    // empty: inside the private dir, removed with it.
    QString vmStateDir;
    QString workingDirectory; // empty: the private dir
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    int stopGraceMs = 3000; // SIGTERM to SIGKILL
};

// Runs one test driver in its own session and process group with the agent
// injected, and makes sure the whole group (driver, QEMU, vde_switch) dies
// with it: stop() signals the group, a GroupWatchdog covers nixtide's own
// death, and PR_SET_PDEATHSIG covers the driver if the watchdog is killed.
class DriverProcess : public DriverRunner
{
    Q_OBJECT

public:
    explicit DriverProcess(QObject *parent = nullptr);
    ~DriverProcess() override;

    // Asynchronous: started() or failedToStart(message) follows.
    bool start(const DriverLaunchOptions &options, QString *error) override;
    void stop() override; // SIGTERM to the group, SIGKILL after the grace period
    void killGroup() override; // SIGKILL to the group now

    bool isRunning() const override;
    qint64 processId() const override;
    QString agentSocketPath() const override { return m_socketPath; }
    QString privateDir() const { return m_dir.path(); }
    QString runDir() const override { return m_dir.path(); }
    // What the driver printed so far (bounded), for error messages.
    QString recentOutput() const override;

private:
    void readChannel(QProcess::ProcessChannel channel, bool flush = false);
    void onFinished(int exitCode, QProcess::ExitStatus status);
    void signalGroup(int signal);

    PrivateDir m_dir;
    GroupWatchdog m_watchdog;
    std::unique_ptr<KeptStateDir> m_keptState;
    std::unique_ptr<QProcess> m_process;
    QTimer m_killTimer;
    QString m_socketPath;
    qint64 m_group = 0;
    OutputLines m_output;
    int m_stopGraceMs = 3000;
    bool m_stopping = false;
};

} // namespace nixtide
