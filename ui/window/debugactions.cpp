#include "ui/window/debugactions.h"

#include <QAction>
#include <QMenu>
#include <QToolBar>

namespace nixtide {

QString sessionStateText(SessionState state)
{
    switch (state) {
    case SessionState::Idle:
        return QObject::tr("Idle");
    case SessionState::Building:
        return QObject::tr("Building");
    case SessionState::Starting:
        return QObject::tr("Starting");
    case SessionState::Running:
        return QObject::tr("Running");
    case SessionState::Stopped:
        return QObject::tr("Paused");
    case SessionState::Terminated:
        return QObject::tr("Finished");
    }
    return {};
}

DebugActions::DebugActions(QObject *parent)
    : QObject(parent)
{
    runContinue = make(tr("&Run"), {Qt::Key_F5}, tr("Build and run the test (F5)"));
    stop = make(tr("&Stop"), {Qt::SHIFT | Qt::Key_F5}, tr("Stop the test and its VMs"));
    restartScript = make(tr("Restart &Script"), {Qt::CTRL | Qt::Key_F5},
        tr("Run the test script again from the top; the VMs keep running"));
    pause = make(
        tr("&Pause"), {Qt::Key_F6, Qt::CTRL | Qt::Key_Pause}, tr("Pause the script where it is"));
    stepOver = make(tr("Step &Over"), {Qt::Key_F10}, tr("Run the current line"));
    stepIn = make(tr("Step &Into"), {Qt::Key_F11}, tr("Step into the call on this line"));
    stepOut = make(
        tr("Step O&ut"), {Qt::SHIFT | Qt::Key_F11}, tr("Run until the current function returns"));
    runToCursor = make(tr("Run to &Cursor"), {Qt::CTRL | Qt::Key_F10},
        tr("Run until the line with the text cursor"));
    setNextStatement = make(tr("Set &Next Statement"), {Qt::CTRL | Qt::SHIFT | Qt::Key_F10},
        tr("Go on from the line with the text cursor, skipping or repeating lines"));
    runSelection = make(tr("Run S&election on VMs"),
        {Qt::CTRL | Qt::Key_Return, Qt::CTRL | Qt::SHIFT | Qt::Key_E},
        tr("Run the selected lines (or the current line) against the live VMs"));
    toggleBreakpoint = make(tr("Toggle &Breakpoint"), {Qt::Key_F9},
        tr("Set or remove a breakpoint on the current line"));
    cancelBuild = new QAction(tr("Cancel Build"), this);
    cancelBuild->setToolTip(tr("Stop the Nix build; nothing keeps building"));

    connect(runContinue, &QAction::triggered, this, [this] {
        if (m_state == SessionState::Stopped)
            Q_EMIT continueRequested();
        else
            Q_EMIT runRequested();
    });
    connect(stop, &QAction::triggered, this, &DebugActions::stopRequested);
    connect(cancelBuild, &QAction::triggered, this, &DebugActions::cancelBuildRequested);
    connect(restartScript, &QAction::triggered, this, &DebugActions::restartScriptRequested);
    connect(pause, &QAction::triggered, this, &DebugActions::pauseRequested);
    connect(stepOver, &QAction::triggered, this, &DebugActions::stepOverRequested);
    connect(stepIn, &QAction::triggered, this, &DebugActions::stepInRequested);
    connect(stepOut, &QAction::triggered, this, &DebugActions::stepOutRequested);
    connect(runToCursor, &QAction::triggered, this, &DebugActions::runToCursorTriggered);
    connect(setNextStatement, &QAction::triggered, this, &DebugActions::setNextStatementTriggered);
    connect(runSelection, &QAction::triggered, this, &DebugActions::runSelectionTriggered);
    connect(toggleBreakpoint, &QAction::triggered, this, &DebugActions::toggleBreakpointTriggered);
    setState(SessionState::Idle);
}

QAction *DebugActions::make(
    const QString &text, const QList<QKeySequence> &keys, const QString &tip)
{
    auto *action = new QAction(text, this);
    action->setShortcuts(keys);
    action->setToolTip(
        QStringLiteral("%1 (%2)").arg(tip, keys.first().toString(QKeySequence::NativeText)));
    action->setStatusTip(tip);
    // Window-wide: the shortcuts work with focus in a dock too.
    action->setShortcutContext(Qt::WindowShortcut);
    return action;
}

void DebugActions::setState(SessionState state)
{
    m_state = state;
    const bool idle = state == SessionState::Idle || state == SessionState::Terminated;
    const bool busy = state == SessionState::Building || state == SessionState::Starting;
    const bool running = state == SessionState::Running;
    const bool stopped = state == SessionState::Stopped;

    runContinue->setText(stopped ? tr("&Continue") : tr("&Run"));
    runContinue->setEnabled(idle || stopped);
    stop->setEnabled(busy || running || stopped);
    restartScript->setEnabled(running || stopped);
    // A finished script (an interactive driver idling) has nothing to pause.
    pause->setEnabled(running && !m_scriptFinished);
    stepOver->setEnabled(stopped);
    stepIn->setEnabled(stopped);
    stepOut->setEnabled(stopped);
    runToCursor->setEnabled(idle || running || stopped);
    setNextStatement->setEnabled(stopped);
    // Lines run against live VMs: the script must be paused so that it does
    // not drive the same machines at the same time.
    runSelection->setEnabled(stopped || (running && m_scriptFinished));
    toggleBreakpoint->setEnabled(true);
    cancelBuild->setEnabled(state == SessionState::Building);
}

void DebugActions::setScriptFinished(bool finished)
{
    m_scriptFinished = finished;
    setState(m_state);
}

void DebugActions::addTo(QMenu *menu) const
{
    menu->addActions({runContinue, pause, stop, restartScript});
    menu->addSeparator();
    menu->addActions({stepOver, stepIn, stepOut, runToCursor, setNextStatement});
    menu->addSeparator();
    menu->addActions({runSelection, toggleBreakpoint});
}

void DebugActions::addTo(QToolBar *toolBar) const
{
    toolBar->addActions({runContinue, pause, stop, restartScript});
    toolBar->addSeparator();
    toolBar->addActions({stepOver, stepIn, stepOut, runToCursor});
    toolBar->addSeparator();
    toolBar->addAction(runSelection);
}

} // namespace nixtide
