#include "core/remote/sshconnection.h"

#include "core/launch/processtree.h"

#include <QFileInfo>

#include <csignal>
#include <sys/prctl.h>
#include <unistd.h>

namespace nixtide {

namespace {

constexpr int kCheckIntervalMs = 100;

void dieWithParent(QProcess *process)
{
    const pid_t parent = ::getpid();
    process->setChildProcessModifier([parent] {
        // The master must not outlive nixtide: the host cleans up when the
        // connection goes, and it goes with the master.
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent)
            ::_exit(127);
    });
}

} // namespace

SshConnection::SshConnection(QObject *parent)
    : QObject(parent)
{
    m_checkTimer.setSingleShot(true);
    connect(&m_checkTimer, &QTimer::timeout, this, &SshConnection::check);
}

SshConnection::~SshConnection()
{
    close();
}

QString SshConnection::shellQuote(const QString &word)
{
    if (!word.isEmpty() && std::all_of(word.begin(), word.end(), [](QChar c) {
            return c.isLetterOrNumber() || QStringLiteral("/._-=:,+@%").contains(c);
        }))
        return word;
    QString quoted = word;
    quoted.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    return QLatin1Char('\'') + quoted + QLatin1Char('\'');
}

QStringList SshConnection::baseArguments() const
{
    QStringList args {
        QStringLiteral("-S"), m_controlPath, QStringLiteral("-o"), QStringLiteral("BatchMode=yes")};
    if (m_target.port > 0)
        args << QStringLiteral("-p") << QString::number(m_target.port);
    args << m_target.options;
    return args;
}

void SshConnection::open(const SshTarget &target, const QString &controlDir)
{
    m_target = target;
    m_controlPath = controlDir + QStringLiteral("/ssh.ctl");
    m_master = std::make_unique<QProcess>();
    m_master->setProgram(QStringLiteral("ssh"));
    // -N: no command, the master only carries the others' channels.
    m_master->setArguments(QStringList {QStringLiteral("-M"), QStringLiteral("-N"),
                               QStringLiteral("-o"), QStringLiteral("ControlPersist=no"),
                               QStringLiteral("-o"), QStringLiteral("ServerAliveInterval=5"),
                               QStringLiteral("-o"), QStringLiteral("ServerAliveCountMax=3")}
        + baseArguments() + QStringList {m_target.destination()});
    m_master->setStandardInputFile(QProcess::nullDevice());
    m_master->setProcessChannelMode(QProcess::MergedChannels);
    dieWithParent(m_master.get());
    connect(m_master.get(), &QProcess::finished, this, &SshConnection::onMasterFinished);
    connect(m_master.get(), &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart) {
            m_checkTimer.stop();
            Q_EMIT failed(QStringLiteral("cannot run ssh: %1").arg(m_master->errorString()));
        }
    });
    m_checks = 0;
    m_master->start();
    m_checkTimer.start(kCheckIntervalMs);
}

void SshConnection::check()
{
    // NotRunning: its end comes through onMasterFinished or errorOccurred.
    if (!m_master || m_master->state() == QProcess::NotRunning || m_check)
        return;
    // Still Starting (QProcess learns of the exec from its event loop, which
    // a loaded machine may serve after this timer), or not authenticated
    // yet (no control socket): look again.
    if (m_master->state() == QProcess::Starting || !QFileInfo::exists(m_controlPath)) {
        checkAgainOrFail();
        return;
    }
    // The socket exists once the master is authenticated; -O check says
    // it also answers.
    m_check = std::make_unique<QProcess>();
    m_check->setProgram(QStringLiteral("ssh"));
    m_check->setArguments(baseArguments()
        << QStringLiteral("-O") << QStringLiteral("check") << m_target.destination());
    m_check->setStandardInputFile(QProcess::nullDevice());
    connect(m_check.get(), &QProcess::finished, this, [this](int code, QProcess::ExitStatus) {
        m_check.release()->deleteLater();
        if (code == 0) {
            m_open = true;
            Q_EMIT opened();
        } else {
            checkAgainOrFail();
        }
    });
    connect(m_check.get(), &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e != QProcess::FailedToStart)
            return;
        m_check.release()->deleteLater();
        checkAgainOrFail();
    });
    m_check->start();
}

