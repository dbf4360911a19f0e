#include "ui/mainwindow.h"

#include "core/breakpoints/breakpointstore.h"
#include "core/nix/scriptlinemap.h"
#include "core/nix/testref.h"
#include "core/remote/sshtarget.h"
#include "core/review/referencestore.h"
#include "core/review/runhistory.h"
#include "core/session/debugsession.h"
#include "core/session/runrecord.h"
#include "ui/docks/breakpointsview.h"
#include "ui/docks/buildoutputview.h"
#include "ui/docks/callstackview.h"
#include "ui/docks/logtreemodel.h"
#include "ui/docks/logview.h"
#include "ui/docks/replwidget.h"
#include "ui/docks/variablesmodel.h"
#include "ui/docks/variablesview.h"
#include "ui/editor/codeinsertion.h"
#include "ui/editor/editkeys.h"
#include "ui/editor/editorarea.h"
#include "ui/editor/editortheme.h"
#include "ui/editor/editorthememenu.h"
#include "ui/editor/findbar.h"
#include "ui/editor/lintcontroller.h"
#include "ui/editor/recoverystore.h"
#include "ui/editor/scripteditor.h"
#include "ui/machines/machinepanel.h"
#include "ui/machines/machinetab.h"
#include "ui/machines/screencode.h"
#include "ui/open/outlinedock.h"
#include "ui/open/testexplorerdock.h"
#include "ui/open/testopener.h"
#include "ui/review/imagecanvas.h"
#include "ui/review/imageviewer.h"
#include "ui/review/reviewwindow.h"
#include "ui/window/acceleration.h"
#include "ui/window/debugactions.h"
#include "ui/window/dockshares.h"
#include "ui/window/helpdialogs.h"
#include "ui/window/recentmenu.h"
#include "ui/window/settingsdialog.h"
#include "ui/window/testselector.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QGuiApplication>
#include <QInputDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QScreen>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>

