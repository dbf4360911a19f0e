#include "core/remote/remotedriverprocess.h"

#include "core/launch/driverprocess.h"
#include "core/nix/nixcommand.h"
#include "core/paths.h"

#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

namespace nixtide {

namespace {

// Runs on the host as `sh -c SCRIPT nixtide-driver DIR TICKS COMMAND...`.
// The driver gets a session and process group of its own (QEMU and
// vde_switch join it). Our stdin is the SSH channel: a line `kill` kills the
// group at once; end of file (stop(), nixtide gone, the connection lost)
// sends TERM, waits TICKS tenths of a second, then KILL. When the driver
// ends, whatever it left in its group goes too; a line on stderr names the
// exit status, and DIR stays until the channel closes: the IDE may still be
// copying a screenshot the script took just before it ended.
// A HUP, INT or TERM to this shell (an administrator's kill, a session
// ended by force) would otherwise leave the driver's own session running
// and DIR behind: it ends the group (unless it has ended and been waited
// for: its id may be reused), says so once and removes DIR. await_group N
// waits up to N tenths of a second for the group to go; say_exit prints
// the exit line.
constexpr char kWrapper[] = "dir=$1; ticks=$2; shift 2; pg=; watcher=; status=; said=\n"
                            "await_group() {\n"
                            "  i=0\n"
                            "  while [ $i -lt $1 ] && kill -0 -$pg 2>/dev/null; do\n"
                            "    sleep 0.1; i=$((i+1))\n"
                            "  done\n"
                            "}\n"
                            "say_exit() {\n"
                            "  trap '' PIPE\n"
                            "  printf 'nixtide-remote-exit:%s:%s\\n' \"$dir\" \"$1\" >&2\n"
                            "  said=1\n"
                            "}\n"
                            "ended() {\n"
                            "  if [ -z \"$status\" ] && [ -n \"$pg\" ]; then\n"
                            "    kill -KILL -$pg 2>/dev/null; await_group 50\n"
                            "  fi\n"
                            "  [ -z \"$watcher\" ] || kill $watcher 2>/dev/null\n"
                            "  [ -n \"$said\" ] || say_exit \"${status:-$1}\"\n"
                            "  cd / && rm -rf -- \"$dir\"\n"
                            "  exit \"${status:-$1}\"\n"
                            "}\n"
                            "trap 'ended 129' HUP; trap 'ended 130' INT; trap 'ended 143' TERM\n"
                            "cd \"$dir\" || exit 125\n"
                            "exec 3<&0 </dev/null\n"
                            "setsid \"$@\" 3<&- &\n"
                            "pg=$!\n"
                            "(\n"
                            "  while read -r line <&3; do\n"
                            "    [ \"$line\" = kill ] && kill -KILL -$pg 2>/dev/null\n"
                            "  done\n"
                            "  kill -TERM -$pg 2>/dev/null || exit 0\n"
                            "  await_group $ticks\n"
                            "  kill -KILL -$pg 2>/dev/null\n"
                            ") &\n"
                            "watcher=$!\n"
                            "wait $pg; status=$?\n"
                            "kill -KILL -$pg 2>/dev/null\n"
                            "say_exit \"$status\"\n"
                            "wait $watcher\n"
                            "cd / && rm -rf -- \"$dir\"\n"
                            "exit $status\n";

// Makes a private run directory on the host and unpacks the agent (a tar
// stream on stdin) into it; prints the directory.
constexpr char kMakeDir[]
    = "d=$(mktemp -d \"${TMPDIR:-/tmp}/nixtide-remote-XXXXXX\") && mkdir \"$d/agent\" "
      "&& tar -xf - -C \"$d/agent\" && printf '%s\\n' \"$d\"";

constexpr char kWaitForSocket[] = "while [ ! -S \"$1\" ]; do sleep 0.1; done";

// The store path holding `path`, which `nix copy` takes.
QString storePathOf(const QString &path)
{
    static const QRegularExpression storePath(QStringLiteral("^(/nix/store/[^/]+)"));
    const QRegularExpressionMatch match = storePath.match(QFileInfo(path).absoluteFilePath());
    return match.hasMatch() ? match.captured(1) : QString();
}

QString lastLines(const QByteArray &output)
{
    QStringList lines = QString::fromLocal8Bit(output).trimmed().split(QLatin1Char('\n'));
    while (lines.size() > 5)
        lines.removeFirst();
    return lines.join(QLatin1Char('\n'));
}

// How long a channel's 255 waits for its master's end to be seen (see
// onDriverFinished): only a driver that exits 255 itself waits it all.
constexpr int kMasterGraceMs = 5000;

} // namespace

RemoteDriverProcess::RemoteDriverProcess(SshTarget target, QObject *parent)
    : DriverRunner(parent)
    , m_target(std::move(target))
{
    connect(&m_ssh, &SshConnection::opened, this, &RemoteDriverProcess::onOpened);
    connect(&m_ssh, &SshConnection::failed, this, &RemoteDriverProcess::abort);
    connect(&m_ssh, &SshConnection::lost, this, [this](const QString &message) {
        if (m_lost)
            return; // told already, when the driver's channel ended first
        m_lost = true;
        Q_EMIT connectionLost(message);
        if (m_starting)
            abort(message);
        concludeWaitingChannelEnd();
    });
    m_masterGrace.setSingleShot(true);
    m_masterGrace.setInterval(kMasterGraceMs);
    connect(
        &m_masterGrace, &QTimer::timeout, this, &RemoteDriverProcess::concludeWaitingChannelEnd);
}

RemoteDriverProcess::~RemoteDriverProcess()
{
    stopHelpers();
    if (m_driver)
        m_driver->disconnect(this);
    // Closing the master closes every channel: the host's wrapper sees end
    // of file and ends the driver's group.
    m_ssh.close();
    if (m_driver && m_driver->state() != QProcess::NotRunning) {
        m_driver->kill();
        m_driver->waitForFinished(2000);
    }
}

bool RemoteDriverProcess::start(const DriverLaunchOptions &options, QString *error)
{
    if (m_starting || m_driver) {
        *error = QStringLiteral("the driver was already started");
        return false;
    }
    if (!options.vmStateDir.isEmpty()) {
        *error = QStringLiteral("keeping VM state is not supported on a remote host (%1)")
                     .arg(m_target.uri());
        return false;
    }
    if (storePathOf(options.driverPath).isEmpty()) {
        *error = QStringLiteral("%1 is not in the Nix store: it cannot be copied to %2")
                     .arg(options.driverPath, m_target.uri());
        return false;
    }
    if (options.agentDir.isEmpty()) {
        *error = QStringLiteral("a remote run needs the agent");
        return false;
    }
    // The control socket and the forwarded sockets: a short path (sun_path).
    QString parentDir = DataPaths::runtimeDir();
    if (parentDir.toLocal8Bit().size() + 40 > 100)
        parentDir = QStringLiteral("/tmp");
    if (!m_dir.create(parentDir, QStringLiteral("nixtide-"), error))
        return false;
    m_driverPath = options.driverPath;
    m_arguments = options.extraArguments;
    m_agentDir = options.agentDir;
    m_stopGraceMs = options.stopGraceMs;
    m_starting = true;
    m_ssh.open(m_target, m_dir.path());
    return true;
}

QProcess *RemoteDriverProcess::helper(std::unique_ptr<QProcess> process)
{
    QProcess *raw = process.get();
    m_helpers.push_back(std::move(process));
    connect(raw, &QProcess::finished, this, [this, raw] {
        // Deleted later: this runs inside the process's own signal.
        auto it = std::find_if(m_helpers.begin(), m_helpers.end(),
            [raw](const std::unique_ptr<QProcess> &p) { return p.get() == raw; });
        if (it != m_helpers.end()) {
            it->release()->deleteLater();
            m_helpers.erase(it);
        }
    });
    return raw;
}

void RemoteDriverProcess::onOpened()
{
    // Only for the status bar: the run goes on either way. The same two
    // facts the window checks for this machine: a CPU with hardware
    // virtualisation, and a /dev/kvm the driver's user can open (a
    // paravirtualised /dev/kvm on a CPU without vmx/svm does not count).
    QProcess *kvm = helper(m_ssh.command({QStringLiteral("sh"), QStringLiteral("-c"),
        QStringLiteral("grep -Eqw 'vmx|svm' /proc/cpuinfo && test -w /dev/kvm")}));
    connect(kvm, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
        if (status == QProcess::NormalExit && (code == 0 || code == 1))
            Q_EMIT hostProbed(m_target.uri(), code == 0);
    });
    kvm->start();
    copyClosure();
}

