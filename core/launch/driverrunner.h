#pragma once

#include <QObject>
#include <QString>

namespace nixtide {

struct DriverLaunchOptions;

// Where a test driver runs: this machine (DriverProcess) or a host reached
// over SSH (RemoteDriverProcess). DriverHost talks to this seam only; the
// agent's socket and the machines' VNC sockets it hands out are always local
// paths the IDE can connect to.
class DriverRunner : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

    // Asynchronous: started() (the agent's socket is then reachable at
    // agentSocketPath()) or failedToStart(message) follows.
    virtual bool start(const DriverLaunchOptions &options, QString *error) = 0;
    virtual void stop() = 0; // SIGTERM to the group, SIGKILL after the grace period
    virtual void killGroup() = 0; // SIGKILL to the group now
    virtual bool isRunning() const = 0;
    virtual QString agentSocketPath() const = 0;
    virtual QString recentOutput() const = 0;

    // The local path at which a socket the driver named (a VNC socket) can
    // be reached; empty while it is being made reachable, then
    // socketReachable(driverPath, localPath) follows.
    virtual QString reachableSocket(const QString &driverPath) { return driverPath; }
    // A file the driver wrote (a screenshot) as a local file, valid until
    // the runner goes: the same path when the driver shares our file system,
    // else a copy. fileFetched(driverPath, localPath) follows (at once for
    // a local driver; an empty localPath on failure).
    virtual void fetchFile(const QString &driverPath)
    {
        Q_EMIT fileFetched(driverPath, driverPath);
    }
    // The driver's process id here; 0 when it runs on another host.
    virtual qint64 processId() const { return 0; }
    // Where the driver runs, for the status bar: empty for this machine.
    virtual QString hostName() const { return {}; }
    // The run's private directory where the driver runs (its agent socket
    // and TMPDIR are below it): a path on the host for a remote run.
    virtual QString runDir() const = 0;

Q_SIGNALS:
    void started();
    void failedToStart(const QString &message);
    void stdoutLine(const QString &line);
    void stderrLine(const QString &line);
    // What the runner does before the driver runs, when that takes time (a
    // remote host's copy of the closure): one line each, for a person.
    void progress(const QString &message);
    // crashed: killed by a signal (exitCode is then meaningless).
    void finished(int exitCode, bool crashed);
    void socketReachable(const QString &driverPath, const QString &localPath);
    void fileFetched(const QString &driverPath, const QString &localPath);
    // What is known about the host: whether the driver's user can use KVM.
    void hostProbed(const QString &host, bool kvm);
    // The way to the host is gone; finished() follows.
    void connectionLost(const QString &message);
};

} // namespace nixtide