void SshConnection::checkAgainOrFail()
{
    if (++m_checks < m_checkLimit) {
        m_checkTimer.start(kCheckIntervalMs);
        return;
    }
    Q_EMIT failed(QStringLiteral("no connection to %1 after %2 checks: %3")
            .arg(m_target.uri())
            .arg(m_checkLimit)
            .arg(masterOutput()));
}

QString SshConnection::masterOutput() const
{
    return m_master ? QString::fromLocal8Bit(m_master->readAll()).trimmed() : QString();
}

void SshConnection::onMasterFinished()
{
    m_checkTimer.stop();
    const bool wasOpen = m_open;
    m_open = false;
    if (m_closing)
        return;
    const QString output = masterOutput();
    if (wasOpen)
        Q_EMIT lost(QStringLiteral("the connection to %1 was lost%2")
                .arg(m_target.uri(), output.isEmpty() ? QString() : QStringLiteral(": ") + output));
    else
        Q_EMIT failed(QStringLiteral("cannot connect to %1: %2")
                .arg(m_target.uri(), output.isEmpty() ? QStringLiteral("ssh exited") : output));
}

void SshConnection::close()
{
    m_checkTimer.stop();
    // A master that died on its own (killed, the host gone) is not closed
    // by us: its end, reported on QProcess's next turn, is the loss.
    if (masterHasEnded())
        return;
    m_closing = true;
    // The master ends the shared sessions with it; the host's side of a
    // remote run sees its channel close and cleans up.
    m_master->terminate();
    if (!m_master->waitForFinished(2000))
        m_master->kill();
    m_open = false;
}

qint64 SshConnection::masterProcessId() const
{
    return m_master ? m_master->processId() : 0;
}

bool SshConnection::masterHasEnded() const
{
    return !m_master || m_master->state() == QProcess::NotRunning
        || ProcessTree::hasEnded(pid_t(m_master->processId()));
}

std::unique_ptr<QProcess> SshConnection::command(const QStringList &command) const
{
    QStringList quoted;
    for (const QString &word : command)
        quoted << shellQuote(word);
    auto process = std::make_unique<QProcess>();
    process->setProgram(QStringLiteral("ssh"));
    // The remote shell reads one string: ssh joins its words with spaces.
    process->setArguments(baseArguments()
        << m_target.destination() << QStringLiteral("--") << quoted.join(QLatin1Char(' ')));
    dieWithParent(process.get());
    return process;
}

void SshConnection::forwardUnixSocket(const QString &local, const QString &remote,
    std::function<void(bool ok, const QString &error)> done)
{
    auto *process = new QProcess(this);
    process->setProgram(QStringLiteral("ssh"));
    process->setArguments(baseArguments()
        << QStringLiteral("-O") << QStringLiteral("forward") << QStringLiteral("-L")
        << local + QLatin1Char(':') + remote << m_target.destination());
    process->setStandardInputFile(QProcess::nullDevice());
    process->setProcessChannelMode(QProcess::MergedChannels);
    connect(process, &QProcess::finished, this,
        [process, done, local, remote](int code, QProcess::ExitStatus status) {
            process->deleteLater();
            const bool ok = code == 0 && status == QProcess::NormalExit;
            done(ok,
                ok ? QString()
                   : QStringLiteral("cannot forward %1 to %2: %3")
                         .arg(local, remote, QString::fromLocal8Bit(process->readAll()).trimmed()));
        });
    connect(process, &QProcess::errorOccurred, this, [process, done](QProcess::ProcessError e) {
        if (e != QProcess::FailedToStart)
            return;
        process->deleteLater();
        done(false, QStringLiteral("cannot run ssh: %1").arg(process->errorString()));
    });
    process->start();
}

QProcessEnvironment SshConnection::nixEnvironment() const
{
    QStringList words = baseArguments();
    for (QString &word : words)
        word = shellQuote(word);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("NIX_SSHOPTS"), words.join(QLatin1Char(' ')));
    return env;
}

} // namespace nixtide