void RemoteDriverProcess::copyClosure()
{
    // Each step says what it waits for: a first copy of a closure can take
    // minutes, and nix's own lines (one per path) show it moving.
    step(QStringLiteral("copying %1 to %2 (nix copy)")
            .arg(storePathOf(m_driverPath), m_target.storeUri()));
    auto process = std::make_unique<QProcess>();
    process->setProgram(NixCommand::program());
    process->setArguments(NixCommand::commonArgs()
        << QStringLiteral("copy") << QStringLiteral("--no-check-sigs") << QStringLiteral("--to")
        << m_target.storeUri() << storePathOf(m_driverPath));
    process->setProcessEnvironment(m_ssh.nixEnvironment());
    process->setProcessChannelMode(QProcess::MergedChannels);
    QProcess *copy = helper(std::move(process));
    auto lines = std::make_shared<OutputLines>();
    const auto pass = [this, copy, lines](bool flush) {
        for (const QString &line :
            lines->take(QProcess::StandardOutput, copy->readAllStandardOutput(), flush)) {
            lines->remember(line);
            Q_EMIT progress(QStringLiteral("nix copy: ") + line);
        }
    };
    connect(copy, &QProcess::readyReadStandardOutput, this, [pass] { pass(false); });
    connect(copy, &QProcess::finished, this,
        [this, pass, lines](int code, QProcess::ExitStatus status) {
            pass(true);
            if (code != 0 || status != QProcess::NormalExit) {
                abort(QStringLiteral("cannot copy %1 to %2: %3")
                        .arg(storePathOf(m_driverPath), m_target.storeUri(),
                            lastLines(lines->recent().toLocal8Bit())));
                return;
            }
            sendAgent();
        });
    connect(copy, &QProcess::errorOccurred, this, [this, copy](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart)
            abort(QStringLiteral("cannot run nix: %1").arg(copy->errorString()));
    });
    copy->start();
}