namespace nixtide {

namespace {

// Below these the editor shows too little of a line to work in, and the
// machine pane too little of a screen to recognise.
constexpr int kEditorMinimumWidth = 420;
constexpr int kMachineAreaMinimumWidth = 160;

// Raised when the default grouping of the docks changes.
constexpr int kDockLayoutVersion = 1;

} // namespace

MainWindow::MainWindow(QSettings *settings, const QString &recoveryDir, QWidget *parent)
    : SessionWindow(parent)
    , m_ownSettings(settings ? nullptr : std::make_unique<QSettings>())
    , m_settings(settings ? settings : m_ownSettings.get())
    , m_recovery(std::make_unique<RecoveryStore>(
          recoveryDir.isEmpty() ? RecoveryStore::defaultDirectory() : recoveryDir))
    , m_breakpointStore(new BreakpointStore(this))
    , m_debug(new DebugActions(this))
    , m_editors(new EditorArea(m_recovery.get(), this))
    , m_centre(new QSplitter(Qt::Horizontal, this))
    , m_machineArea(new QStackedWidget(this))
    , m_machinePanel(new MachinePanel(nullptr, this))
    , m_logModel(new LogTreeModel(this))
    , m_logView(new LogView(m_logModel, this))
    , m_variablesModel(new VariablesModel(this))
    , m_variablesView(new VariablesView(m_variablesModel, this))
    , m_callStack(new CallStackView(this))
    , m_breakpointsView(new BreakpointsView(this))
    , m_repl(new ReplWidget(this))
    , m_buildOutput(new BuildOutputView(this))
    , m_outline(new OutlineDock(this))
    , m_opener(new TestOpener(this))
    , m_stateLabel(new QLabel(this))
    , m_machinesLabel(new QLabel(this))
    , m_accelerationLabel(new QLabel(this))
    , m_buildProgress(new QProgressBar(this))
    , m_cancelBuild(new QToolButton(this))
{
    setObjectName(QStringLiteral("MainWindow"));
    setDockOptions(AnimatedDocks | AllowTabbedDocks | AllowNestedDocks);

    auto *noMachines
        = new QLabel(tr("No machines yet.\nRun the test (F5) to build it and boot its VMs."), this);
    noMachines->setAlignment(Qt::AlignCenter);
    noMachines->setEnabled(false);
    m_machinePanel->setDocumentMode(true);
    connect(
        m_machinePanel, &MachinePanel::machineCountChanged, this, [this] { updateMachineCount(); });
    connect(m_machinePanel, &MachinePanel::statusMessage, this, &MainWindow::showStatus);
    connect(m_machinePanel, &MachinePanel::codeInsertRequested, this,
        [this](const QString &machine, const QStringList &lines) {
            insertScriptCode(machine, lines);
        });
    connect(
        m_machinePanel, &MachinePanel::referenceRequested, this, &MainWindow::saveRegionReference);
    m_machineArea->addWidget(noMachines);
    m_machineArea->addWidget(m_machinePanel);
    m_centre->addWidget(m_editors);
    m_centre->addWidget(m_machineArea);
    // The script stays workable whatever the machine pane shows; the pane
    // can shrink to its toolbar's overflow button.
    m_editors->setMinimumWidth(kEditorMinimumWidth);
    m_machineArea->setMinimumWidth(kMachineAreaMinimumWidth);
    m_centre->setChildrenCollapsible(false);
    // The script gets more room than the screens until machines appear.
    m_centre->setStretchFactor(0, 3);
    m_centre->setStretchFactor(1, 2);
    m_centre->setSizes({640, 420});
    m_centre->setObjectName(QStringLiteral("CentreSplitter"));
    setCentralWidget(m_centre);

    EditorTheme::instance()->restore(*m_settings);
    createDocks();
    createMenus();
    createStatusBar();
    connectEditorActions();
    connect(m_opener, &TestOpener::chosen, this,
        [this](const TestRef &test, const QString &file, const QString &note) {
            QString error;
            const bool debug = !m_debugWhenOpened.isEmpty() && test.toString() == m_debugWhenOpened;
            m_debugWhenOpened.clear();
            if (!openTest(test, file, &error)) {
                showOpenError(error);
                return;
            }
            showStatus(note.isEmpty() ? tr("Opened %1.").arg(test.toString())
                                      : tr("Opened %1: %2.").arg(file, note));
            if (debug)
                m_debug->runContinue->trigger();
        });
    connect(m_opener, &TestOpener::failed, this, &MainWindow::showOpenError);
    setSessionState(SessionState::Idle);
    updateMachineCount();
    updateTitle();
    // 1400×900 where it fits; on a smaller screen (1280×800) a window
    // larger than the screen would hide its own status bar.
    QSize size(1400, 900);
    if (const QScreen *screen = QGuiApplication::primaryScreen())
        size = size.boundedTo(screen->availableGeometry().size());
    resize(size);
}

MainWindow::~MainWindow() = default;

QDockWidget *MainWindow::addDock(
    const QString &title, Dock which, const QString &name, QWidget *widget, Qt::DockWidgetArea area)
{
    auto *dock = new QDockWidget(title, this);
    dock->setObjectName(name); // saveState() finds docks by object name
    dock->setWidget(widget);
    addDockWidget(area, dock);
    m_docks[size_t(which)] = dock;
    return dock;
}

QDockWidget *MainWindow::dock(Dock which) const
{
    return m_docks[size_t(which)];
}

void MainWindow::showRecordedResults(const QString &recordBase)
{
    m_explorer->setRunBase(recordBase);
    m_explorer->refreshResults();
}

void MainWindow::raiseDock(Dock which)
{
    dock(which)->raise();
}

void MainWindow::showMachinesOf(DebugSession *session)
{
    m_machinePanel->setSession(session);
}

void MainWindow::createDocks()
{
    // The left column, top to bottom, as Qt Creator's sidebar and VS Code's
    // Explorer and Run views group them: where to go (Tests | Outline), the
    // paused script's values, and where it is (Call Stack | Breakpoints).
    // Two tabs to a group keep every label whole in the column's width; four
    // in one group were cut to "Call Sta…" and "Outli…".
    m_explorer = new TestExplorerDock(this);
    m_explorer->setObjectName(QStringLiteral("TestExplorerDock"));
    addDockWidget(Qt::LeftDockWidgetArea, m_explorer);
    m_docks[size_t(Dock::TestExplorer)] = m_explorer;
    m_outline->setObjectName(QStringLiteral("OutlineDock"));
    addDockWidget(Qt::LeftDockWidgetArea, m_outline);
    m_docks[size_t(Dock::Outline)] = m_outline;
    tabifyDockWidget(m_explorer, m_outline);
    QDockWidget *variables = addDock(tr("Variables and Watch"), Dock::Variables,
        QStringLiteral("VariablesDock"), m_variablesView, Qt::LeftDockWidgetArea);
    QDockWidget *stack = addDock(tr("Call Stack"), Dock::CallStack, QStringLiteral("CallStackDock"),
        m_callStack, Qt::LeftDockWidgetArea);
    QDockWidget *breakpoints = addDock(tr("Breakpoints"), Dock::Breakpoints,
        QStringLiteral("BreakpointsDock"), m_breakpointsView, Qt::LeftDockWidgetArea);
    tabifyDockWidget(stack, breakpoints);
    m_explorer->raise();
    stack->raise();
    connect(m_explorer, &TestExplorerDock::debugRequested, this, [this](const QString &reference) {
        m_debugWhenOpened = reference;
        openTestArgument(reference);
    });
    connect(m_outline, &OutlineDock::jumpTo, this,
        [this](const QString &path, int line) { showLocation(path, line); });
    // Nix named the test's machines: lint again with names the text hides.
    connect(m_outline, &OutlineDock::machinesReady, this, [this](const QString &error) {
        if (ScriptEditor *editor = m_editors->editorFor(m_testPath); editor && error.isEmpty())
            editor->lint()->lintNow();
    });
    // An evaluation error is shown where it is, and said where it is seen.
    connect(m_outline, &OutlineDock::evaluationFailed, this,
        [this](const QString &file, int line, int column, const QString &message) {
            if (ScriptEditor *editor = m_editors->editorFor(file))
                editor->showError(line, column, message);
            statusBar()->showMessage(tr("%1:%2: %3")
                    .arg(QFileInfo(file).fileName())
                    .arg(line)
                    .arg(message.section(u'\n', 0, 0)));
        });

    QDockWidget *log = addDock(
        tr("Log"), Dock::Log, QStringLiteral("LogDock"), m_logView, Qt::BottomDockWidgetArea);
    QDockWidget *repl = addDock(
        tr("REPL"), Dock::Repl, QStringLiteral("ReplDock"), m_repl, Qt::BottomDockWidgetArea);
    QDockWidget *build = addDock(tr("Build Output"), Dock::BuildOutput, QStringLiteral("BuildDock"),
        m_buildOutput, Qt::BottomDockWidgetArea);
    splitDockWidget(log, repl, Qt::Horizontal);
    tabifyDockWidget(log, build);
    log->raise();
    resizeDocks({variables}, {300}, Qt::Horizontal);
    resizeDocks({log}, {260}, Qt::Vertical);
    resizeDocks({m_explorer, variables, stack}, {170, 250, 170}, Qt::Vertical);

    connect(m_logView, &LogView::scriptLineActivated, this, [this](int line, const QString &path) {
        showLocation(path.isEmpty() ? m_testPath : path, line);
    });
    connect(m_logView, &LogView::imageActivated, this,
        [this](const QString &path, const QString &title) {
            auto *viewer = new ImageViewer(this);
            viewer->setWindowFlag(Qt::Window);
            viewer->setAttribute(Qt::WA_DeleteOnClose);
            viewer->setObjectName(QStringLiteral("LogImageViewer"));
            viewer->setWindowTitle(QStringLiteral("%1 — %2").arg(title, path));
            const QImage image(path);
            if (image.isNull())
                statusBar()->showMessage(tr("cannot read %1").arg(path), 5000);
            viewer->canvas()->setImage(image);
            viewer->resize(800, 560);
            viewer->show();
        });
    connect(m_callStack, &CallStackView::frameSelected, this,
        [this](const StackFrameEntry &frame) { showLocation(frame.path, frame.line); });
    connect(m_breakpointsView, &BreakpointsView::breakpointActivated, this,
        [this](const QString &path, int line) { showLocation(path, line); });
    m_breakpointsView->setStore(m_breakpointStore);
    connect(m_buildOutput, &BuildOutputView::locationActivated, this,
        [this](const QString &path, int line, int column) { showLocation(path, line, column); });
}

void MainWindow::createMenus()
{
    QStyle *s = style();
    m_debug->runContinue->setIcon(s->standardIcon(QStyle::SP_MediaPlay));
    m_debug->pause->setIcon(s->standardIcon(QStyle::SP_MediaPause));
    m_debug->stop->setIcon(s->standardIcon(QStyle::SP_MediaStop));
    m_debug->restartScript->setIcon(s->standardIcon(QStyle::SP_BrowserReload));
    m_debug->stepOver->setIcon(s->standardIcon(QStyle::SP_ArrowForward));
    m_debug->stepIn->setIcon(s->standardIcon(QStyle::SP_ArrowDown));
    m_debug->stepOut->setIcon(s->standardIcon(QStyle::SP_ArrowUp));
    m_debug->runToCursor->setIcon(s->standardIcon(QStyle::SP_MediaSeekForward));
    m_debug->runSelection->setIcon(s->standardIcon(QStyle::SP_CommandLink));

    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(s->standardIcon(QStyle::SP_DialogOpenButton), tr("&Open…"), QKeySequence::Open,
        this, [this] {
            const QString path = QFileDialog::getOpenFileName(this, tr("Open"),
                QFileInfo(m_testPath).absolutePath(), tr("Tests (*.nix *.py);;All files (*)"));
            QString error;
            if (path.isEmpty())
                return;
            if (openFile(path, &error))
                m_recentFiles->add(QFileInfo(path).absoluteFilePath());
            else
                QMessageBox::warning(this, tr("Open"), error);
        });
    file->addAction(
        tr("Open &Test…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O), this, [this] {
            const QString path = QFileDialog::getOpenFileName(this, tr("Open Test"),
                QFileInfo(m_testPath).absolutePath(), tr("Nix files (*.nix);;All files (*)"));
            if (path.isEmpty())
                return;
            // flake.nix stands for its flake: its tests are the flake's outputs.
            const QFileInfo info(path);
            openTestArgument(info.fileName() == QLatin1String("flake.nix")
                    ? QStringLiteral("path:") + info.absolutePath()
                    : info.absoluteFilePath());
        });
    file->addAction(tr("Open &Flake…"), this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(
            this, tr("Open Flake"), QFileInfo(m_testPath).absolutePath());
        if (!dir.isEmpty())
            openTestArgument(QStringLiteral("path:") + QFileInfo(dir).absoluteFilePath());
    });
    m_recentFiles
        = new RecentMenu(tr("&Recent Files"), m_settings, QStringLiteral("recent/files"), this);
    m_recentTests
        = new RecentMenu(tr("Recent T&ests"), m_settings, QStringLiteral("recent/tests"), this);
    connect(m_recentFiles, &RecentMenu::chosen, this, [this](const QString &path) {
        QString error;
        if (!openFile(path, &error))
            QMessageBox::warning(this, tr("Open"), error);
    });
    // A file opened as the test opens so again; a test chosen inside a file
    // or flake goes through its reference.
    connect(m_recentTests, &RecentMenu::chosen, this, [this](const QString &entry) {
        QString error;
        if (!QFileInfo(entry).isFile())
            openTestArgument(entry);
        else if (!openTest(entry, &error))
            showOpenError(error);
    });
    file->addMenu(m_recentFiles);
    file->addMenu(m_recentTests);
    file->addSeparator();
    file->addAction(tr("&Save"), QKeySequence::Save, this, [this] {
        QString error;
        if (!m_editors->saveCurrent(&error))
            QMessageBox::warning(this, tr("Save"), error);
    });
    file->addAction(tr("Save A&ll"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S), this, [this] {
        QString error;
        if (!m_editors->saveAll(&error))
            QMessageBox::warning(this, tr("Save"), error);
    });
    file->addAction(tr("&Close File"), QKeySequence::Close, this,
        [this] { m_editors->closeEditor(m_editors->currentEditor()); });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    auto onEditor = [this](auto method) {
        return [this, method] {
            if (ScriptEditor *editor = m_editors->currentEditor())
                (editor->*method)();
        };
    };
    edit->addAction(tr("&Undo"), QKeySequence::Undo, this, onEditor(&QsciScintilla::undo));
    // One Redo key everywhere (the editor and the REPL take it too):
    // QKeySequence::Redo differs between desktops (Ctrl+Y or Ctrl+Shift+Z).
    edit->addAction(tr("&Redo"), redoKey(), this, onEditor(&QsciScintilla::redo));
    edit->addSeparator();
    FindBar *find = m_editors->findBar();
    edit->addAction(tr("&Find…"), QKeySequence::Find, find, &FindBar::showFind);
    edit->addAction(tr("Find &Next"), QKeySequence(Qt::Key_F3), find, &FindBar::findNext);
    edit->addAction(
        tr("Find &Previous"), QKeySequence(Qt::SHIFT | Qt::Key_F3), find, &FindBar::findPrevious);
    edit->addAction(
        tr("&Replace…"), QKeySequence(Qt::CTRL | Qt::Key_H), find, &FindBar::showReplace);
    edit->addSeparator();
    edit->addAction(tr("Toggle &Comment"), QKeySequence(Qt::CTRL | Qt::Key_Slash), this,
        onEditor(&ScriptEditor::toggleComment));
    edit->addAction(tr("&Go to Line…"), QKeySequence(Qt::CTRL | Qt::Key_G), this, [this] {
        ScriptEditor *editor = m_editors->currentEditor();
        if (!editor)
            return;
        int line = 0, index = 0;
        editor->getCursorPosition(&line, &index);
        bool ok = false;
        const int target = QInputDialog::getInt(this, tr("Go to Line"),
            tr("Line (1 to %1):").arg(editor->lines()), line + 1, 1, editor->lines(), 1, &ok);
        if (ok)
            editor->goToLine(target);
    });
    edit->addSeparator();
    edit->addAction(tr("Pr&eferences…"), QKeySequence::Preferences, this,
            [this] {
                auto *dialog = new SettingsDialog(m_settings, this);
                dialog->setAttribute(Qt::WA_DeleteOnClose);
                dialog->open();
            })
        ->setObjectName(QStringLiteral("PreferencesAction"));

