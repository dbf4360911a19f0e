#include "core/cli/suitebuild.h"

#include "core/nix/nixcommand.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTimer>

#include <csignal>
#include <sys/prctl.h>
#include <unistd.h>

namespace nixtide::cli {

namespace {

// Nix's activity and result types (libutil/logging.hh), stable since 2.0.
constexpr int kActCopyPath = 100;
constexpr int kActBuilds = 104;
constexpr int kActBuild = 105;
constexpr int kResProgress = 105;
constexpr int kKillGraceMs = 3000;

QString stripAnsi(QString text)
{
    static const QRegularExpression ansi(QStringLiteral("\x1b\\[[0-9;]*[A-Za-z]"));
    return text.remove(ansi);
}

QString nixStore()
{
    // nix-store comes with nix: the one next to the `nix` in use.
    const QString nix = NixCommand::program();
    const QString sibling = QFileInfo(nix).dir().filePath(QStringLiteral("nix-store"));
    return QFileInfo(sibling).isExecutable() ? sibling : QStringLiteral("nix-store");
}

void startInGroup(QProcess &process)
{
    // Own process group so cancel() reaches Nix's helpers (the build hook,
    // ssh, builders); Nix dies with us.
    process.setChildProcessModifier([] {
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    });
}

} // namespace

QString SuiteTestState::name(State state)
{
    switch (state) {
    case State::Queued:
        return QStringLiteral("queued");
    case State::Running:
        return QStringLiteral("running");
    case State::Passed:
        return QStringLiteral("PASS");
    case State::Failed:
        return QStringLiteral("FAIL");
    case State::DependencyFailed:
        return QStringLiteral("FAIL (dependency)");
    case State::NotBuilt:
        return QStringLiteral("NOT RUN");
    case State::EvalFailed:
        return QStringLiteral("EVAL ERROR");
    }
    return {};
}

SuiteBuild::SuiteBuild(const QList<SuiteTest> &tests, QObject *parent)
    : QObject(parent)
    , m_tests(tests)
    , m_states(tests.size())
{
    for (int i = 0; i < m_tests.size(); ++i) {
        if (!m_tests.at(i).drvPath.isEmpty())
            m_byDrv.insert(m_tests.at(i).drvPath, i);
        if (!m_tests.at(i).outPath.isEmpty())
            m_byOut.insert(m_tests.at(i).outPath, i);
    }
}

SuiteBuild::~SuiteBuild()
{
    if (m_nix && m_nix->state() != QProcess::NotRunning) {
        disconnect(m_nix.get(), nullptr, this, nullptr);
        ::kill(-pid_t(m_pid), SIGINT);
        if (!m_nix->waitForFinished(kKillGraceMs))
            ::kill(-pid_t(m_pid), SIGKILL);
        m_nix->waitForFinished(1000);
    }
}

void SuiteBuild::start()
{
    m_clock.start();
    QList<int> evaluated;
    for (int i = 0; i < m_tests.size(); ++i) {
        if (m_tests.at(i).drvPath.isEmpty())
            setState(i, SuiteTestState::State::EvalFailed, m_tests.at(i).evalError);
        else
            evaluated.append(i);
    }
    if (evaluated.isEmpty()) {
        m_nixDone = true;
        QTimer::singleShot(0, this, &SuiteBuild::finishAll);
        return;
    }
    // Results already in the store passed: Nix would not run them again.
    checkOutputs(evaluated, false);
}

void SuiteBuild::startNix()
{
    QStringList installables;
    for (int i = 0; i < m_tests.size(); ++i) {
        if (m_states.at(i).state == SuiteTestState::State::Queued)
            installables.append(m_tests.at(i).drvPath + QStringLiteral("^*"));
    }
    if (installables.isEmpty()) {
        m_nixDone = true;
        finishAll();
        return;
    }
    m_lastArgs = NixCommand::commonArgs();
    m_lastArgs << QStringLiteral("build") << QStringLiteral("--no-link")
               << QStringLiteral("--keep-going") << QStringLiteral("--log-format")
               << QStringLiteral("internal-json") << m_nixArgs << installables;
    m_nix = std::make_unique<QProcess>();
    startInGroup(*m_nix);
    m_nix->setStandardOutputFile(QProcess::nullDevice());
    connect(m_nix.get(), &QProcess::readyReadStandardError, this, &SuiteBuild::onStderr);
    connect(m_nix.get(), &QProcess::finished, this, &SuiteBuild::onNixFinished);
    connect(m_nix.get(), &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e != QProcess::FailedToStart)
            return;
        m_nixErrors.append(NixCommand::missingNixError().message);
        onNixFinished(127, QProcess::CrashExit);
    });
    m_nix->start(NixCommand::program(), m_lastArgs);
    m_pid = m_nix->processId();
}