void RemoteDriverProcess::step(const QString &what)
{
    Q_EMIT progress(QStringLiteral("%1: %2").arg(m_target.uri(), what));
}

void RemoteDriverProcess::sendAgent()
{
    // The agent is data of ours, not a store path: a tar stream over the
    // channel, into the run's directory on the host.
    step(QStringLiteral("sending the debug agent"));
    auto tar = std::make_unique<QProcess>();
    tar->setProgram(QStringLiteral("tar"));
    tar->setArguments({QStringLiteral("-C"), m_agentDir, QStringLiteral("--exclude=__pycache__"),
        QStringLiteral("-cf"), QStringLiteral("-"), QStringLiteral(".")});
    QProcess *unpack = helper(
        m_ssh.command({QStringLiteral("sh"), QStringLiteral("-c"), QString::fromLatin1(kMakeDir)}));
    QProcess *pack = helper(std::move(tar));
    pack->setStandardOutputProcess(unpack);
    connect(
        unpack, &QProcess::finished, this, [this, unpack](int code, QProcess::ExitStatus status) {
            const QString dir = QString::fromLocal8Bit(unpack->readAllStandardOutput()).trimmed();
            if (code != 0 || status != QProcess::NormalExit || !dir.startsWith(QLatin1Char('/'))) {
                abort(QStringLiteral("cannot make a run directory on %1: %2")
                        .arg(m_target.uri(), lastLines(unpack->readAllStandardError())));
                return;
            }
            m_hostDir = dir;
            launch();
        });
    unpack->start();
    pack->start();
}