    QMenu *debug = menuBar()->addMenu(tr("&Debug"));
    m_debug->addTo(debug);
    debug->addSeparator();
    debug
        ->addAction(tr("Run on &Host…"), this,
            [this] {
                auto *dialog = new QInputDialog(this);
                dialog->setAttribute(Qt::WA_DeleteOnClose);
                dialog->setWindowTitle(tr("Run on Host"));
                dialog->setLabelText(
                    tr("Run the driver on ssh://[user@]host[:port] (ssh options from "
                       "NIX_SSHOPTS); empty: this machine. Applies to the next run."));
                dialog->setTextValue(m_runHost);
                dialog->setObjectName(QStringLiteral("RunOnHostDialog"));
                connect(dialog, &QInputDialog::textValueSelected, this,
                    [this](const QString &text) { setRunHost(text.trimmed()); });
                dialog->open();
            })
        ->setObjectName(QStringLiteral("RunOnHostAction"));
    // Menu actions only fire from the window when it holds them.
    addActions(debug->actions());

    QToolBar *toolBar = addToolBar(tr("Debug"));
    toolBar->setObjectName(QStringLiteral("DebugToolBar"));
    toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_testSelector = new TestSelector(this);
    auto *testLabel = new QLabel(tr("Test:"), this);
    testLabel->setBuddy(m_testSelector);
    testLabel->setContentsMargins(4, 0, 4, 0);
    toolBar->addWidget(testLabel);
    toolBar->addWidget(m_testSelector);
    toolBar->addSeparator();
    m_debug->addTo(toolBar);

