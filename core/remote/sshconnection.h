#pragma once

#include "core/remote/sshtarget.h"

#include <QHash>
#include <QObject>
#include <QProcess>
#include <QTimer>

#include <functional>
#include <memory>

namespace nixtide {

// One OpenSSH control connection (ControlMaster) to a host, which every other
// ssh command of a remote run shares: remote commands, unix-socket
// forwarding, and `nix copy` (through NIX_SSHOPTS). The master is a child of
// ours; when it dies the connection is lost, and lost() says so.
class SshConnection : public QObject
{
    Q_OBJECT

public:
    explicit SshConnection(QObject *parent = nullptr);
    ~SshConnection() override;

    // Asynchronous: opened() or failed(message) follows. `controlDir` is a
    // private directory of ours that holds the control socket.
    void open(const SshTarget &target, const QString &controlDir);
    // How many times open() looks for the master before it gives up (one
    // look every 100 ms, 600 by default). For tests.
    void setCheckLimit(int checks) { m_checkLimit = checks; }
    void close();
    bool isOpen() const { return m_open; }
    const SshTarget &target() const { return m_target; }
    QString controlPath() const { return m_controlPath; }
    qint64 masterProcessId() const;
    // The master has died (killed from outside, the host gone), even if
    // its QProcess has not reported it yet.
    bool masterHasEnded() const;

    // An ssh process that runs `command` (words, quoted here for the remote
    // shell) over the master; not started. The caller owns it.
    std::unique_ptr<QProcess> command(const QStringList &command) const;
    // Forwards connections to the local socket `local` to the unix socket
    // `remote` on the host; `done(ok, error)` when the master has it.
    void forwardUnixSocket(const QString &local, const QString &remote,
        std::function<void(bool ok, const QString &error)> done);
    // The environment for Nix's ssh (`nix copy --to ssh-ng://…`): NIX_SSHOPTS
    // with our options and the control socket, so Nix rides the master.
    QProcessEnvironment nixEnvironment() const;

    // One word quoted for a POSIX shell.
    static QString shellQuote(const QString &word);

Q_SIGNALS:
    void opened();
    void failed(const QString &message);
    // The master died after opened(): the host is unreachable now.
    void lost(const QString &message);

private:
    QStringList baseArguments() const;
    void check();
    void checkAgainOrFail();
    void onMasterFinished();
    QString masterOutput() const;

    SshTarget m_target;
    QString m_controlPath;
    std::unique_ptr<QProcess> m_master;
    std::unique_ptr<QProcess> m_check;
    QTimer m_checkTimer;
    int m_checks = 0;
    int m_checkLimit = 600; // ssh's own ConnectTimeout usually ends it first
    bool m_open = false;
    bool m_closing = false;
};

} // namespace nixtide