void RemoteDriverProcess::launch()
{
    step(QStringLiteral("starting the driver in %1").arg(m_hostDir));
    const QString stateDir = m_hostDir + QStringLiteral("/tmp");
    const QString hostSocket = m_hostDir + QStringLiteral("/agent.sock");
    QStringList command {QStringLiteral("sh"), QStringLiteral("-c"), QString::fromLatin1(kWrapper),
        QStringLiteral("nixtide-driver"), m_hostDir, QString::number(qMax(1, m_stopGraceMs / 100)),
        QStringLiteral("env"),
        QStringLiteral("PYTHONPATH=") + m_hostDir + QStringLiteral("/agent/inject"),
        QStringLiteral("NIXTIDE_AGENT_SOCKET=") + hostSocket,
        // As DriverProcess does: the run's own TMPDIR and runtime dir, and
        // print() reaching us while the script is stopped.
        QStringLiteral("TMPDIR=") + stateDir, QStringLiteral("XDG_RUNTIME_DIR=") + stateDir,
        QStringLiteral("PYTHONUNBUFFERED=1"), QStringLiteral("sh"), QStringLiteral("-c"),
        QStringLiteral("mkdir -p \"$TMPDIR\" && exec \"$@\""), QStringLiteral("nixtide-driver"),
        m_driverPath};
    command += m_arguments;
    m_driver = m_ssh.command(command);
    connect(m_driver.get(), &QProcess::readyReadStandardOutput, this,
        [this] { readChannel(QProcess::StandardOutput); });
    connect(m_driver.get(), &QProcess::readyReadStandardError, this,
        [this] { readChannel(QProcess::StandardError); });
    connect(m_driver.get(), &QProcess::finished, this, &RemoteDriverProcess::onDriverFinished);
    connect(m_driver.get(), &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart)
            abort(QStringLiteral("cannot run ssh: %1").arg(m_driver->errorString()));
    });
    // The channel's stdin stays open for the whole run: its end is the
    // host's signal to stop (see kWrapper).
    m_driver->start();
    whenHostSocketExists(hostSocket, [this, hostSocket] {
        const QString local = m_dir.path() + QStringLiteral("/agent.sock");
        m_ssh.forwardUnixSocket(local, hostSocket, [this, local](bool ok, const QString &error) {
            if (!ok) {
                abort(error);
                return;
            }
            m_agentSocket = local;
            m_starting = false;
            Q_EMIT started();
        });
    });
}

void RemoteDriverProcess::whenHostSocketExists(const QString &path, std::function<void()> then)
{
    // A forward to a socket nobody listens on yet would accept here and
    // drop at once; the connector and VNC retry only on a missing file.
    QProcess *wait = helper(m_ssh.command({QStringLiteral("sh"), QStringLiteral("-c"),
        QString::fromLatin1(kWaitForSocket), QStringLiteral("nixtide-wait"), path}));
    wait->setStandardInputFile(QProcess::nullDevice());
    connect(wait, &QProcess::finished, this, [then](int code, QProcess::ExitStatus status) {
        if (code == 0 && status == QProcess::NormalExit)
            then();
    });
    wait->start();
}

QString RemoteDriverProcess::reachableSocket(const QString &driverPath)
{
    if (driverPath.isEmpty())
        return {};
    if (m_reachable.contains(driverPath))
        return m_reachable.value(driverPath);
    if (m_pending.contains(driverPath) || !m_ssh.isOpen())
        return {};
    m_pending.insert(driverPath);
    const QString local
        = QStringLiteral("%1/socket-%2.sock").arg(m_dir.path()).arg(m_pending.size());
    whenHostSocketExists(driverPath, [this, driverPath, local] {
        m_ssh.forwardUnixSocket(
            local, driverPath, [this, driverPath, local](bool ok, const QString &error) {
                if (!ok) {
                    Q_EMIT stderrLine(QStringLiteral("nixtide: ") + error);
                    return;
                }
                m_reachable.insert(driverPath, local);
                Q_EMIT socketReachable(driverPath, local);
            });
    });
    return {};
}

void RemoteDriverProcess::fetchFile(const QString &driverPath)
{
    const QString local = QStringLiteral("%1/file-%2-%3")
                              .arg(m_dir.path())
                              .arg(++m_fetched)
                              .arg(QFileInfo(driverPath).fileName());
    QProcess *cat
        = helper(m_ssh.command({QStringLiteral("cat"), QStringLiteral("--"), driverPath}));
    cat->setStandardInputFile(QProcess::nullDevice());
    cat->setStandardOutputFile(local);
    ++m_fetching;
    connect(cat, &QProcess::finished, this,
        [this, driverPath, local](int code, QProcess::ExitStatus status) {
            const bool ok = code == 0 && status == QProcess::NormalExit;
            --m_fetching;
            Q_EMIT fileFetched(driverPath, ok ? local : QString());
            if (m_fetching == 0 && m_driverExited && m_driver)
                m_driver->closeWriteChannel();
            if (m_fetching == 0 && m_exit)
                finish();
        });
    cat->start();
}

void RemoteDriverProcess::abort(const QString &message)
{
    if (!m_starting)
        return;
    m_starting = false;
    stopHelpers();
    if (m_driver)
        m_driver->disconnect(this);
    m_ssh.close();
    Q_EMIT failedToStart(message);
}