    m_viewMenu = menuBar()->addMenu(tr("&View"));
    for (QDockWidget *d : findChildren<QDockWidget *>())
        m_viewMenu->addAction(d->toggleViewAction());
    m_viewMenu->addAction(toolBar->toggleViewAction());
    m_viewMenu->addSeparator();
    m_viewMenu->addMenu(new EditorThemeMenu(m_settings, this));
    auto *review = new ReviewWindow(RunHistory::defaultBase(), this);
    connect(review, &ReviewWindow::locationActivated, this,
        [this](const QString &path, int line) { showLocation(path, line); });
    m_viewMenu->addAction(tr("Run &History and Screenshots"), review, &ReviewWindow::showAndRefresh)
        ->setObjectName(QStringLiteral("RunHistoryAction"));

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&Guide"), QKeySequence::HelpContents, this, [this] { showGuide(this); })
        ->setObjectName(QStringLiteral("GuideAction"));
    help->addAction(tr("&Keyboard Shortcuts"), this, [this] { showShortcuts(this); })
        ->setObjectName(QStringLiteral("ShortcutsAction"));
    help->addSeparator();
    help->addAction(tr("&About nixtide"), this, [this] {
        QMessageBox::about(this, tr("About nixtide"),
            tr("nixtide %1\nAn IDE for NixOS VM tests.").arg(QApplication::applicationVersion()));
    });
}

