#include "core/nix/nixbuild.h"

#include "core/nix/nixcommand.h"

#include <QDateTime>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <csignal>
#include <sys/prctl.h>
#include <unistd.h>

namespace nixtide {

namespace {

// Cancel: Nix stops its builders on SIGINT; whatever still lives after
// this grace period is killed with the whole process group.
constexpr int kKillGraceMs = 3000;
// How often Nix's descendants are looked up while it builds (a /proc scan,
// a millisecond or two); also whenever a builder prints its first line.
constexpr int kTreeRefreshMs = 1000;

} // namespace

NixBuild::NixBuild(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<nixtide::NixProgress>();
    qRegisterMetaType<nixtide::NixBuildResult>();
    m_killTimer.setSingleShot(true);
    connect(&m_killTimer, &QTimer::timeout, this, [this] { killGroup(SIGKILL); });
    m_treeTimer.setInterval(kTreeRefreshMs);
    connect(&m_treeTimer, &QTimer::timeout, this, &NixBuild::rememberDescendants);
}

NixBuild::~NixBuild()
{
    if (isRunning()) {
        disconnect(m_process.get(), nullptr, this, nullptr);
        killGroup(SIGINT);
        if (!m_process->waitForFinished(kKillGraceMs)) {
            killGroup(SIGKILL);
            m_process->waitForFinished(1000);
        }
    }
}

bool NixBuild::isRunning() const
{
    return m_process && m_process->state() != QProcess::NotRunning;
}

void NixBuild::start(const TestRef &ref, const QString &attribute)
{
    if (isRunning()) {
        qWarning("NixBuild::start: a build is already running");
        return;
    }
    m_ref = ref;
    m_parser = NixLogParser();
    m_parser.mapPath = [this](const QString &f) { return NixCommand::mapStorePath(m_ref, f); };
    m_parser.onProgress = [this](const NixProgress &p) { Q_EMIT progress(p); };
    m_parser.onLogLine = [this](const QString &drv, const QString &line) {
        if (!m_loggingDerivations.contains(drv)) {
            m_loggingDerivations.insert(drv);
            rememberDescendants();
        }
        Q_EMIT buildLogLine(drv, line);
        Q_EMIT logLine(drv + QStringLiteral("> ") + line);
    };
    m_parser.onMessage = [this](const QString &text) { Q_EMIT logLine(text); };
    m_stderrBuffer.clear();
    m_cancelled = false;
    m_descendants.clear();
    m_loggingDerivations.clear();
    m_startedMs = QDateTime::currentMSecsSinceEpoch();

    NixBuildResult early;
    if (ref.kind == TestRef::Kind::Bundle) {
        early.ok = true;
        early.outPath = ref.path;
    } else if (!ref.sourceFile().isEmpty() && !QFileInfo::exists(ref.path)) {
        early.error.kind = NixError::Kind::FileMissing;
        early.error.file = ref.path;
        early.error.message = QStringLiteral("%1: no such file").arg(ref.path);
    } else if (NixCommand::program().isEmpty()) {
        early.error = NixCommand::missingNixError();
    } else {
        early.error.kind = NixError::Kind::Other; // marker: go on and build
    }
    if (early.ok || early.error.kind != NixError::Kind::Other) {
        QTimer::singleShot(0, this, [this, early] { finish(early); });
        return;
    }

    m_lastArgs = NixCommand::commonArgs();
    m_lastArgs << QStringLiteral("build") << QStringLiteral("--log-format")
               << QStringLiteral("internal-json") << QStringLiteral("--no-link")
               << QStringLiteral("--json") << m_extraArgs
               << NixCommand::buildInstallable(ref, attribute);

    m_process = std::make_unique<QProcess>();
    // Own process group so cancel() reaches Nix's helpers; Nix dies with us.
    m_process->setChildProcessModifier([] {
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    });
    connect(m_process.get(), &QProcess::readyReadStandardError, this, &NixBuild::onReadyReadStderr);
    connect(m_process.get(), &QProcess::finished, this, &NixBuild::onFinished);
    connect(m_process.get(), &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e != QProcess::FailedToStart)
            return;
        NixBuildResult r;
        r.error = NixCommand::missingNixError();
        r.error.message += QStringLiteral(" (") + m_process->errorString() + u')';
        finish(r);
    });
    m_process->start(NixCommand::program(), m_lastArgs);
    m_pid = m_process->processId();
    m_treeTimer.start();
}

void NixBuild::rememberDescendants()
{
    if (m_pid > 0)
        m_descendants = ProcessTree::descendants(pid_t(m_pid));
}

void NixBuild::cancel()
{
    if (!isRunning())
        return;
    m_cancelled = true;
    killGroup(SIGINT);
    m_killTimer.start(kKillGraceMs);
}

void NixBuild::killGroup(int signal)
{
    if (m_pid > 0)
        ::kill(-pid_t(m_pid), signal);
}

void NixBuild::onReadyReadStderr()
{
    m_stderrBuffer += m_process->readAllStandardError();
    int nl;
    while ((nl = int(m_stderrBuffer.indexOf('\n'))) >= 0) {
        m_parser.feed(m_stderrBuffer.left(nl));
        m_stderrBuffer.remove(0, nl + 1);
    }
}

void NixBuild::onFinished(int exitCode, QProcess::ExitStatus status)
{
    onReadyReadStderr();
    if (!m_stderrBuffer.isEmpty())
        m_parser.feed(m_stderrBuffer);
    m_stderrBuffer.clear();
    // Whatever Nix left in its group (it should leave nothing) goes too,
    // and so do builders of a Nix that was killed: they are in sessions of
    // their own, which only Nix itself would have ended.
    killGroup(SIGKILL);
    m_killTimer.stop();
    m_treeTimer.stop();
    if (status == QProcess::CrashExit)
        ProcessTree::signalIfUnchanged(m_descendants, SIGKILL);
    m_descendants.clear();

    NixBuildResult result;
    const QJsonArray built = QJsonDocument::fromJson(m_process->readAllStandardOutput()).array();
    if (status == QProcess::NormalExit && exitCode == 0 && !built.isEmpty()) {
        const QJsonObject first = built.at(0).toObject();
        result.ok = true;
        result.drvPath = first.value(QLatin1StringView("drvPath")).toString();
        result.outPath = first.value(QLatin1StringView("outputs"))
                             .toObject()
                             .value(QLatin1StringView("out"))
                             .toString();
    } else if (m_cancelled) {
        result.error.kind = NixError::Kind::Cancelled;
        result.error.message = QStringLiteral("build cancelled");
    } else if (status == QProcess::CrashExit) {
        // Killed from outside (or crashed): what Nix printed last is not why
        // it stopped, but it stays in the details.
        const NixError printed = m_parser.error();
        result.error.kind = NixError::Kind::Other;
        result.error.message
            = QStringLiteral("nix was killed (or crashed) before the build finished");
        result.error.details = printed.details.isEmpty() ? printed.message : printed.details;
    } else {
        result.error = m_parser.error();
        if (result.error.kind == NixError::Kind::None) {
            result.error.kind = NixError::Kind::Other;
            result.error.message
                = QStringLiteral("nix build failed with exit code %1").arg(exitCode);
        }
    }
    finish(result);
}

void NixBuild::finish(NixBuildResult result)
{
    result.elapsedMs = QDateTime::currentMSecsSinceEpoch() - m_startedMs;
    m_pid = 0;
    Q_EMIT finished(result);
}

} // namespace nixtide
