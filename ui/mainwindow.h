#pragma once

#include "core/breakpoints/breakpoint.h"
#include "core/nix/testref.h"
#include "ui/window/sessionwindow.h"

#include <QHash>
#include <QImage>
#include <QMainWindow>
#include <QRect>

#include <array>
#include <memory>
#include <optional>

class QDockWidget;
class QLabel;
class QProgressBar;
class QSettings;
class QToolButton;
class QSplitter;
class QStackedWidget;
class QTabWidget;

namespace nixtide {

class BreakpointStore;
class BreakpointsView;
class BuildOutputView;
class CallStackView;
class DebugActions;
class EditorArea;
class LogTreeModel;
class LogView;
class MachinePanel;
class OutlineDock;
class MachineTab;
class RecoveryStore;
class ReplWidget;
class ScriptEditor;
class TestOpener;
class TestExplorerDock;
class TestSelector;
class VariablesModel;
class VariablesView;
class RecentMenu;

// The IDE window: editors in the centre next to the machine tabs, docks for
// the log, variables and watches, call stack, breakpoints, REPL and build
// output. It knows nothing of how a test runs: SessionController and
// SessionView (ui/window) reach it only through SessionWindow, the part of
// it they need.
class MainWindow : public SessionWindow
{
    Q_OBJECT

public:
    // settings: where layout, open files and breakpoints persist (the
    // default QSettings when null); recovery: where unsaved buffers go
    // (the XDG state directory when empty).
    explicit MainWindow(
        QSettings *settings = nullptr, const QString &recoveryDir = {}, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Opens the test to run (and shows it); false with a message in *error
    // naming the file when it cannot be read.
    bool openTest(const QString &path, QString *error) override;
    // The same for a test chosen inside a file or flake: `file` (the one
    // holding its script) is shown and edited, `test` is what gets built.
    bool openTest(const TestRef &test, const QString &file, QString *error);
    // File > Open Test… and the command line: a .nix file, a flake directory
    // or reference, with or without an attribute path. Lists and locates
    // with Nix on worker threads (TestOpener), shows the picker when there
    // are several tests, then opens the chosen one; returns at once.
    void openTestArgument(const QString &argument);
    TestOpener *testOpener() const { return m_opener; }
    // The toolbar's list of tests, showing the one F5 runs.
    TestSelector *testSelector() const { return m_testSelector; }
    QString testPath() const override { return m_testPath; }
    // What TestResolver builds: the chosen test's reference, else the file.
    QString testArgument() const override { return m_testRef ? m_testRef->toString() : m_testPath; }
    // Opens any file in an editor tab, with its saved breakpoints.
    ScriptEditor *openFile(const QString &path, QString *error) override;
    // Layout, the files open last time and their breakpoints.
    void restoreSession();
    void saveSession() override;

    void setSessionState(SessionState state) override;
    // What the state alone does not say (the script ended while the VMs
    // keep running); shown until the state changes. Empty: the state.
    void setSessionDetail(const QString &detail) override;
    QString sessionText() const;
    SessionState sessionState() const { return m_state; }

    // Status bar: a transient message; the build's progress (expected 0: busy
    // indicator) with its Cancel button; what acceleration the VMs use
    // (warn: shown in a warning colour) or, with no VM running, what the
    // host offers.
    void showStatus(const QString &message) override;
    void setBuildProgress(int done, int expected, const QString &text) override;
    void hideBuildProgress() override;
    QProgressBar *buildProgressBar() const { return m_buildProgress; }
    void setAcceleration(const QString &text, const QString &toolTip, bool warn) override;
    void showHostAcceleration() override;
    // Debug > Run on Host: where the next run's driver goes (ssh://…),
    // empty for this machine; kept with the session's settings.
    QString runHost() const override { return m_runHost; }
    // False (and the window says why) when `host` is not an ssh:// URI.
    bool setRunHost(const QString &host);

    // The machine tabs (screen, serial console, actions per VM) of the
    // session SessionController hands to showMachinesOf().
    MachinePanel *machinePanel() const { return m_machinePanel; }
    void showMachinesOf(DebugSession *session) override;
    MachineTab *machineTab(const QString &name) const;
    int machineCount() const;

    // Shows the line of a file: opens it, moves the cursor, focuses.
    void showLocation(const QString &path, int line, int column = 0) override;
    // The stop marker: where the script is paused (0 clears).
    void setCurrentLocation(const QString &path, int line) override;

    DebugActions *debugActions() const override { return m_debug; }
    EditorArea *editorArea() const override { return m_editors; }
    LogTreeModel *logModel() const override { return m_logModel; }
    LogView *logView() const { return m_logView; }
    VariablesModel *variablesModel() const override { return m_variablesModel; }
    VariablesView *variablesView() const override { return m_variablesView; }
    CallStackView *callStackView() const override { return m_callStack; }
    BreakpointsView *breakpointsView() const { return m_breakpointsView; }
    ReplWidget *replWidget() const override { return m_repl; }
    BuildOutputView *buildOutput() const override { return m_buildOutput; }
    void showRecordedResults(const QString &recordBase) override;
    QTabWidget *machineTabs() const;
    QLabel *accelerationLabel() const { return m_accelerationLabel; }
    // Never null: every dock is made with the window.
    QDockWidget *dock(Dock which) const;
    void raiseDock(Dock which) override;
    TestExplorerDock *testExplorer() const { return m_explorer; }

    // Every file's breakpoints, open or not: the editors and the Breakpoints
    // view show them, the session sends them; saved with the session.
    BreakpointStore *breakpointStore() const override { return m_breakpointStore; }
    BreakpointList breakpointsFor(const QString &path) const;

Q_SIGNALS:
    // The breakpoints to send for a file changed (the store's requestsChanged).
    void breakpointsChanged(const QString &path, const nixtide::BreakpointList &breakpoints);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    // Lines of test script from a machine's screen at the cursor of the
    // test's editor (see insertScriptLines); false with the reason shown.
    bool insertScriptCode(const QString &machine, const QStringList &lines);
    // Keeps `screen` as a reference of the test with all but `region`
    // masked, and inserts the screenshot() call the review compares it to.
    void saveRegionReference(const QString &machine, const QImage &screen, const QRect &region);
    // openTest without remembering it in File > Recent.
    bool openTestFile(const QString &path, QString *error);
    void openScriptFileOf(ScriptEditor *test);
    ScriptEditor *scriptEditorForCode() const;
    void createDocks();
    void createMenus();
    void createStatusBar();
    void connectEditorActions();
    QDockWidget *addDock(const QString &title, Dock which, const QString &name, QWidget *widget,
        Qt::DockWidgetArea area);
    void updateMachineCount();
    void updateTitle();
    void followBuildChecks();
    void showBuildChecks();
    void onRunSelection();
    void updateOutline();
    void showOpenError(const QString &message);

    std::unique_ptr<QSettings> m_ownSettings;
    QSettings *m_settings;
    std::unique_ptr<RecoveryStore> m_recovery;
    SessionState m_state = SessionState::Idle;
    QString m_testPath;
    QString m_runHost;
    std::optional<TestRef> m_testRef; // set when a test was chosen inside a file or flake
    BreakpointStore *m_breakpointStore;

    DebugActions *m_debug;
    EditorArea *m_editors;
    QSplitter *m_centre;
    QStackedWidget *m_machineArea;
    MachinePanel *m_machinePanel;
    LogTreeModel *m_logModel;
    LogView *m_logView;
    VariablesModel *m_variablesModel;
    VariablesView *m_variablesView;
    CallStackView *m_callStack;
    BreakpointsView *m_breakpointsView;
    ReplWidget *m_repl;
    BuildOutputView *m_buildOutput;
    OutlineDock *m_outline;
    TestExplorerDock *m_explorer = nullptr;
    std::array<QDockWidget *, 8> m_docks {};
    // "Debug this test": the reference to run once the opener has opened it.
    QString m_debugWhenOpened;
    TestOpener *m_opener;
    TestSelector *m_testSelector = nullptr;
    RecentMenu *m_recentFiles = nullptr;
    RecentMenu *m_recentTests = nullptr;
    QMenu *m_viewMenu = nullptr;
    QLabel *m_stateLabel;
    QLabel *m_checksLabel = nullptr;
    QList<QMetaObject::Connection> m_checksConnections;
    QLabel *m_machinesLabel;
    QLabel *m_accelerationLabel;
    QProgressBar *m_buildProgress;
    QToolButton *m_cancelBuild;
};

} // namespace nixtide