void MainWindow::createStatusBar()
{
    m_buildProgress->setMaximumWidth(220);
    m_buildProgress->setTextVisible(true);
    m_buildProgress->hide();
    m_cancelBuild->setDefaultAction(m_debug->cancelBuild);
    m_cancelBuild->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_cancelBuild->hide();
    statusBar()->addPermanentWidget(m_buildProgress);
    statusBar()->addPermanentWidget(m_cancelBuild);
    m_checksLabel = new QLabel(this);
    m_checksLabel->setObjectName(QStringLiteral("buildChecks"));
    statusBar()->addPermanentWidget(m_checksLabel);
    statusBar()->addPermanentWidget(m_stateLabel);
    statusBar()->addPermanentWidget(m_machinesLabel);
    statusBar()->addPermanentWidget(m_accelerationLabel);
    showHostAcceleration();
}

void MainWindow::followBuildChecks()
{
    for (const QMetaObject::Connection &c : std::as_const(m_checksConnections))
        disconnect(c);
    m_checksConnections.clear();
    if (ScriptEditor *editor = m_editors->currentEditor()) {
        m_checksConnections << connect(
            editor->lint(), &LintController::linted, this, &MainWindow::showBuildChecks)
                            << connect(editor->lint(), &LintController::typeChecked, this,
                                   &MainWindow::showBuildChecks);
    }
    showBuildChecks();
}

// What the test's build will check before any VM runs, as the user will
// meet it minutes in: said where it can be seen before building.
void MainWindow::showBuildChecks()
{
    ScriptEditor *editor = m_editors->currentEditor();
    if (!editor || !m_checksLabel) {
        if (m_checksLabel)
            m_checksLabel->clear();
        return;
    }
    const BuildChecks checks = editor->lint()->buildChecks();
    QStringList run;
    QStringList skipped;
    if (checks.lint)
        run << tr("lint");
    else
        skipped << QStringLiteral("skipLint");
    if (checks.typeCheck)
        run << tr("type check");
    else
        skipped << QStringLiteral("skipTypeCheck");
    QString text = tr("Build checks: %1").arg(run.isEmpty() ? tr("none") : run.join(tr(", ")));
    if (!skipped.isEmpty())
        text += QStringLiteral(" (%1)").arg(skipped.join(QStringLiteral(", ")));
    m_checksLabel->setText(text);
    const QString error = editor->lint()->typeCheckError();
    m_checksLabel->setToolTip(error.isEmpty()
            ? tr("What the test's build runs on the script before any VM: pyflakes and mypy "
                 "findings fail it. The editor shows the same findings.")
            : tr("The type check could not run here: %1").arg(error));
}

void MainWindow::showStatus(const QString &message)
{
    statusBar()->showMessage(message.section(u'\n', 0, 0), 10000);
}

void MainWindow::setBuildProgress(int done, int expected, const QString &text)
{
    m_buildProgress->setRange(0, expected);
    m_buildProgress->setValue(std::min(done, expected));
    m_buildProgress->setFormat(expected > 0 ? QStringLiteral("%v/%m") : QString());
    m_buildProgress->setToolTip(text);
    m_buildProgress->show();
    m_cancelBuild->show();
    m_buildOutput->setProgress(done, expected);
    if (!text.isEmpty())
        statusBar()->showMessage(text);
}

void MainWindow::hideBuildProgress()
{
    m_buildProgress->hide();
    m_cancelBuild->hide();
    statusBar()->clearMessage();
}

void MainWindow::setAcceleration(const QString &text, const QString &toolTip, bool warn)
{
    m_accelerationLabel->setText(text);
    m_accelerationLabel->setToolTip(toolTip);
    m_accelerationLabel->setStyleSheet(warn ? QStringLiteral("color: #a35200;") : QString());
}

bool MainWindow::setRunHost(const QString &host)
{
    SshTarget target;
    QString error;
    if (!host.isEmpty() && !SshTarget::parse(host, &target, &error)) {
        statusBar()->showMessage(error, 10000);
        return false;
    }
    m_runHost = host;
    m_settings->setValue(QStringLiteral("session/host"), m_runHost);
    statusBar()->showMessage(host.isEmpty() ? tr("The next run is on this machine.")
                                            : tr("The next run is on %1.").arg(host),
        5000);
    return true;
}

