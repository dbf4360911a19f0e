#include "core/launch/driverprocess.h"

#include "core/paths.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <csignal>
#include <sys/prctl.h>
#include <unistd.h>

namespace nixtide {

namespace {

// sun_path is 108 bytes on Linux; keep a margin for the terminating NUL.
constexpr int kMaxSocketPath = 100;

} // namespace

DriverProcess::DriverProcess(QObject *parent)
    : DriverRunner(parent)
{
    m_killTimer.setSingleShot(true);
    connect(&m_killTimer, &QTimer::timeout, this, [this] { signalGroup(SIGKILL); });
}

DriverProcess::~DriverProcess()
{
    // Nothing is reported from here (as RemoteDriverProcess): the owner may
    // be half destroyed already, its members gone (a DriverHost's connector).
    if (m_process)
        m_process->disconnect(this);
    if (m_process && m_process->state() != QProcess::NotRunning) {
        // No time for a grace period: nixtide (or this session) is going.
        signalGroup(SIGKILL);
        m_process->waitForFinished(2000);
    }
    m_watchdog.release();
}

bool DriverProcess::start(const DriverLaunchOptions &options, QString *error)
{
    if (m_process) {
        *error = QStringLiteral("the driver was already started");
        return false;
    }
    if (!QFileInfo(options.driverPath).isExecutable()) {
        *error = QStringLiteral("%1: not an executable").arg(options.driverPath);
        return false;
    }
    // The runtime dir is the natural home; a deep $XDG_RUNTIME_DIR or
    // $TMPDIR can make the socket path too long for sun_path, then /tmp.
    QString parentDir = DataPaths::runtimeDir();
    if (parentDir.toLocal8Bit().size() + 30 > kMaxSocketPath)
        parentDir = QStringLiteral("/tmp");
    if (!m_dir.create(parentDir, QStringLiteral("nixtide-"), error))
        return false;
    m_socketPath = m_dir.path() + QStringLiteral("/agent.sock");

    QProcessEnvironment env = options.environment;
    if (!options.agentDir.isEmpty()) {
        // Prepend, keeping whatever the driver's own wrappers and Nix's
        // sitecustomize (NIX_PYTHONPATH) rely on.
        const QString inject = options.agentDir + QStringLiteral("/inject");
        const QString existing = env.value(QStringLiteral("PYTHONPATH"));
        env.insert(QStringLiteral("PYTHONPATH"),
            existing.isEmpty() ? inject : inject + QLatin1Char(':') + existing);
        env.insert(QStringLiteral("NIXTIDE_AGENT_SOCKET"), m_socketPath);
    }
    QString stateDir = m_dir.path() + QStringLiteral("/tmp");
    if (!options.vmStateDir.isEmpty()) {
        m_keptState = std::make_unique<KeptStateDir>();
        if (!m_keptState->take(options.vmStateDir, error)) {
            m_keptState.reset();
            return false;
        }
        stateDir = options.vmStateDir;
    }
    QDir().mkpath(stateDir);
    // Newer drivers put their VLAN sockets, vm-state-* and the shared
    // directory in $XDG_RUNTIME_DIR before $TMPDIR: a desktop session's
    // would be shared by every run.
    env.insert(QStringLiteral("TMPDIR"), stateDir);
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), stateDir);
    // Python block-buffers stdout into a pipe: the script's print() would
    // reach the IDE only when the buffer fills or the script ends, not while
    // it is stopped at a breakpoint right after printing.
    env.insert(QStringLiteral("PYTHONUNBUFFERED"), QStringLiteral("1"));

    if (!m_watchdog.start()) {
        *error = QStringLiteral("cannot start the process watchdog (/bin/sh)");
        return false;
    }

    m_process = std::make_unique<QProcess>();
    m_process->setProgram(options.driverPath);
    m_process->setArguments(options.extraArguments);
    m_process->setProcessEnvironment(env);
    // Nobody types into the driver's terminal: the REPL and the console go
    // over the agent. A read of stdin (a converter in a pipeline, a prompt)
    // gets end-of-file instead of waiting for ever on an open pipe.
    m_process->setStandardInputFile(QProcess::nullDevice());
    m_process->setWorkingDirectory(
        options.workingDirectory.isEmpty() ? m_dir.path() : options.workingDirectory);
    const pid_t parent = ::getpid();
    m_process->setChildProcessModifier([parent] {
        // Own session and group: signals to the group reach QEMU and
        // vde_switch (the driver starts them without new sessions), and a
        // Ctrl-C on nixtide's terminal does not reach the driver directly.
        ::setsid();
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent)
            ::_exit(127); // nixtide died between fork and prctl
    });
    m_stopGraceMs = options.stopGraceMs;

    connect(m_process.get(), &QProcess::readyReadStandardOutput, this,
        [this] { readChannel(QProcess::StandardOutput); });
    connect(m_process.get(), &QProcess::readyReadStandardError, this,
        [this] { readChannel(QProcess::StandardError); });
    connect(m_process.get(), &QProcess::started, this, [this] {
        m_group = m_process->processId();
        m_watchdog.watch(pid_t(m_group), QFile::encodeName(m_dir.path()));
        Q_EMIT started();
    });
    connect(m_process.get(), &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart) {
            m_watchdog.release();
            Q_EMIT failedToStart(
                QStringLiteral("%1: %2").arg(m_process->program(), m_process->errorString()));
        }
    });
    connect(m_process.get(), &QProcess::finished, this, &DriverProcess::onFinished);
    m_process->start();
    return true;
}

void DriverProcess::stop()
{
    if (!isRunning() || m_stopping)
        return;
    m_stopping = true;
    signalGroup(SIGTERM);
    m_killTimer.start(m_stopGraceMs);
}

void DriverProcess::killGroup()
{
    signalGroup(SIGKILL);
}

bool DriverProcess::isRunning() const
{
    return m_process && m_process->state() != QProcess::NotRunning;
}

qint64 DriverProcess::processId() const
{
    return m_group;
}

QString DriverProcess::recentOutput() const
{
    return m_output.recent();
}

void DriverProcess::signalGroup(int signal)
{
    if (m_group > 0)
        ::kill(-pid_t(m_group), signal);
}

void DriverProcess::readChannel(QProcess::ProcessChannel channel, bool flush)
{
    m_process->setReadChannel(channel);
    for (const QString &line : m_output.take(channel, m_process->readAll(), flush)) {
        m_output.remember(line);
        if (channel == QProcess::StandardOutput)
            Q_EMIT stdoutLine(line);
        else
            Q_EMIT stderrLine(line);
    }
}

void DriverProcess::onFinished(int exitCode, QProcess::ExitStatus status)
{
    readChannel(QProcess::StandardOutput, true);
    readChannel(QProcess::StandardError, true);
    m_killTimer.stop();
    // Whatever the driver left in its group (a QEMU it did not reap) goes
    // now: the watchdog sends TERM, then KILL.
    m_watchdog.release();
    m_keptState.reset();
    Q_EMIT finished(exitCode, status == QProcess::CrashExit);
}

} // namespace nixtide
