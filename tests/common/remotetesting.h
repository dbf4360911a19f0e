#pragma once

// The SSH "remote host" stand-in (tests/common/sshbuilder.py serve: sshd on
// loopback with keys of its own, the host's /nix a store of its own) and
// what the remote suites look for on it. Here the host is this machine, so
// its processes can be read in /proc.
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStringList>
#include <QTest>

#include <unistd.h>

namespace nixtide::testing {

class SshHostStandIn
{
public:
    // Starts the host; sets NIX_SSHOPTS for the ssh nixtide runs. False when
    // it did not come up (its stderr is in the test's output).
    bool start()
    {
        m_server.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_server.start(QStringLiteral("python3"),
            {qEnvironmentVariable("NIXTIDE_SOURCE_DIR")
                    + QStringLiteral("/tests/common/sshbuilder.py"),
                QStringLiteral("serve")});
        QElapsedTimer waited;
        waited.start();
        while (!m_server.canReadLine() && m_server.state() != QProcess::NotRunning
            && waited.elapsed() < 120000)
            QTest::qWait(50);
        const QJsonObject info = QJsonDocument::fromJson(m_server.readLine()).object();
        m_uri = info.value(QStringLiteral("uri")).toString();
        m_dir = info.value(QStringLiteral("dir")).toString();
        qputenv("NIX_SSHOPTS", info.value(QStringLiteral("sshopts")).toString().toUtf8());
        return m_uri.startsWith(QStringLiteral("ssh://"));
    }

    void stop()
    {
        if (m_server.state() == QProcess::NotRunning)
            return;
        m_server.closeWriteChannel();
        if (!m_server.waitForFinished(30000))
            m_server.kill();
    }

    ~SshHostStandIn() { stop(); }

    QString uri() const { return m_uri; }
    QString dir() const { return m_dir; }

    // Runs `command` on the host through ssh; its standard output.
    QString run(const QString &command) const
    {
        QProcess ssh;
        QStringList words
            = qEnvironmentVariable("NIX_SSHOPTS").split(QLatin1Char(' '), Qt::SkipEmptyParts);
        ssh.start(QStringLiteral("ssh"),
            words << QStringLiteral("-p") << m_uri.section(QLatin1Char(':'), -1)
                  << QStringLiteral("root@127.0.0.1") << command);
        ssh.waitForFinished(60000);
        return QString::fromUtf8(ssh.readAllStandardOutput());
    }

private:
    QProcess m_server;
    QString m_uri;
    QString m_dir;
};

// What the host (this machine here) should say about KVM: a CPU with
// hardware virtualisation and a /dev/kvm root can open.
inline bool hostHasKvm()
{
    QFile cpuinfo(QStringLiteral("/proc/cpuinfo"));
    if (!cpuinfo.open(QIODevice::ReadOnly))
        return false;
    static const QRegularExpression flags(
        QStringLiteral("^flags\\s*:.*\\b(vmx|svm)\\b"), QRegularExpression::MultilineOption);
    return flags.match(QString::fromLatin1(cpuinfo.readAll())).hasMatch()
        && ::access("/dev/kvm", W_OK) == 0;
}

// Processes (on this machine, which is also the host here) whose command
// line or environment names `dir`: the wrapper, the driver, QEMU, and the
// ssh processes carrying them.
inline QStringList processesNaming(const QString &dir)
{
    QStringList found;
    const QByteArray needle = dir.toUtf8();
    const QStringList pids = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs);
    for (const QString &pid : pids) {
        bool number = false;
        if (pid.toInt(&number) == ::getpid() || !number)
            continue;
        for (const char *file : {"cmdline", "environ"}) {
            QFile f(QStringLiteral("/proc/%1/%2").arg(pid, QLatin1String(file)));
            if (f.open(QIODevice::ReadOnly) && f.readAll().contains(needle)) {
                QFile cmd(QStringLiteral("/proc/%1/cmdline").arg(pid));
                if (cmd.open(QIODevice::ReadOnly))
                    found << pid + QLatin1Char(' ')
                            + QString::fromUtf8(cmd.readAll().replace('\0', ' '));
                break;
            }
        }
    }
    return found;
}

// The ssh ControlMaster of the session whose forwarded agent socket is
// `agentSocket` (its control socket lives next to it).
inline pid_t masterOf(const QString &agentSocket)
{
    const QByteArray control
        = (QFileInfo(agentSocket).path() + QStringLiteral("/ssh.ctl")).toUtf8();
    const QStringList pids = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs);
    for (const QString &pid : pids) {
        QFile f(QStringLiteral("/proc/%1/cmdline").arg(pid));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QList<QByteArray> args = f.readAll().split('\0');
        if (args.contains("-M") && args.contains(control))
            return pid_t(pid.toInt());
    }
    return 0;
}

} // namespace nixtide::testing