void MainWindow::showHostAcceleration()
{
    // Until a VM runs only the host can be asked; the running QEMUs then
    // say what they really use (SessionView).
    const bool kvm = hostKvmAvailable();
    setAcceleration(hostAccelerationText(kvm),
        kvm ? tr("This CPU has virtualisation extensions and /dev/kvm can create VMs; whether "
                 "a test's QEMU uses KVM depends on its options.")
            : tr("No usable KVM (no vmx/svm CPU flag, or /dev/kvm cannot create VMs): QEMU "
                 "emulates the CPU in software and guests run many times slower."),
        !kvm);
}

void MainWindow::connectEditorActions()
{
    m_editors->setBreakpointStore(m_breakpointStore);
    connect(
        m_breakpointStore, &BreakpointStore::requestsChanged, this, [this](const QString &path) {
            Q_EMIT breakpointsChanged(path, m_breakpointStore->breakpoints(path));
        });
    connect(m_editors, &EditorArea::currentEditorChanged, this, [this] {
        updateTitle();
        followBuildChecks();
    });
    connect(m_debug, &DebugActions::toggleBreakpointTriggered, this, [this] {
        if (ScriptEditor *editor = m_editors->currentEditor())
            editor->toggleBreakpoint(editor->cursorLine());
    });
    connect(m_debug, &DebugActions::runToCursorTriggered, this, [this] {
        if (ScriptEditor *editor = m_editors->currentEditor())
            Q_EMIT runToCursorRequested(editor->filePath(), editor->cursorLine());
    });
    connect(m_debug, &DebugActions::setNextStatementTriggered, this, [this] {
        if (ScriptEditor *editor = m_editors->currentEditor())
            Q_EMIT setNextStatementRequested(editor->filePath(), editor->cursorLine());
    });
    connect(m_debug, &DebugActions::runSelectionTriggered, this, &MainWindow::onRunSelection);
}

void MainWindow::onRunSelection()
{
    ScriptEditor *editor = m_editors->currentEditor();
    if (!editor)
        return;
    int lineFrom = 0;
    int indexFrom = 0;
    int lineTo = 0;
    int indexTo = 0;
    editor->getSelection(&lineFrom, &indexFrom, &lineTo, &indexTo);
    if (lineFrom < 0) {
        lineFrom = lineTo = editor->cursorLine() - 1;
    } else if (indexTo == 0 && lineTo > lineFrom) {
        --lineTo; // a selection ending at a line start does not include that line
    }
    // Whole lines: Python needs the statements complete.
    QString code;
    for (int line = lineFrom; line <= lineTo; ++line)
        code += editor->text(line);
    if (!code.trimmed().isEmpty())
        Q_EMIT runSelectionRequested(code, editor->filePath(), lineFrom + 1, lineTo + 1);
}

ScriptEditor *MainWindow::openFile(const QString &path, QString *error)
{
    return m_editors->openFile(QFileInfo(path).absoluteFilePath(), error);
}