void SuiteBuild::cancel()
{
    m_cancelled = true;
    if (m_pid <= 0)
        return;
    ::kill(-pid_t(m_pid), SIGINT);
    const qint64 pid = m_pid;
    QTimer::singleShot(kKillGraceMs, this, [this, pid] {
        if (m_pid == pid)
            ::kill(-pid_t(pid), SIGKILL);
    });
}

void SuiteBuild::onStderr()
{
    m_stderr += m_nix->readAllStandardError();
    int nl;
    while ((nl = int(m_stderr.indexOf('\n'))) >= 0) {
        feedLine(m_stderr.left(nl));
        m_stderr.remove(0, nl + 1);
    }
}

void SuiteBuild::feedLine(const QByteArray &line)
{
    if (!line.startsWith("@nix ")) {
        const QString text = stripAnsi(QString::fromUtf8(line)).trimmed();
        if (text.startsWith(QLatin1StringView("error:")))
            handleMessage(text);
        return;
    }
    const QJsonDocument doc = QJsonDocument::fromJson(line.mid(5));
    if (doc.isObject())
        handle(doc.object());
}

void SuiteBuild::handle(const QJsonObject &o)
{
    const QString action = o.value(QLatin1StringView("action")).toString();
    const qint64 id = o.value(QLatin1StringView("id")).toInteger();
    const int type = o.value(QLatin1StringView("type")).toInt();
    const QJsonArray fields = o.value(QLatin1StringView("fields")).toArray();
    if (action == QLatin1StringView("msg")) {
        if (o.value(QLatin1StringView("level")).toInt() == 0)
            handleMessage(stripAnsi(o.value(QLatin1StringView("msg")).toString()));
        return;
    }
    if (action == QLatin1StringView("start")) {
        if (type == kActBuilds) {
            m_buildsActivity = id;
        } else if (type == kActBuild) {
            const int index = m_byDrv.value(fields.at(0).toString(), -1);
            if (index < 0)
                return;
            m_activityTest.insert(id, index);
            // A build sent to a remote builder shows twice: ours, naming
            // the machine, then the builder's own (no machine) under it.
            if (m_states.at(index).state == SuiteTestState::State::Queued) {
                const QString machine = fields.at(1).toString();
                m_states[index].machine = machine.isEmpty() ? QStringLiteral("local") : machine;
                m_states[index].startedMs = m_clock.elapsed();
                setState(index, SuiteTestState::State::Running);
            }
        } else if (type == kActCopyPath && fields.at(2).toString() == QLatin1StringView("local")) {
            // A builder's output copied back: that build succeeded.
            const int index = m_byOut.value(fields.at(0).toString(), -1);
            if (index >= 0 && m_states.at(index).state == SuiteTestState::State::Running)
                setState(index, SuiteTestState::State::Passed);
        }
        return;
    }
    if (action == QLatin1StringView("result") && type == kResProgress && id == m_buildsActivity) {
        // One more derivation built: if it was a running test's, its
        // output is valid now (a local build says nothing else).
        const int done = int(fields.at(0).toInteger());
        if (done <= m_buildsDone)
            return;
        m_buildsDone = done;
        QList<int> running;
        for (int i = 0; i < m_states.size(); ++i) {
            if (m_states.at(i).state == SuiteTestState::State::Running)
                running.append(i);
        }
        if (!running.isEmpty())
            checkOutputs(running, false);
    }
}