void RemoteDriverProcess::stop()
{
    if (!isRunning() || m_stopping)
        return;
    m_stopping = true;
    m_driver->closeWriteChannel();
}

void RemoteDriverProcess::killGroup()
{
    if (isRunning())
        m_driver->write("kill\n");
}

bool RemoteDriverProcess::isRunning() const
{
    return m_driver && m_driver->state() != QProcess::NotRunning;
}

QString RemoteDriverProcess::recentOutput() const
{
    return m_output.recent();
}

void RemoteDriverProcess::readChannel(QProcess::ProcessChannel channel, bool flush)
{
    m_driver->setReadChannel(channel);
    for (QString line : m_output.take(channel, m_driver->readAll(), flush)) {
        const qsizetype marker = channel == QProcess::StandardError && !m_hostDir.isEmpty()
            ? line.indexOf(exitMarker())
            : -1;
        if (marker >= 0) {
            onHostDriverExited();
            line.truncate(marker);
            if (line.isEmpty())
                continue;
        }
        m_output.remember(line);
        if (channel == QProcess::StandardOutput)
            Q_EMIT stdoutLine(line);
        else
            Q_EMIT stderrLine(line);
    }
}

QString RemoteDriverProcess::exitMarker() const
{
    return QStringLiteral("nixtide-remote-exit:%1:").arg(m_hostDir);
}

void RemoteDriverProcess::onHostDriverExited()
{
    // The driver and its group are gone on the host; the channel (and
    // with it the run directory) is closed once the files are here.
    m_driverExited = true;
    if (m_fetching == 0 && m_driver)
        m_driver->closeWriteChannel();
}

void RemoteDriverProcess::onDriverFinished(int exitCode, QProcess::ExitStatus status)
{
    readChannel(QProcess::StandardOutput, true);
    readChannel(QProcess::StandardError, true);
    if (m_starting) {
        stopHelpers();
        m_starting = false;
        m_ssh.close();
        Q_EMIT failedToStart(QStringLiteral("the driver on %1 exited (%2) before its agent "
                                            "listened:\n%3")
                .arg(m_target.uri())
                .arg(exitCode)
                .arg(recentOutput()));
        return;
    }
    // The driver's channel ends with ssh's own 255 when the master dies;
    // which of the two ends QProcess reports first varies (under load the
    // channel's often came first, and the loss was never told). A killed
    // master's sockets close before the kernel has made it a zombie, so the
    // channel can even end while the master still looks alive: its end is
    // waited for a moment.
    if (!m_lost && exitCode == 255 && status == QProcess::NormalExit && !m_ssh.masterHasEnded()) {
        m_channelEnd = {exitCode, status};
        m_masterGrace.start();
        return;
    }
    concludeDriverEnd(exitCode, status);
}

void RemoteDriverProcess::concludeWaitingChannelEnd()
{
    if (!m_channelEnd)
        return;
    m_masterGrace.stop();
    const auto [exitCode, status] = *std::exchange(m_channelEnd, std::nullopt);
    concludeDriverEnd(exitCode, status);
}

void RemoteDriverProcess::concludeDriverEnd(int exitCode, QProcess::ExitStatus status)
{
    // The loss goes out before the end, as when the master's end comes first.
    if (!m_lost && exitCode == 255 && m_ssh.masterHasEnded()) {
        m_lost = true;
        Q_EMIT connectionLost(QStringLiteral("the connection to %1 was lost").arg(m_target.uri()));
    }
    // The wrapper exits with the driver's status: above 128 a signal ended
    // it; ssh's own 255 with the master gone is the connection.
    const bool crashed = status != QProcess::NormalExit || m_lost || exitCode > 128;
    m_exit = {crashed ? -1 : exitCode, crashed};
    // A screenshot taken as the script ended is still on its way here.
    if (m_fetching == 0)
        finish();
}

void RemoteDriverProcess::finish()
{
    const auto [exitCode, crashed] = *m_exit;
    m_exit.reset();
    stopHelpers();
    m_ssh.close();
    Q_EMIT finished(exitCode, crashed);
}

void RemoteDriverProcess::stopHelpers()
{
    for (const std::unique_ptr<QProcess> &process : m_helpers) {
        process->disconnect(this);
        process->kill();
        process->waitForFinished(1000);
    }
    m_helpers.clear();
    m_fetching = 0;
}

} // namespace nixtide