void MainWindow::showOpenError(const QString &message)
{
    showStatus(message);
    // Not exec(): the GUI (and a running test) carry on behind the box.
    auto *box
        = new QMessageBox(QMessageBox::Warning, tr("Open Test"), message, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::openTestArgument(const QString &argument)
{
    showStatus(tr("Looking for tests in %1…").arg(argument));
    m_opener->open(argument);
}

bool MainWindow::openTest(const TestRef &test, const QString &file, QString *error)
{
    if (!openTestFile(file, error))
        return false;
    m_testRef = test;
    m_recentTests->add(test.toString());
    m_recentFiles->add(m_testPath);
    updateTitle();
    updateOutline();
    m_testSelector->refresh();
    return true;
}

bool MainWindow::openTest(const QString &path, QString *error)
{
    if (!openTestFile(path, error))
        return false;
    m_recentTests->add(m_testPath);
    m_recentFiles->add(m_testPath);
    return true;
}

bool MainWindow::openTestFile(const QString &path, QString *error)
{
    // Its tab comes to the front here: the selector must not take that
    // for a choice of its own.
    m_testSelector->setFollowTabs(false);
    ScriptEditor *editor = openFile(path, error);
    if (editor)
        openScriptFileOf(editor);
    m_testSelector->setFollowTabs(true);
    if (!editor)
        return false;
    m_testRef.reset();
    m_testPath = editor->filePath();
    updateTitle();
    updateOutline();
    m_testSelector->refresh();
    // The outline's script part follows edits (text only, no Nix call).
    if (editor->findChild<QTimer *>(QStringLiteral("OutlineTimer")))
        return true;
    auto *outlineTimer = new QTimer(editor);
    outlineTimer->setObjectName(QStringLiteral("OutlineTimer"));
    outlineTimer->setSingleShot(true);
    outlineTimer->setInterval(500);
    connect(editor, &QsciScintilla::textChanged, outlineTimer, qOverload<>(&QTimer::start));
    connect(outlineTimer, &QTimer::timeout, this, [this, editor] {
        if (editor->filePath() == m_testPath)
            m_outline->setScriptSource(m_testPath, editor->text());
    });
    return true;
}

void MainWindow::openScriptFileOf(ScriptEditor *test)
{
    if (!test->isNix())
        return;
    // `testScript = builtins.readFile ./x.py`: the script is edited and its
    // breakpoints set in x.py, so it opens beside the test, behind it.
    const ScriptLocation location = locateScriptInSource(test->text());
    if (!location.isScriptFile)
        return;
    const QString script = scriptValuePath(test->filePath(), location);
    QString error;
    if (script.isEmpty() || !QFileInfo(script).isFile() || !openFile(script, &error))
        return;
    m_editors->setCurrentEditor(test);
}

void MainWindow::updateOutline()
{
    ScriptEditor *editor = m_editors->editorFor(m_testPath);
    QString error;
    const std::optional<TestRef> ref = m_testRef ? m_testRef : TestRef::parse(m_testPath, &error);
    if (editor && editor->isNix() && ref)
        m_outline->setTest(*ref, m_testPath, editor->text());
    else if (editor && !editor->isNix())
        m_outline->setScriptFile(m_testPath, editor->text());
    if (!ref)
        return;
    // The explorer lists the tests around the open one: the flake's checks,
    // the file's tests, nixpkgs' nixosTests.
    TestRef source = *ref;
    if (source.kind == TestRef::Kind::Flake
        || (source.kind == TestRef::Kind::NixFile && !source.attrPath.isEmpty())) {
        const QStringList path = TestRef::splitAttrPath(source.attrPath);
        source.attrPath = path.value(0) == QLatin1StringView("nixosTests")
            ? QStringLiteral("nixosTests")
            : QString();
    }
    if (source.kind != TestRef::Kind::Bundle)
        m_explorer->setSource(source);
}

void MainWindow::updateTitle()
{
    ScriptEditor *editor = m_editors->currentEditor();
    const QString name
        = editor ? QFileInfo(editor->filePath()).fileName() : QFileInfo(m_testPath).fileName();
    setWindowTitle(
        name.isEmpty() ? QStringLiteral("nixtide") : QStringLiteral("%1 — nixtide").arg(name));
}

void MainWindow::showLocation(const QString &path, int line, int column)
{
    if (path.isEmpty() || line < 1)
        return;
    QString error;
    ScriptEditor *editor = openFile(path, &error);
    if (!editor) {
        statusBar()->showMessage(error, 5000);
        return;
    }
    // A file the debugger stopped in, or one reached from a frame, the log
    // or a breakpoint, is as recent as one opened by hand (Qt Creator's
    // Recent Files counts every file an editor opened).
    m_recentFiles->add(editor->filePath());
    editor->setCursorPosition(line - 1, std::max(0, column - 1));
    editor->ensureLineVisible(line - 1);
    editor->setFocus();
}

void MainWindow::setCurrentLocation(const QString &path, int line)
{
    for (ScriptEditor *editor : m_editors->editors())
        editor->setCurrentLine(editor->filePath() == QFileInfo(path).absoluteFilePath() ? line : 0);
    if (line > 0)
        showLocation(path, line);
}

void MainWindow::setSessionDetail(const QString &detail)
{
    m_stateLabel->setText(
        tr("Session: %1").arg(detail.isEmpty() ? sessionStateText(m_state) : detail));
}

QString MainWindow::sessionText() const
{
    return m_stateLabel->text();
}

void MainWindow::setSessionState(SessionState state)
{
    m_state = state;
    m_debug->setState(state);
    setSessionDetail({});
    m_repl->setReady(state == SessionState::Running || state == SessionState::Stopped);
    m_testSelector->setEnabled(state == SessionState::Idle || state == SessionState::Terminated);
    if (state != SessionState::Stopped) {
        for (ScriptEditor *editor : m_editors->editors())
            editor->setCurrentLine(0);
    }
}

QTabWidget *MainWindow::machineTabs() const
{
    return m_machinePanel;
}

MachineTab *MainWindow::machineTab(const QString &name) const
{
    return m_machinePanel->tab(name);
}

int MainWindow::machineCount() const
{
    return m_machinePanel->count();
}

void MainWindow::updateMachineCount()
{
    const int count = machineCount();
    m_machinesLabel->setText(count == 1 ? tr("1 machine") : tr("%1 machines").arg(count));
    m_machineArea->setCurrentIndex(count > 0 ? 1 : 0);
}

BreakpointList MainWindow::breakpointsFor(const QString &path) const
{
    return m_breakpointStore->breakpoints(path);
}

void MainWindow::restoreSession()
{
    m_breakpointStore->restore(m_settings->value(QStringLiteral("breakpoints")).toMap());
    restoreGeometry(m_settings->value(QStringLiteral("window/geometry")).toByteArray());
    // A layout saved before the docks were regrouped stays unused: it would
    // bring back four tabs in one group, their labels cut.
    if (restoreState(
            m_settings->value(QStringLiteral("window/state")).toByteArray(), kDockLayoutVersion))
        DockShares::restore(this, m_settings->value(QStringLiteral("window/dockShares")).toMap(),
            kEditorMinimumWidth + kMachineAreaMinimumWidth);
    m_centre->restoreState(m_settings->value(QStringLiteral("window/centre")).toByteArray());
    m_variablesView->setWatches(
        m_settings->value(QStringLiteral("session/watches")).toStringList());
    m_repl->input()->setHistory(
        m_settings->value(QStringLiteral("session/replHistory")).toStringList());

    // The saved current tab is shown, but the saved test stays the test.
    m_testSelector->setFollowTabs(false);
    m_testPath = m_settings->value(QStringLiteral("session/test")).toString();
    m_runHost = m_settings->value(QStringLiteral("session/host")).toString();
    QString refError;
    m_testRef = TestRef::parse(
        m_settings->value(QStringLiteral("session/testRef")).toString(), &refError);
    for (const QString &path :
        m_settings->value(QStringLiteral("session/openFiles")).toStringList()) {
        QString error;
        if (QFileInfo::exists(path) && !openFile(path, &error))
            statusBar()->showMessage(error, 5000);
    }
    const QString current = m_settings->value(QStringLiteral("session/currentFile")).toString();
    if (ScriptEditor *editor = m_editors->editorFor(current))
        m_editors->setCurrentEditor(editor);
    m_testSelector->setFollowTabs(true);
    m_testSelector->refresh();
    updateTitle();
}

void MainWindow::saveSession()
{
    m_settings->setValue(QStringLiteral("breakpoints"), m_breakpointStore->save());
    m_settings->setValue(QStringLiteral("window/geometry"), saveGeometry());
    m_settings->setValue(QStringLiteral("window/state"), saveState(kDockLayoutVersion));
    m_settings->setValue(QStringLiteral("window/dockShares"), DockShares::save(this));
    m_settings->setValue(QStringLiteral("window/centre"), m_centre->saveState());
    m_settings->setValue(QStringLiteral("session/openFiles"), m_editors->openFiles());
    m_settings->setValue(QStringLiteral("session/test"), m_testPath);
    m_settings->setValue(
        QStringLiteral("session/testRef"), m_testRef ? m_testRef->toString() : QString());
    ScriptEditor *current = m_editors->currentEditor();
    m_settings->setValue(
        QStringLiteral("session/currentFile"), current ? current->filePath() : QString());
    m_settings->setValue(QStringLiteral("session/watches"), m_variablesView->watches());
    // The last 200 entries are plenty to find a command again.
    m_settings->setValue(QStringLiteral("session/replHistory"),
        m_repl->input()->history().mid(
            std::max<qsizetype>(0, m_repl->input()->history().size() - 200)));
    m_settings->sync();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSession();
    if (!m_editors->closeAll()) {
        event->ignore();
        return;
    }
    event->accept();
}

} // namespace nixtide

namespace nixtide {

ScriptEditor *MainWindow::scriptEditorForCode() const
{
    ScriptEditor *editor = m_editors->currentEditor();
    if (editor && (editor->filePath() == m_testPath || !editor->filePath().endsWith(".nix")))
        return editor;
    return m_editors->editorFor(m_testPath);
}

bool MainWindow::insertScriptCode(const QString &machine, const QStringList &lines)
{
    QString error;
    ScriptEditor *editor = scriptEditorForCode();
    if (!insertScriptLines(editor, lines, &error)) {
        showStatus(tr("%1: %2").arg(machine, error));
        return false;
    }
    m_editors->setCurrentEditor(editor);
    showStatus(tr("Inserted %1").arg(lines.join(QStringLiteral("; "))));
    return true;
}

void MainWindow::saveRegionReference(
    const QString &machine, const QImage &screen, const QRect &region)
{
    DebugSession *session = m_machinePanel->session();
    QString test = session ? session->plan().bundle.testName : QString();
    if (test.isEmpty())
        test = QFileInfo(m_testPath).completeBaseName();
    ReferenceStore store(ReferenceStore::dirFor(m_testPath, test));
    const QString prefix = RunRecord::safeName(machine) + QStringLiteral("-region-");
    int n = 1;
    while (store.names().contains(prefix + QString::number(n)))
        ++n;
    const QString shot = QStringLiteral("region-%1").arg(n);
    const QString name = prefix + QString::number(n);
    QTemporaryDir scratch;
    const QString png = scratch.filePath(QStringLiteral("screen.png"));
    QString error;
    if (!scratch.isValid() || !screen.save(png, "PNG") || !store.accept(name, png, &error)) {
        showStatus(tr("cannot save the reference %1: %2")
                .arg(name, error.isEmpty() ? tr("cannot write %1").arg(png) : error));
        return;
    }
    std::optional<Reference> reference = store.load(name, &error);
    if (!reference) {
        showStatus(error);
        return;
    }
    // Only the region is compared: the rest of the screen is masked.
    const QRect all = screen.rect();
    const QRect r = region.intersected(all);
    reference->masks = {QRect(0, 0, all.width(), r.top()),
        QRect(0, r.bottom() + 1, all.width(), all.height() - r.bottom() - 1),
        QRect(0, r.top(), r.left(), r.height()),
        QRect(r.right() + 1, r.top(), all.width() - r.right() - 1, r.height())};
    reference->masks.removeIf([](const QRect &mask) { return mask.isEmpty(); });
    if (!store.saveSettings(*reference, &error)) {
        showStatus(error);
        return;
    }
    // The run must take the screenshot the reference is compared with.
    if (insertScriptCode(machine,
            {QStringLiteral("%1.screenshot(\"%2\")")
                    .arg(ScreenCode::machineVariable(machine), shot)}))
        showStatus(tr("Saved the reference %1 in %2").arg(name, store.dir()));
}

} // namespace nixtide
