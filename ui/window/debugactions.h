#pragma once

#include "ui/window/sessionstate.h"

#include <QObject>

class QAction;
class QMenu;
class QToolBar;

namespace nixtide {

// The debugger's commands as actions with the usual shortcuts, enabled by
// session state. Triggering one emits the matching request; the window adds
// the editor context (file, cursor line, selection) where a command needs it.
class DebugActions : public QObject
{
    Q_OBJECT

public:
    explicit DebugActions(QObject *parent = nullptr);

    void setState(SessionState state);
    SessionState state() const { return m_state; }
    // An interactive driver whose script has ended keeps its VMs and
    // answers the REPL: running selected lines is allowed then too.
    void setScriptFinished(bool finished);

    void addTo(QMenu *menu) const;
    void addTo(QToolBar *toolBar) const;

    QAction *runContinue; // F5: run when idle, continue when stopped
    QAction *stop; // Shift+F5
    QAction *restartScript; // Ctrl+F5: the script again, VMs keep running
    QAction *pause; // F6, Ctrl+Break
    QAction *stepOver; // F10
    QAction *stepIn; // F11
    QAction *stepOut; // Shift+F11
    QAction *runToCursor; // Ctrl+F10
    QAction *setNextStatement; // Ctrl+Shift+F10: jump to the cursor's line
    QAction *runSelection; // Ctrl+Enter, Ctrl+Shift+E
    QAction *toggleBreakpoint; // F9
    QAction *cancelBuild; // while Nix builds

Q_SIGNALS:
    void runRequested();
    void continueRequested();
    void stopRequested();
    void cancelBuildRequested();
    void restartScriptRequested();
    void pauseRequested();
    void stepOverRequested();
    void stepInRequested();
    void stepOutRequested();
    // The window connects these two and adds the editor context.
    void runToCursorTriggered();
    void setNextStatementTriggered();
    void runSelectionTriggered();
    void toggleBreakpointTriggered();

private:
    QAction *make(const QString &text, const QList<QKeySequence> &keys, const QString &tip);

    SessionState m_state = SessionState::Idle;
    bool m_scriptFinished = false;
};

} // namespace nixtide
