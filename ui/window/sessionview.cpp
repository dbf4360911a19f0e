#include "ui/window/sessionview.h"

#include "core/session/debugsession.h"
#include "ui/docks/callstackview.h"
#include "ui/docks/logtreemodel.h"
#include "ui/docks/replwidget.h"
#include "ui/docks/variablesmodel.h"
#include "ui/docks/variablesview.h"
#include "ui/editor/editorarea.h"
#include "ui/editor/expressionhover.h"
#include "ui/editor/scripteditor.h"
#include "ui/window/acceleration.h"
#include "ui/window/sessionwindow.h"

#include <QFileInfo>
#include <QLabel>
#include <QRegularExpression>
#include <QToolTip>
#include <QTreeView>

#include <utility>

namespace nixtide {

namespace {

QList<VariableEntry> entriesFrom(const QList<Variable> &variables)
{
    QList<VariableEntry> out;
    for (const Variable &v : variables)
        out.append({v.name, v.value, v.type, v.variablesReference});
    return out;
}

QList<VariableEntry> entriesFrom(const QList<Scope> &scopes)
{
    QList<VariableEntry> out;
    for (const Scope &scope : scopes)
        out.append({scope.name, {}, {}, scope.variablesReference});
    return out;
}

bool samePath(const QString &a, const QString &b)
{
    return !a.isEmpty() && QFileInfo(a).absoluteFilePath() == QFileInfo(b).absoluteFilePath();
}

} // namespace

SessionView::SessionView(SessionWindow *window, DebugSession *session, QObject *parent)
    : QObject(parent)
    , m_window(window)
    , m_session(session)
{
    window->logModel()->clear();
    window->variablesModel()->clear();
    window->callStackView()->setFrames({});
    clearStop();

    connect(session, &DebugSession::logEntryAdded, this, &SessionView::addLogEntry);
    connect(session, &DebugSession::logEntryUpdated, this, [this](int index) {
        const LogEntry &entry = m_session->logEntries().at(index);
        m_window->logModel()->finishEntry(entry.id, entry.durationSeconds, entry.failed);
    });
    connect(session, &DebugSession::stopped, this, &SessionView::onStopped);
    connect(session, &DebugSession::continued, this, &SessionView::onContinued);
    connect(session, &DebugSession::stateChanged, this, [this](DebugSession::State state) {
        if (state == DebugSession::State::Terminated) {
            onContinued();
            updateMachines();
            // The values were the ended session's: none is true any more.
            m_window->variablesView()->clearWatchValues();
        }
    });
    connect(session, &DebugSession::machinesChanged, this, &SessionView::updateMachines);
    connect(session, &DebugSession::hostProbed, this, &SessionView::updateAcceleration);
    connect(session, &DebugSession::connectionLost, this, [this](const QString &message) {
        // Stays until the next session: the run is over, this is why.
        m_accelerationTimer.stop();
        m_connectionLost = message;
        updateAcceleration();
    });
    connect(session, &DebugSession::breakpointsAnswered, this, &SessionView::showBreakpointAnswers);
    connect(
        session, &DebugSession::output, this, [this](const QString &category, const QString &raw) {
            // The driver's logger writes coloured lines to stderr while a
            // REPL call runs; they are output, not errors (the Log dock has
            // them as steps too). Tracebacks are errors.
            static const QRegularExpression ansi(QStringLiteral("\x1b\\[[0-9;]*[A-Za-z]"));
            const QString text = QString(raw).remove(ansi);
            if (category == QLatin1String("stderr")
                && text.contains(QLatin1String("Traceback (most recent call last)"))) {
                ++m_stderrSeen;
                m_window->replWidget()->showError(text);
            } else if (category != QLatin1String("telemetry")) {
                m_window->replWidget()->showOutput(text);
            }
        });
    connect(session, &DebugSession::scriptStarted, this, [this] {
        // One log section per run of the script (a restart is a run).
        endRun(tr("restarted"), false);
        QString title = tr("Run %1").arg(m_window->logModel()->runCount() + 1);
        if (!m_nextRunNote.isEmpty())
            title += QStringLiteral(", ") + std::exchange(m_nextRunNote, QString());
        m_window->logModel()->beginRun(title);
        m_runOpen = true;
        m_runClock.start();
    });
    connect(session, &DebugSession::scriptFinished, this, [this](const ScriptOutcome &outcome) {
        endRun(outcome.status, outcome.status != QLatin1String("passed"));
        m_scriptFinished = true;
        Q_EMIT scriptFinished(outcome);
    });
    connect(session, &DebugSession::continued, this, [this] { m_scriptFinished = false; });

    // The docks' requests go to whichever session this view shows.
    connect(window->replWidget(), &ReplWidget::evaluateRequested, this,
        [this](const QString &code) { evaluateInRepl(code); });
    connect(window->replWidget(), &ReplWidget::completionRequested, this, &SessionView::complete);
    connect(window->variablesModel(), &VariablesModel::childrenRequested, this, [this](int ref) {
        const int generation = m_scopeGeneration;
        m_session->variables(ref,
            [this, ref, generation](
                bool ok, const QList<Variable> &variables, const QString &error) {
                if (generation != m_scopeGeneration)
                    return;
                QList<VariableEntry> children = ok
                    ? entriesFrom(variables)
                    : QList<VariableEntry> {{tr("(error)"), error, {}, 0}};
                m_window->variablesModel()->setChildren(ref, children);
            });
    });
    connect(window->variablesView(), &VariablesView::watchEvaluateRequested, this,
        &SessionView::evaluateWatch);
    // Variables and watches are the selected frame's.
    connect(window->callStackView(), &CallStackView::frameSelected, this,
        [this](const StackFrameEntry &frame) {
            showFrame(frame.id);
            m_window->variablesView()->refreshWatches();
        });
    connect(window->editorArea(), &EditorArea::expressionHovered, this, &SessionView::showHover);

    // A QEMU's file descriptors show whether it got KVM only once it runs.
    m_accelerationTimer.setInterval(2000);
    connect(&m_accelerationTimer, &QTimer::timeout, this, &SessionView::updateAcceleration);
    m_accelerationTimer.start();
}

SessionView::~SessionView() = default;

void SessionView::addLogEntry(int index)
{
    const LogEntry &entry = m_session->logEntries().at(index);
    const bool failed = entry.failed || entry.level == QLatin1String("error");
    LogTreeModel *model = m_window->logModel();
    model->addEntry(entry.id, entry.parentId, entry.message, entry.machine, entry.nested,
        entry.line, failed, entry.path);
    if (entry.ocr) {
        model->finishEntry(entry.id, entry.durationSeconds, failed);
        model->setEntryImage(entry.id, entry.ocr->image);
        for (const QString &line : entry.ocr->distinctLines())
            model->addDetail(entry.id, tr("read: %1").arg(line));
    }
}

void SessionView::clearStop()
{
    for (ScriptEditor *editor : m_window->editorArea()->editors()) {
        editor->setCurrentLine(0);
        editor->clearExceptionLine();
    }
}

void SessionView::onContinued()
{
    QToolTip::hideText(); // a hover's value is the stop's

    ++m_scopeGeneration;
    m_frameId = 0;
    clearStop();
    m_window->callStackView()->setFrames({});
    m_window->variablesModel()->clear();
}

void SessionView::onStopped(const QString &reason, const QString &description)
{
    const QList<StackFrame> frames = m_session->stackFrames();
    QList<StackFrameEntry> entries;
    for (const StackFrame &f : frames)
        entries.append({f.id, f.name, f.path, f.line});
    // The marker goes on the innermost frame of the test script (the .nix
    // file when the lines are mapped), not inside the driver: the driver's
    // frames stay one click away in the call stack.
    const int scriptFrame = m_session->scriptFrameIndex();
    m_window->callStackView()->setFrames(entries, scriptFrame);
    const StackFrame top = frames.value(scriptFrame);
    m_window->setCurrentLocation(top.path, top.line);
    if (reason == QLatin1String("exception")) {
        const QString path = top.path;
        const int line = top.line;
        m_session->exceptionInfo(
            [this, path, line, description](bool ok, const ExceptionInfo &info, const QString &) {
                const QString message = ok
                    ? QStringLiteral("%1: %2").arg(info.exceptionId, info.description)
                    : description;
                for (ScriptEditor *editor : m_window->editorArea()->editors()) {
                    if (samePath(editor->filePath(), path))
                        editor->setExceptionLine(line, message);
                }
            });
    }
    showFrame(top.id);
    m_window->variablesView()->refreshWatches();
}

void SessionView::showFrame(int frameId)
{
    m_frameId = frameId;
    const int generation = ++m_scopeGeneration;
    m_session->scopes(
        frameId, [this, generation](bool ok, const QList<Scope> &answer, const QString &error) {
            if (generation != m_scopeGeneration)
                return;
            if (!ok) {
                m_window->variablesModel()->setScopes({{tr("(error)"), error, {}, 0}});
                return;
            }
            const QList<VariableEntry> scopes = entriesFrom(answer);
            m_window->variablesModel()->setScopes(scopes);
            // The innermost scope is what one looks at first: open it.
            if (!scopes.isEmpty()) {
                QTreeView *tree = m_window->variablesView()->variablesTree();
                tree->expand(tree->model()->index(0, 0));
            }
        });
}

void SessionView::evaluateWatch(const QString &expression)
{
    if (!m_session || m_session->state() != DebugSession::State::Stopped)
        return;
    m_session->evaluate(
        expression, m_frameId,
        [this, expression](bool ok, const EvaluateResult &value, const QString &error) {
            m_window->variablesView()->setWatchResult(expression, ok ? value.result : error, !ok);
        },
        QStringLiteral("watch"));
}

void SessionView::endRun(const QString &result, bool failed)
{
    if (!m_runOpen)
        return;
    m_runOpen = false;
    m_window->logModel()->finishRun(result, double(m_runClock.elapsed()) / 1000.0, failed);
}

void SessionView::showHover(ScriptEditor *editor, const QString &expression)
{
    if (!m_session || m_session->state() != DebugSession::State::Stopped)
        return;
    QPointer<ScriptEditor> target(editor);
    m_session->evaluate(
        expression, m_frameId,
        [target, expression](bool ok, const EvaluateResult &value, const QString &) {
            ExpressionHover *hover = target ? target->findChild<ExpressionHover *>() : nullptr;
            if (!ok || !hover)
                return;
            hover->show(expression,
                QStringLiteral("%1%2 = %3")
                    .arg(expression,
                        value.type.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(value.type),
                        value.result));
        },
        QStringLiteral("hover"));
}

void SessionView::complete(const QString &textBeforeCursor)
{
    m_session->completions(textBeforeCursor.section(u'\n', -1), m_frameId,
        [this](bool ok, const Completions &completions, const QString &) {
            if (!ok || completions.names.isEmpty())
                return;
            m_window->replWidget()->input()->showCompletions(
                completions.replacedLength, completions.names);
        });
}

void SessionView::evaluateInRepl(const QString &code, std::function<void(bool)> done)
{
    const int stderrBefore = m_stderrSeen;
    m_session->evaluate(code, m_frameId,
        [this, stderrBefore, done = std::move(done)](
            bool ok, const EvaluateResult &value, const QString &error) {
            if (done)
                done(ok);
            ReplWidget *repl = m_window->replWidget();
            if (ok) {
                const QString &result = value.result;
                // Like Python's REPL: None (print(), calls for effect) is not shown.
                if (!result.isEmpty() && result != QLatin1String("None"))
                    repl->showResult(result);
            } else if (m_stderrSeen == stderrBefore) {
                // The agent prints a REPL traceback as stderr output; only
                // a refusal without one needs its message shown.
                repl->showError(error);
            }
        });
}

// A refused breakpoint says why in the status bar (the Breakpoints view
// shows it from the store): silently dropping it would let the test run
// past the line it was meant for. A refused one's answer is its own line.
void SessionView::showBreakpointAnswers(const QString &path, const QList<BreakpointAnswer> &answers)
{
    for (const BreakpointAnswer &answer : answers) {
        if (answer.verified)
            continue;
        m_window->showStatus(tr("Breakpoint at %1:%2 not set: %3")
                .arg(QFileInfo(path).fileName())
                .arg(answer.line)
                .arg(answer.message.isEmpty() ? tr("the debugger refused it") : answer.message));
    }
}

void SessionView::updateMachines()
{
    updateAcceleration();
}

void SessionView::updateAcceleration()
{
    // A remote host's QEMUs are not ours to read in /proc: the host says
    // whether its /dev/kvm is usable.
    if (m_session && !m_session->hostName().isEmpty()) {
        // Also once the session has ended because of it.
        if (!m_connectionLost.isEmpty()) {
            m_window->setAcceleration(
                tr("%1: connection lost").arg(m_session->hostName()), m_connectionLost, true);
            return;
        }
        const std::optional<bool> kvm = m_session->hostKvm();
        const QString host = m_session->hostName();
        m_window->setAcceleration(!kvm ? tr("on %1").arg(host)
                : *kvm                 ? tr("on %1: KVM").arg(host)
                                       : tr("on %1: no KVM").arg(host),
            !kvm ? tr("Asking %1 whether it has KVM…").arg(host)
                : *kvm
                ? tr("%1 has hardware virtualisation and a /dev/kvm the driver's user can open.")
                      .arg(host)
                : tr("%1 has no usable /dev/kvm: its QEMU emulates the CPU in software.").arg(host),
            kvm == std::optional<bool>(false));
        return;
    }
    QList<bool> usesKvm;
    if (m_session && m_session->state() != DebugSession::State::Terminated) {
        for (const MachineInfo &machine : m_session->machines()) {
            const qint64 pid = machine.raw.value(QStringLiteral("pid")).toInteger();
            if (const std::optional<bool> kvm = processUsesKvm(pid))
                usesKvm.append(*kvm);
        }
    }
    if (usesKvm.isEmpty()) {
        m_window->showHostAcceleration();
        return;
    }
    m_window->setAcceleration(machinesAccelerationText(usesKvm),
        usesKvm.contains(false)
            ? tr("QEMU emulates the CPU in software (TCG): the guests run many times slower "
                 "than with KVM.")
            : tr("Every running QEMU uses KVM (hardware virtualisation)."),
        usesKvm.contains(false));
}

} // namespace nixtide
