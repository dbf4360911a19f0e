#include "ui/window/sessioncontroller.h"

#include "core/nix/driversymbols.h"
#include "core/nix/nixbuild.h"
#include "core/nix/progressformat.h"
#include "core/session/buildcache.h"
#include "core/session/testresolver.h"
#include "ui/docks/buildoutputview.h"
#include "ui/docks/replwidget.h"
#include "ui/editor/editorarea.h"
#include "ui/editor/scripteditor.h"
#include "ui/machines/machinepanel.h"
#include "ui/window/debugactions.h"
#include "ui/window/sessionview.h"
#include "ui/window/sessionwindow.h"
#include "ui/window/testselector.h"

#include <QCloseEvent>
#include <QFile>
#include <QFileInfo>
#include <QMessageBox>

#include <utility>

namespace nixtide {

namespace {

// The terminate request lets the driver shut its VMs down; after this the
// window kills what is left and closes anyway.
constexpr int kCloseGraceMs = 20000;

SessionState fromSession(DebugSession::State state)
{
    switch (state) {
    case DebugSession::State::Idle:
        return SessionState::Idle;
    case DebugSession::State::Starting:
        return SessionState::Starting;
    case DebugSession::State::Running:
        return SessionState::Running;
    case DebugSession::State::Stopped:
        return SessionState::Stopped;
    case DebugSession::State::Terminated:
        return SessionState::Terminated;
    }
    return SessionState::Idle;
}

QString readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

// Lines selected inside the Nix string keep its indentation; Python wants
// the block at column 0 (textwrap.dedent).
QString dedent(const QString &code)
{
    const QStringList lines = code.split(u'\n');
    qsizetype common = -1;
    for (const QString &line : lines) {
        if (line.trimmed().isEmpty())
            continue;
        qsizetype indent = 0;
        while (indent < line.size() && (line.at(indent) == u' ' || line.at(indent) == u'\t'))
            ++indent;
        common = common < 0 ? indent : std::min(common, indent);
    }
    if (common <= 0)
        return code;
    QStringList out;
    for (const QString &line : lines)
        out.append(line.mid(std::min(common, line.size())));
    return out.join(u'\n');
}

// Build Output takes raw text; Nix's and the driver's lines come without
// their newline.
void appendLine(BuildOutputView *view, const QString &line)
{
    view->appendText(line.endsWith(u'\n') ? line : line + u'\n');
}

} // namespace

SessionController::SessionController(SessionWindow *window)
    : QObject(window)
    , m_window(window)
{
    DebugActions *actions = window->debugActions();
    connect(actions, &DebugActions::runRequested, this, &SessionController::run);
    connect(actions, &DebugActions::continueRequested, this, &SessionController::continueExecution);
    connect(actions, &DebugActions::stopRequested, this, &SessionController::stop);
    connect(actions, &DebugActions::cancelBuildRequested, this, &SessionController::cancelBuild);
    connect(
        actions, &DebugActions::restartScriptRequested, this, &SessionController::restartScript);
    connect(actions, &DebugActions::pauseRequested, this, &SessionController::pause);
    connect(actions, &DebugActions::stepOverRequested, this, &SessionController::stepOver);
    connect(actions, &DebugActions::stepInRequested, this, &SessionController::stepIn);
    connect(actions, &DebugActions::stepOutRequested, this, &SessionController::stepOut);
    connect(window, &SessionWindow::runToCursorRequested, this, &SessionController::runToCursor);
    connect(window, &SessionWindow::setNextStatementRequested, this,
        &SessionController::setNextStatement);
    connect(window, &SessionWindow::runSelectionRequested, this, &SessionController::runSelection);
    window->installEventFilter(this);

    m_askClose = [this] {
        return QMessageBox::question(m_window, tr("Close nixtide"),
                   tr("The test is paused. Closing stops it and shuts its VMs down.\n\nStop "
                      "the test and close?"),
                   QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel)
            == QMessageBox::Yes;
    };
    m_closeKillTimer.setSingleShot(true);
    connect(&m_closeKillTimer, &QTimer::timeout, this, [this] {
        if (m_session)
            m_session->kill();
    });
}

SessionController::~SessionController()
{
    // The window's docks may be gone already: nothing the session says
    // while it dies (its driver group is killed) may reach them.
    if (m_session)
        m_session->disconnect();
    if (m_resolver)
        m_resolver->disconnect();
    m_view.reset();
    m_session.reset();
}

bool SessionController::sessionLive() const
{
    return m_session && m_session->state() != DebugSession::State::Idle
        && m_session->state() != DebugSession::State::Terminated;
}

void SessionController::setState(SessionState state)
{
    if (m_state == state)
        return;
    m_state = state;
    m_window->setSessionState(state);
    if (state != SessionState::Running)
        m_window->debugActions()->setScriptFinished(false);
    Q_EMIT stateChanged(state);
}

void SessionController::say(const QString &message)
{
    m_notice = message;
    m_window->showStatus(message);
    appendLine(m_window->buildOutput(), message);
    Q_EMIT notice(message);
}

void SessionController::discardSession()
{
    if (m_session)
        m_session->disconnect(this);
    m_window->showMachinesOf(nullptr);
    m_view.reset();
    m_session.reset();
}

void SessionController::run()
{
    if (m_state == SessionState::Building || sessionLive())
        return;
    // F5 runs the test in front: a test file's tab brought forward while
    // the last session ran is what the user means now.
    ScriptEditor *front = m_window->editorArea()->currentEditor();
    if (TestSelector::holdsTest(front) && front->filePath() != m_window->testPath()) {
        QString error;
        if (!m_window->openTest(front->filePath(), &error)) {
            say(error);
            return;
        }
    }
    m_testPath = m_window->testPath();
    if (m_testPath.isEmpty()) {
        say(tr("No test is open."));
        return;
    }
    discardSession();
    m_stopRequested = false;
    m_window->buildOutput()->clear();
    if (!m_rebuildReason.isEmpty())
        appendLine(
            m_window->buildOutput(), tr("Rebuilding after an edit: %1").arg(m_rebuildReason));
    if (ScriptEditor *editor = m_window->editorArea()->editorFor(m_testPath)) {
        editor->clearErrors();
        // Nix builds the file on disk: what the editor shows must be there.
        if (editor->isModified()) {
            QString error;
            if (!editor->save(&error)) {
                say(tr("Cannot save %1 before building: %2").arg(m_testPath, error));
                return;
            }
            say(tr("Saved %1 before building.").arg(QFileInfo(m_testPath).fileName()));
        }
    }
    m_builtSource = BuiltSource {readFile(m_testPath), {}};
    m_window->raiseDock(SessionWindow::Dock::BuildOutput);

    m_resolver = std::make_unique<TestResolver>();
    connect(m_resolver.get(), &TestResolver::progressMessage, this, &SessionController::say);
    connect(m_resolver.get(), &TestResolver::warning, this, &SessionController::say);
    connect(m_resolver.get(), &TestResolver::resolved, this, &SessionController::onResolved);
    connect(m_resolver.get(), &TestResolver::evaluationFailed, this,
        &SessionController::showEvaluationError);
    connect(m_resolver.get(), &TestResolver::failed, this,
        [this](TestResolver::Failure failure, const QString &message) {
            onBuildFailed(failure, message);
        });
    // A .nix file or flake is built by Nix (once the resolver knows what
    // builds a file, which may take a `nix eval`); a bundle directory is not.
    connect(m_resolver.get(), &TestResolver::buildStarted, this, [this](NixBuild *build) {
        connect(build, &NixBuild::progress, this, [this](const NixProgress &p) {
            m_window->setBuildProgress(p.done, p.expected, ProgressFormatter::summary(p));
        });
        // logLine has the builders' lines too, prefixed with the derivation.
        connect(build, &NixBuild::logLine, this,
            [this](const QString &line) { appendLine(m_window->buildOutput(), line); });
        connect(build, &NixBuild::finished, this, &SessionController::onBuildFinished);
    });
    setState(SessionState::Building);
    m_window->setBuildProgress(0, 0, tr("Building %1").arg(QFileInfo(m_testPath).fileName()));
    startEarly();
    // A test chosen inside a file or flake builds by its reference.
    m_resolver->start(m_window->testArgument(), m_attribute);
}

void SessionController::startEarly()
{
    // As `nixtide run` does: the last build's driver starts while Nix
    // checks the test, and is adopted when Nix builds the same bundle.
    m_early.reset();
    // A rebuild after an edit makes another driver: starting the old one
    // would only cost a Python start.
    if (!m_window->runHost().isEmpty() || !m_rebuildReason.isEmpty())
        return;
    m_early = PrestartedDriver::startLastBuild(m_window->testArgument(), m_attribute);
    if (m_early)
        appendLine(m_window->buildOutput(),
            tr("Started the last build's driver while Nix checks the test."));
}

void SessionController::onBuildFinished(const NixBuildResult &result)
{
    // A failed build's bar says so already (onBuildFailed ran first).
    if (result.ok)
        m_window->buildOutput()->setProgress(1, 1);
    if (result.ok || result.error.kind == NixError::Kind::Cancelled)
        return;
    showEvaluationError(result.error);
}

void SessionController::showEvaluationError(const NixError &error)
{
    // An evaluation error points into a file: show it there too.
    if (error.line > 0 && !error.file.isEmpty()) {
        QString openError;
        if (ScriptEditor *editor = m_window->openFile(error.file, &openError)) {
            editor->showError(error.line, error.column, error.message);
            m_window->showLocation(error.file, error.line, error.column);
        }
    }
}

void SessionController::onBuildFailed(TestResolver::Failure failure, const QString &message)
{
    m_window->hideBuildProgress();
    appendLine(m_window->buildOutput(), message);
    m_window->buildOutput()->finish(false);
    m_window->raiseDock(SessionWindow::Dock::BuildOutput);
    m_early.reset();
    setState(SessionState::Idle);
    const QString after = m_rebuildReason.isEmpty()
        ? QString()
        : tr(" (the rebuild after an edit: %1; the old VMs are gone)").arg(m_rebuildReason);
    m_rebuildReason.clear();
    say(failure == TestResolver::Failure::Cancelled
            ? tr("Build cancelled.") + after
            : tr("The build failed: %1").arg(message.section(u'\n', 0, 0)) + after);
}

void SessionController::cancelBuild()
{
    if (m_state == SessionState::Building && m_resolver)
        m_resolver->cancel();
}

void SessionController::onResolved(const LaunchPlan &resolved)
{
    m_window->hideBuildProgress();
    m_window->buildOutput()->finish(true);
    LaunchPlan plan = resolved;
    plan.recordBase = m_recordBase;
    plan.host = m_window->runHost();
    // From now on lint and completion know this driver's own names and
    // methods (read from its package's source: a few ms, no import).
    const QString driverPackage = DriverSymbols::packageDirOf(plan.bundle.driverPath);
    if (!driverPackage.isEmpty()) {
        QString symbolsError;
        const DriverSymbols symbols = DriverSymbols::read(driverPackage, &symbolsError);
        if (!symbols.isEmpty())
            DriverSymbols::setActive(symbols);
    }
    // What a Ctrl+F5 edit is compared with: the located testScript's file
    // as Nix built it, else the whole test file as it was saved.
    if (m_resolver->builtSource().isValid()) {
        m_builtSource = m_resolver->builtSource();
        // The next run starts this build's driver early (startEarly()).
        QString cacheError;
        if (!BuildCache().save(
                m_window->testArgument(), m_attribute, resolved, m_builtSource, &cacheError))
            appendLine(m_window->buildOutput(),
                tr("Cannot remember this build for the next run: %1").arg(cacheError));
    }

    m_session = std::make_unique<DebugSession>();
    // The session sends the window's breakpoints (edits while the test runs
    // too) and writes the debugger's answers back for the editors and the
    // Breakpoints view.
    m_session->setBreakpointStore(m_window->breakpointStore());
    m_view = std::make_unique<SessionView>(m_window, m_session.get());
    m_window->showMachinesOf(m_session.get());
    connect(m_session.get(), &DebugSession::stateChanged, this, &SessionController::onSessionState);
    connect(m_session.get(), &DebugSession::finished, this, &SessionController::onSessionFinished);
    // The run's record says "running", then how it ended (RunRecorder
    // writes it first, on the same signal).
    connect(m_session.get(), &DebugSession::resultChanged, this,
        [this] { m_window->showRecordedResults(m_recordBase); });
    connect(m_session.get(), &DebugSession::errorOccurred, this, &SessionController::say);
    connect(m_session.get(), &DebugSession::driverStuck, this,
        [this](const QString &message) { say(tr("%1: Stop ends the run").arg(message)); });
    connect(m_session.get(), &DebugSession::stopped, this, [this](const QString &reason) {
        // A fix done by hand is this stop's only.
        m_fixedLine = 0;
        if (m_continueAfterGoto) {
            m_continueAfterGoto = false;
            if (reason == QLatin1String("goto")) {
                m_session->continueExecution();
                return;
            }
        }
    });
    connect(m_session.get(), &DebugSession::launchProgress, this, [this](const QString &message) {
        m_window->showStatus(message);
        appendLine(m_window->buildOutput(), message);
    });
    connect(m_session.get(), &DebugSession::driverOutputLine, m_window->buildOutput(),
        [this](const QString &line) { appendLine(m_window->buildOutput(), line); });
    connect(m_view.get(), &SessionView::scriptFinished, this, &SessionController::onScriptFinished);
    if (!m_rebuildReason.isEmpty()) {
        const QString reason = std::exchange(m_rebuildReason, QString());
        m_view->setNextRunNote(tr("rebuilt and rebooted: %1").arg(reason));
        say(tr("Rebuilt after the edit (%1); the test starts again on new VMs.").arg(reason));
    }
    Q_EMIT sessionCreated(m_session.get());
    std::optional<PrestartedDriver::Handover> early;
    if (m_early) {
        QString why;
        early = m_early->take(plan, &why);
        if (!early)
            appendLine(m_window->buildOutput(),
                tr("Not using the driver started early: %1; stopping it.").arg(why));
        m_early.reset();
    }
    if (!m_session->start(plan, std::move(early))) {
        say(tr("The test could not start: %1").arg(m_session->error()));
        setState(SessionState::Terminated);
        return;
    }
    m_window->raiseDock(SessionWindow::Dock::Log);
}

void SessionController::onSessionState(DebugSession::State state)
{
    setState(fromSession(state));
}

void SessionController::onScriptFinished(const ScriptOutcome &outcome)
{
    m_window->debugActions()->setScriptFinished(true);
    const bool passed = outcome.status == QLatin1String("passed");
    m_window->setSessionDetail(
        passed ? tr("script passed, VMs running") : tr("script failed, VMs running"));
    QString where;
    if (!outcome.path.isEmpty() && outcome.line > 0) {
        where
            = QStringLiteral(" (%1:%2)").arg(QFileInfo(outcome.path).fileName()).arg(outcome.line);
        // A failure that never stopped (a syntax error: nothing ran) is
        // marked where the user will fix it.
        if (!passed && !outcome.error.isEmpty()) {
            QString error;
            if (ScriptEditor *editor = m_window->openFile(outcome.path, &error)) {
                editor->showError(outcome.line, 0, outcome.error);
                m_window->showLocation(outcome.path, outcome.line);
            }
        }
    }
    const QString verdict = passed || outcome.error.isEmpty()
        ? tr("The test script %1").arg(outcome.status)
        : tr("The test script failed: %1%2").arg(outcome.error, where);
    say(verdict + tr("; the VMs keep running (Ctrl+F5 runs it again, Shift+F5 stops)."));
}

void SessionController::onSessionFinished(int exitCode, bool crashed)
{
    // Ctrl+F5 after an edit that needs a rebuild ends the driver on purpose.
    const bool rebuilding = m_runAgainAfterStop && !m_closeAfterStop && !m_rebuildReason.isEmpty();
    const bool stopped = m_stopRequested || rebuilding;
    if (m_view) {
        m_view->endRun(rebuilding ? tr("stopped for a rebuild")
                : m_stopRequested ? tr("stopped")
                : crashed         ? tr("killed")
                                  : (exitCode == 0 ? tr("passed") : tr("failed")),
            !stopped && (crashed || exitCode != 0));
    }
    // Stop ends the driver with the script unfinished; its exit code says
    // nothing about the test then.
    if (rebuilding)
        say(tr("The VMs are shut down; building the edited test (%1)…").arg(m_rebuildReason));
    else if (m_stopRequested)
        say(tr("Stopped; the test's VMs are shut down."));
    else if (crashed && m_session && !m_session->error().isEmpty())
        say(tr("The test did not finish: %1.").arg(m_session->error()));
    else if (crashed)
        say(tr("The test driver was killed."));
    else if (exitCode == 0)
        say(tr("The test passed (the driver exited with 0)."));
    else
        say(tr("The test failed (the driver exited with %1).").arg(exitCode));
    m_stopRequested = false;
    if (m_closeAfterStop) {
        m_closeKillTimer.stop();
        QTimer::singleShot(0, m_window, &QWidget::close);
    } else if (m_runAgainAfterStop) {
        m_runAgainAfterStop = false;
        QTimer::singleShot(0, this, &SessionController::run);
    }
}

void SessionController::continueExecution()
{
    if (!m_session)
        return;
    if (m_fixedLine > 0 && m_session->state() == DebugSession::State::Stopped) {
        // The failing statement was done by hand: the script goes on after
        // it (gotoTargets takes the first statement at or after a line),
        // and continues once the agent has moved there.
        const int after = m_fixedLine + 1;
        m_fixedLine = 0;
        gotoLine(m_fixedPath, after, [this](bool moved) {
            if (moved && m_session)
                m_continueAfterGoto = true;
        });
        return;
    }
    m_session->continueExecution();
}

void SessionController::stop()
{
    if (m_state == SessionState::Building) {
        cancelBuild();
        return;
    }
    if (sessionLive()) {
        m_stopRequested = true;
        say(tr("Stopping the test and shutting its VMs down…"));
        m_session->terminate();
    }
}

void SessionController::pause()
{
    if (m_session)
        m_session->pause();
}

void SessionController::stepOver()
{
    if (m_session)
        m_session->next();
}

void SessionController::stepIn()
{
    if (m_session)
        m_session->stepIn();
}

void SessionController::stepOut()
{
    if (m_session)
        m_session->stepOut();
}

void SessionController::runToCursor(const QString &path, int line)
{
    if (line < 1)
        return;
    // A one-shot breakpoint: the session sends it (now, or when the run
    // starts) and drops it at the next stop.
    m_window->breakpointStore()->setOneShot(path, line);
    if (!sessionLive()) {
        run();
        return;
    }
    if (m_session->state() == DebugSession::State::Stopped)
        m_session->continueExecution();
}

void SessionController::setNextStatement(const QString &path, int line)
{
    gotoLine(path, line, {});
}

void SessionController::gotoLine(
    const QString &path, int line, const std::function<void(bool)> &done)
{
    if (!m_session || m_session->state() != DebugSession::State::Stopped || line < 1)
        return;
    m_session->gotoTargets(path, line,
        [this, line, done](bool ok, const QList<GotoTarget> &targets, const QString &error) {
            if (!ok || targets.isEmpty() || !m_session) {
                say(tr("Cannot go on from line %1: %2").arg(line).arg(error));
                if (done)
                    done(false);
                return;
            }
            // The target may be a later line (the next statement).
            const GotoTarget &target = targets.first();
            const int to = target.line > 0 ? target.line : line;
            m_session->gotoTarget(target.id, [this, to, done](bool moved, const QString &why) {
                say(moved ? tr("The script goes on from line %1.").arg(to)
                          : tr("Cannot go on from line %1: %2").arg(to).arg(why));
                if (done)
                    done(moved);
            });
        });
}

void SessionController::runSelection(
    const QString &code, const QString &path, int firstLine, int lastLine)
{
    if (!sessionLive() || !m_view)
        return;
    const QString block = dedent(code);
    m_window->replWidget()->append(ReplWidget::Kind::Input, block.trimmed());
    m_window->raiseDock(SessionWindow::Dock::Repl);
    // Lines that take the failing line's place, run without an error: the
    // failure is fixed, and Continue goes on after them.
    const QString file = QFileInfo(path).absoluteFilePath();
    const int failing = failingLine(file);
    const bool fixes = failing > 0 && firstLine <= failing && failing <= lastLine;
    m_view->evaluateInRepl(block, [this, fixes, file, lastLine](bool ok) {
        if (!fixes || !ok || !m_session || m_session->state() != DebugSession::State::Stopped)
            return;
        m_fixedPath = file;
        m_fixedLine = lastLine;
        say(tr("Line %1 ran; Continue (F5) goes on after it.").arg(lastLine));
    });
}

int SessionController::failingLine(const QString &path) const
{
    if (!m_session || m_session->state() != DebugSession::State::Stopped
        || m_session->stopReason() != QLatin1String("exception"))
        return 0;
    const QList<StackFrame> frames = m_session->stackFrames();
    const StackFrame frame = frames.value(m_session->scriptFrameIndex());
    return QFileInfo(frame.path).absoluteFilePath() == path ? frame.line : 0;
}

void SessionController::restartScript()
{
    if (!sessionLive()) {
        run();
        return;
    }
    const LaunchPlan &plan = m_session->plan();
    // The file that holds the testScript (a flake's test may live beside
    // flake.nix), as the editor shows it now.
    const QString sourcePath = m_builtSource.isValid() ? plan.sourcePath : m_testPath;
    ScriptEditor *editor = m_window->editorArea()->editorFor(sourcePath);
    const QString edited = editor ? editor->text() : readFile(sourcePath);
    const ScriptReuse reuse = ScriptReuse::decide(plan, m_builtSource, edited);
    if (reuse.rebuildNeeded()) {
        // Nothing of the running test survives this: say so before it goes.
        m_rebuildReason = reuse.reason();
        say(tr("Rebuilding: %1. The file is saved, the VMs shut down, Nix builds the test "
               "again and new VMs boot.")
                .arg(m_rebuildReason));
        m_runAgainAfterStop = true;
        if (editor && editor->isModified()) {
            QString error;
            editor->save(&error);
        }
        m_session->terminate();
        return;
    }
    say(reuse.decision() + tr("; the VMs keep running"));
    m_window->debugActions()->setScriptFinished(false);
    m_window->setSessionDetail({});
    m_session->restartScript(reuse.plan(), [this](bool ok, const QString &error) {
        if (!ok)
            say(tr("The script cannot restart now: %1").arg(error));
    });
}

bool SessionController::eventFilter(QObject *watched, QEvent *event)
{
    if (watched != m_window || event->type() != QEvent::Close)
        return QObject::eventFilter(watched, event);
    if (m_state == SessionState::Building)
        cancelBuild();
    if (!sessionLive())
        return false;
    // A paused test is being looked at: closing ends it, so ask first.
    if (!m_closeAfterStop && m_state == SessionState::Stopped && !m_askClose()) {
        event->ignore();
        return true;
    }
    // Stop first, close when the driver has gone: no VM outlives the IDE.
    event->ignore();
    if (!m_closeAfterStop) {
        m_closeAfterStop = true;
        m_window->saveSession();
        stop();
        m_closeKillTimer.start(kCloseGraceMs);
    }
    return true;
}

} // namespace nixtide