void SuiteBuild::handleMessage(const QString &text)
{
    static const QRegularExpression builderFailed(
        QStringLiteral("(?:builder for|build of) '(/nix/store/[^' ]+\\.drv)'(?: on '[^']*')? "
                       "failed"));
    static const QRegularExpression dependencyFailed(QStringLiteral(
        "(?:dependencies of derivation|[Cc]annot build) '(/nix/store/[^' ]+\\.drv)'"));
    const QString first
        = text.section(u'\n', 0, 0).remove(QRegularExpression(QStringLiteral("^error:\\s*")));
    const QRegularExpressionMatch built = builderFailed.match(text);
    if (built.hasMatch() && m_byDrv.contains(built.captured(1))) {
        const int index = m_byDrv.value(built.captured(1));
        // Nix names the .drv (twice for a remote build): the exit code is the news.
        static const QRegularExpression exitCode(QStringLiteral("failed with (exit code \\d+)"));
        const QRegularExpressionMatch code = exitCode.match(text);
        if (!m_states.at(index).isFinal())
            setState(index, SuiteTestState::State::Failed,
                code.hasMatch() ? QStringLiteral("builder failed with ") + code.captured(1)
                                : first);
        return;
    }
    const QRegularExpressionMatch dependency = dependencyFailed.match(text);
    if (dependency.hasMatch() && m_byDrv.contains(dependency.captured(1))) {
        const int index = m_byDrv.value(dependency.captured(1));
        if (!m_states.at(index).isFinal())
            setState(index, SuiteTestState::State::DependencyFailed, first);
        return;
    }
    // The summary ("build of 'a^out', 'b^out' failed") repeats what was said.
    if (text.contains(QLatin1StringView("^out'")) || text.contains(QLatin1StringView("^*'")))
        return;
    m_nixErrors.append(text.trimmed());
}

void SuiteBuild::setState(int index, SuiteTestState::State state, const QString &message)
{
    SuiteTestState &s = m_states[index];
    s.state = state;
    if (!message.isEmpty())
        s.message = message;
    if (s.isFinal())
        s.finishedMs = m_clock.elapsed();
    Q_EMIT testChanged(index);
}

void SuiteBuild::checkOutputs(const QList<int> &indexes, bool atEnd)
{
    QStringList paths;
    for (int i : indexes)
        paths.append(m_tests.at(i).outPath);
    auto *check = new QProcess(this);
    ++m_pendingChecks;
    connect(check, &QProcess::finished, this, [this, check, indexes, atEnd](int code) {
        check->deleteLater();
        --m_pendingChecks;
        const QStringList invalid
            = QString::fromUtf8(check->readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts);
        const bool started = m_nix != nullptr;
        for (int i : indexes) {
            if (m_states.at(i).isFinal())
                continue;
            if (code == 0 && !invalid.contains(m_tests.at(i).outPath)) {
                if (!started) {
                    m_states[i].cached = true;
                    m_states[i].machine = QStringLiteral("store");
                    m_states[i].startedMs = m_clock.elapsed();
                }
                setState(i, SuiteTestState::State::Passed);
            } else if (atEnd) {
                // Nix's first complaint says why (an unreachable builder…).
                QString why = m_nixErrors.isEmpty() ? QString() : m_nixErrors.first().simplified();
                why.remove(QRegularExpression(QStringLiteral("^error:\\s*")));
                setState(i, SuiteTestState::State::NotBuilt,
                    why.isEmpty() ? QStringLiteral("nix build exited with code %1").arg(m_exitCode)
                                  : why.left(300));
            }
        }
        if (!started && m_cancelled) {
            for (int i = 0; i < m_states.size(); ++i) {
                if (!m_states.at(i).isFinal())
                    setState(i, SuiteTestState::State::NotBuilt, QStringLiteral("cancelled"));
            }
            m_nixDone = true;
        } else if (!started) {
            startNix();
            return;
        }
        if (m_nixDone && m_pendingChecks == 0)
            finishAll();
    });
    check->start(nixStore(),
        QStringList {QStringLiteral("--check-validity"), QStringLiteral("--print-invalid")}
            + paths);
}

void SuiteBuild::onNixFinished(int exitCode, QProcess::ExitStatus status)
{
    if (m_nix && m_nix->state() == QProcess::NotRunning) {
        m_stderr += m_nix->readAllStandardError();
        if (!m_stderr.isEmpty())
            feedLine(m_stderr);
        m_stderr.clear();
    }
    // Whatever Nix left in its group (it should leave nothing) goes too.
    if (m_pid > 0)
        ::kill(-pid_t(m_pid), SIGKILL);
    m_pid = 0;
    m_exitCode = status == QProcess::NormalExit ? exitCode : -1;
    m_nixDone = true;
    QList<int> open;
    for (int i = 0; i < m_states.size(); ++i) {
        if (!m_states.at(i).isFinal())
            open.append(i);
    }
    if (open.isEmpty()) {
        if (m_pendingChecks == 0)
            finishAll();
        return;
    }
    checkOutputs(open, true);
}

void SuiteBuild::finishAll()
{
    Q_EMIT finished();
}

} // namespace nixtide::cli
