#pragma once

#include "ui/window/sessionstate.h"

#include <QMainWindow>

namespace nixtide {

class BreakpointStore;
class BuildOutputView;
class CallStackView;
class DebugActions;
class DebugSession;
class EditorArea;
class LogTreeModel;
class ReplWidget;
class ScriptEditor;
class VariablesModel;
class VariablesView;

// What SessionController, SessionView and TestSelector need of the IDE
// window, so that ui/window does not depend on MainWindow (which builds
// them). A QMainWindow rather than a plain interface because the
// controllers connect to its requests, parent dialogs to it and watch it
// close.
class SessionWindow : public QMainWindow
{
    Q_OBJECT

public:
    using QMainWindow::QMainWindow;

    // The docks the controllers and tests raise or hide; each keeps its
    // object name ("LogDock", …) because saved layouts refer to it.
    enum class Dock {
        TestExplorer,
        Outline,
        Variables,
        CallStack,
        Breakpoints,
        Log,
        Repl,
        BuildOutput
    };
    virtual void raiseDock(Dock which) = 0;

    // The test F5 runs: its file, and what TestResolver builds.
    virtual QString testPath() const = 0;
    virtual QString testArgument() const = 0;
    virtual bool openTest(const QString &path, QString *error) = 0;
    virtual ScriptEditor *openFile(const QString &path, QString *error) = 0;
    virtual void showLocation(const QString &path, int line, int column = 0) = 0;
    virtual void setCurrentLocation(const QString &path, int line) = 0;
    virtual void saveSession() = 0;
    // Debug > Run on Host: empty for this machine.
    virtual QString runHost() const = 0;

    virtual void setSessionState(SessionState state) = 0;
    virtual void setSessionDetail(const QString &detail) = 0;
    virtual void showStatus(const QString &message) = 0;
    virtual void setBuildProgress(int done, int expected, const QString &text) = 0;
    virtual void hideBuildProgress() = 0;
    virtual void setAcceleration(const QString &text, const QString &toolTip, bool warn) = 0;
    virtual void showHostAcceleration() = 0;

    virtual DebugActions *debugActions() const = 0;
    // The session whose machines the machine tabs show (nullptr: none).
    virtual void showMachinesOf(DebugSession *session) = 0;
    virtual EditorArea *editorArea() const = 0;
    virtual BreakpointStore *breakpointStore() const = 0;
    virtual LogTreeModel *logModel() const = 0;
    virtual VariablesModel *variablesModel() const = 0;
    virtual VariablesView *variablesView() const = 0;
    virtual CallStackView *callStackView() const = 0;
    virtual ReplWidget *replWidget() const = 0;
    virtual BuildOutputView *buildOutput() const = 0;
    // A run's record changed (started, ended): the Tests dock shows each
    // test's last result, read from the records under `recordBase` (empty:
    // the default place).
    virtual void showRecordedResults(const QString &recordBase) = 0;

Q_SIGNALS:
    void runToCursorRequested(const QString &path, int line);
    void setNextStatementRequested(const QString &path, int line);
    // code: the selection (whole lines) or the current line.
    void runSelectionRequested(
        const QString &code, const QString &path, int firstLine, int lastLine);
};

} // namespace nixtide
