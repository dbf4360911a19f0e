// The main window: debug actions and their shortcuts, enabled states,
// editor-context commands, status bar, and what persists across restarts.
#include "common/testfiles.h"
#include "ui/docks/breakpointsview.h"
#include "ui/docks/replwidget.h"
#include "ui/editor/editorarea.h"
#include "ui/editor/editortheme.h"
#include "ui/editor/findbar.h"
#include "ui/editor/scripteditor.h"
#include "ui/machines/machinepanel.h"
#include "ui/machines/machinetab.h"
#include "ui/mainwindow.h"
#include "ui/window/acceleration.h"
#include "ui/window/debugactions.h"
#include "ui/window/helpdialogs.h"
#include "ui/window/recentmenu.h"
#include "ui/window/settingsdialog.h"

#include <QAbstractItemDelegate>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFontDatabase>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStatusBar>
#include <QStyleOptionViewItem>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QToolBar>
#include <QTreeWidget>

#include <KSyntaxHighlighting/Repository>
#include <KSyntaxHighlighting/Theme>
#include <functional>
#include <memory>

using namespace nixtide;
using namespace nixtide::testing;

namespace {

QAction *actionFor(QWidget &window, const QKeySequence &key)
{
    for (QAction *action : window.findChildren<QAction *>()) {
        if (action->shortcuts().contains(key))
            return action;
    }
    return nullptr;
}

// With NIXTIDE_SHOTS=<dir>: a picture of `widget` for a person to look at.
void shot(QWidget *widget, const QString &name)
{
    const QString dir = qEnvironmentVariable("NIXTIDE_SHOTS");
    if (dir.isEmpty() || !widget)
        return;
    QTest::qWait(300); // let it paint
    widget->grab().save(QDir(dir).filePath(name));
}

const QByteArray kScript = "machine.start()\n"
                           "machine.wait_for_unit('default.target')\n"
                           "machine.succeed('true')\n"
                           "machine.shutdown()\n";

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_script;

    QString settingsPath() const { return m_dir.filePath(QStringLiteral("nixtide.conf")); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_script = m_dir.filePath(QStringLiteral("script.py"));
        QVERIFY(writeFile(m_script, kScript));
    }

    void everyDebugShortcutExists()
    {
        QSettings settings(settingsPath(), QSettings::IniFormat);
        MainWindow window(&settings, m_dir.filePath(QStringLiteral("recovery")));
        const QList<QKeySequence> keys = {
            QKeySequence(Qt::Key_F5), QKeySequence(Qt::SHIFT | Qt::Key_F5),
            QKeySequence(Qt::Key_F9), QKeySequence(Qt::Key_F10), QKeySequence(Qt::Key_F11),
            QKeySequence(Qt::SHIFT | Qt::Key_F11), QKeySequence(Qt::CTRL | Qt::Key_F5),
            QKeySequence(Qt::Key_F6), QKeySequence(Qt::CTRL | Qt::Key_F10),
            QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F10),
            QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E),
            QKeySequence::Find, QKeySequence(Qt::Key_F3), QKeySequence(Qt::CTRL | Qt::Key_H),
            QKeySequence::Undo,
            QKeySequence(
                Qt::CTRL | Qt::SHIFT | Qt::Key_Z), // one Redo key, see oneRedoKeyEverywhere
        };
        for (const QKeySequence &key : keys)
            QVERIFY2(actionFor(window, key), qPrintable(key.toString()));
        // No window-wide key is bound twice (an ambiguous shortcut fires
        // nothing). Widget-local ones (Delete in a list) do not collide.
        QList<QKeySequence> seen;
        for (QAction *action : window.findChildren<QAction *>()) {
            if (action->shortcutContext() == Qt::WidgetShortcut)
                continue;
            for (const QKeySequence &key : action->shortcuts()) {
                QVERIFY2(!seen.contains(key), qPrintable(key.toString()));
                seen.append(key);
            }
        }
    }

    void actionsFollowTheSessionState()
    {
        DebugActions actions;
        actions.setState(SessionState::Idle);
        QVERIFY(actions.runContinue->isEnabled());
        QVERIFY(!actions.stepOver->isEnabled());
        QVERIFY(!actions.stop->isEnabled());
        QVERIFY(!actions.runSelection->isEnabled());
        actions.setState(SessionState::Running);
        QVERIFY(!actions.runContinue->isEnabled());
        QVERIFY(actions.pause->isEnabled());
        QVERIFY(actions.stop->isEnabled());
        QVERIFY(actions.restartScript->isEnabled());
        QVERIFY(!actions.stepIn->isEnabled());
        actions.setState(SessionState::Stopped);
        QVERIFY(actions.runContinue->isEnabled());
        QVERIFY(!actions.pause->isEnabled());
        QVERIFY(actions.stepOver->isEnabled() && actions.stepIn->isEnabled()
            && actions.stepOut->isEnabled());
        QVERIFY(actions.runSelection->isEnabled());
        actions.setState(SessionState::Building);
        QVERIFY(!actions.runContinue->isEnabled());
        QVERIFY(actions.stop->isEnabled());
    }

    void shortcutsEmitTheirRequests()
    {
        QSettings settings(settingsPath(), QSettings::IniFormat);
        MainWindow window(&settings, m_dir.filePath(QStringLiteral("recovery")));
        QString error;
        QVERIFY2(window.openTest(m_script, &error), qPrintable(error));
        window.show();
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        ScriptEditor *editor = window.editorArea()->currentEditor();
        QVERIFY(editor);
        editor->setFocus();

        DebugActions *debug = window.debugActions();
        QSignalSpy run(debug, &DebugActions::runRequested);
        QSignalSpy cont(debug, &DebugActions::continueRequested);
        QSignalSpy stepOver(debug, &DebugActions::stepOverRequested);
        QSignalSpy stepIn(debug, &DebugActions::stepInRequested);
        QSignalSpy stepOut(debug, &DebugActions::stepOutRequested);
        QSignalSpy pause(debug, &DebugActions::pauseRequested);
        QSignalSpy stop(debug, &DebugActions::stopRequested);
        QSignalSpy restart(debug, &DebugActions::restartScriptRequested);
        QSignalSpy toCursor(&window, &MainWindow::runToCursorRequested);
        QSignalSpy selection(&window, &MainWindow::runSelectionRequested);

        QTest::keyClick(editor, Qt::Key_F5);
        QCOMPARE(run.count(), 1);
        QTest::keyClick(editor, Qt::Key_F10); // disabled while idle
        QCOMPARE(stepOver.count(), 0);

        window.setSessionState(SessionState::Running);
        QTest::keyClick(editor, Qt::Key_F6);
        QCOMPARE(pause.count(), 1);
        QTest::keyClick(editor, Qt::Key_F5, Qt::ControlModifier);
        QCOMPARE(restart.count(), 1);

        window.setSessionState(SessionState::Stopped);
        QTest::keyClick(editor, Qt::Key_F5);
        QCOMPARE(cont.count(), 1);
        QCOMPARE(run.count(), 1);
        QTest::keyClick(editor, Qt::Key_F10);
        QTest::keyClick(editor, Qt::Key_F11);
        QTest::keyClick(editor, Qt::Key_F11, Qt::ShiftModifier);
        QCOMPARE(stepOver.count(), 1);
        QCOMPARE(stepIn.count(), 1);
        QCOMPARE(stepOut.count(), 1);

        editor->setCursorPosition(2, 3);
        QTest::keyClick(editor, Qt::Key_F10, Qt::ControlModifier);
        QCOMPARE(toCursor.count(), 1);
        QCOMPARE(toCursor.at(0).at(0).toString(), editor->filePath());
        QCOMPARE(toCursor.at(0).at(1).toInt(), 3);

        // Lines 2–3 selected, ending at the start of line 4.
        editor->setSelection(1, 4, 3, 0);
        QTest::keyClick(editor, Qt::Key_Return, Qt::ControlModifier);
        QCOMPARE(selection.count(), 1);
        QCOMPARE(selection.at(0).at(0).toString(),
            QStringLiteral("machine.wait_for_unit('default.target')\nmachine.succeed('true')\n"));
        QCOMPARE(selection.at(0).at(2).toInt(), 2);
        QCOMPARE(editor->text(), QString::fromUtf8(kScript)); // no newline was typed

        editor->setCursorPosition(3, 0);
        QTest::keyClick(editor, Qt::Key_E, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(selection.count(), 2);
        QCOMPARE(selection.at(1).at(0).toString(), QStringLiteral("machine.shutdown()\n"));

        QSignalSpy breakpoints(&window, &MainWindow::breakpointsChanged);
        QTest::keyClick(editor, Qt::Key_F9);
        QCOMPARE(breakpoints.count(), 1);
        QCOMPARE(editor->breakpoints(), BreakpointList({{4, {}}}));
        QCOMPARE(window.breakpointsView()->breakpointCount(), 1);

        QTest::keyClick(editor, Qt::Key_F5, Qt::ShiftModifier);
        QCOMPARE(stop.count(), 1);
        window.setSessionState(SessionState::Terminated);
        QVERIFY(window.debugActions()->runContinue->isEnabled());
        QCOMPARE(window.debugActions()->runContinue->text(), QStringLiteral("&Run"));
    }

    void accelerationFacts()
    {
        const QString withVmx = m_dir.filePath(QStringLiteral("cpuinfo-vmx"));
        const QString without = m_dir.filePath(QStringLiteral("cpuinfo-plain"));
        QVERIFY(writeFile(withVmx, "processor\t: 0\nflags\t\t: fpu vme vmx sse2\n"));
        QVERIFY(writeFile(without, "processor\t: 0\nflags\t\t: fpu vme sse2 vmxfoo\n"));
        QVERIFY(cpuHasVirtualisation(withVmx));
        QVERIFY(!cpuHasVirtualisation(without));

        // This test process holds no KVM descriptor; a QEMU under KVM holds
        // anon_inode:kvm-vm (a fake /proc shows the shape).
        QCOMPARE(processUsesKvm(QCoreApplication::applicationPid()), std::optional<bool>(false));
        QCOMPARE(processUsesKvm(0), std::optional<bool>());
        const QString proc = m_dir.filePath(QStringLiteral("proc"));
        QVERIFY(QDir().mkpath(proc + QStringLiteral("/42/fd")));
        QVERIFY(QFile::link(QStringLiteral("/dev/null"), proc + QStringLiteral("/42/fd/0")));
        QCOMPARE(processUsesKvm(42, proc), std::optional<bool>(false));
        QVERIFY(
            QFile::link(QStringLiteral("anon_inode:kvm-vm"), proc + QStringLiteral("/42/fd/9")));
        QCOMPARE(processUsesKvm(42, proc), std::optional<bool>(true));
        QCOMPARE(processUsesKvm(43, proc), std::optional<bool>());

        QCOMPARE(machinesAccelerationText({true, true}), QStringLiteral("KVM"));
        QCOMPARE(machinesAccelerationText({false}), QStringLiteral("software emulation (no KVM)"));
        QCOMPARE(machinesAccelerationText({true, false}), QStringLiteral("KVM on 1 of 2 machines"));
    }

    void statusBarShowsStateMachinesAndAcceleration()
    {
        QSettings settings(settingsPath(), QSettings::IniFormat);
        MainWindow window(&settings, m_dir.filePath(QStringLiteral("recovery")));
        // No VM runs: the label says what the host offers, which needs
        // both a usable /dev/kvm and the CPU's virtualisation flags.
        QCOMPARE(window.accelerationLabel()->text(), hostAccelerationText(hostKvmAvailable()));
        QCOMPARE(hostKvmAvailable(), kvmUsable() && cpuHasVirtualisation());
        QVERIFY(!kvmUsable(m_dir.filePath(QStringLiteral("no-such-kvm"))));
        window.setAcceleration(machinesAccelerationText({false}), {}, true);
        QCOMPARE(window.accelerationLabel()->text(), QStringLiteral("software emulation (no KVM)"));
        window.showHostAcceleration();
        QCOMPARE(window.accelerationLabel()->text(), hostAccelerationText(hostKvmAvailable()));
        auto labels = [&] {
            QStringList texts;
            for (QLabel *label : window.statusBar()->findChildren<QLabel *>())
                texts.append(label->text());
            return texts;
        };
        QVERIFY(labels().contains(QStringLiteral("0 machines")));
        QVERIFY(labels().contains(QStringLiteral("Session: Idle")));
        // The machine area is the MachinePanel; with no session it has no tab.
        QVERIFY(window.machinePanel());
        QCOMPARE(window.machineTabs(), window.machinePanel());
        QCOMPARE(window.machineCount(), 0);
        window.setSessionState(SessionState::Stopped);
        QVERIFY(labels().contains(QStringLiteral("Session: Paused")));
        QVERIFY(labels().contains(QStringLiteral("0 machines")));
    }

    // A dock title becomes the View menu's text, where '&' is a mnemonic:
    // "Variables & Watch" showed as "Variables _Watch".
    void viewMenuShowsDockTitlesAsWritten()
    {
        QSettings settings(settingsPath(), QSettings::IniFormat);
        MainWindow window(&settings, m_dir.filePath(QStringLiteral("recovery")));
        const QList<QDockWidget *> docks = window.findChildren<QDockWidget *>();
        QVERIFY(docks.size() > 3);
        for (QDockWidget *dock : docks)
            QVERIFY2(
                !dock->toggleViewAction()->text().contains(u'&'), qPrintable(dock->windowTitle()));
    }

    // The build's checks are said before any build, from the open test.
    void statusBarSaysWhichChecksTheBuildRuns()
    {
        QSettings settings(settingsPath(), QSettings::IniFormat);
        MainWindow window(&settings, m_dir.filePath(QStringLiteral("recovery")));
        auto *checks = window.statusBar()->findChild<QLabel *>(QStringLiteral("buildChecks"));
        QVERIFY(checks);
        const QString nix = m_dir.filePath(QStringLiteral("checks.nix"));
        QVERIFY(writeFile(nix,
            "{ ... }:\n{\n  name = \"checks\";\n  nodes.machine = { ... }: { };\n"
            "  testScript = ''\n    machine.start()\n  '';\n}\n"));
        QString error;
        QVERIFY2(window.openTest(nix, &error), qPrintable(error));
        QTRY_COMPARE(checks->text(), QStringLiteral("Build checks: lint, type check"));
        QVERIFY(writeFile(nix,
            "{ ... }:\n{\n  name = \"checks\";\n  skipTypeCheck = true;\n"
            "  nodes.machine = { ... }: { };\n"
            "  testScript = ''\n    machine.start()\n  '';\n}\n"));
        const QString other = m_dir.filePath(QStringLiteral("skips.nix"));
        QVERIFY(QFile::rename(nix, other));
        QVERIFY2(window.openTest(other, &error), qPrintable(error));
        QTRY_COMPARE(checks->text(), QStringLiteral("Build checks: lint (skipTypeCheck)"));
    }

    void layoutFilesAndBreakpointsPersist()
    {
        // Not a test of its own: opening a test file would make it the test.
        const QString other = m_dir.filePath(QStringLiteral("other.nix"));
        QVERIFY(writeFile(other, "{ nodes.machine = { }; }\n"));
        const QString conf = m_dir.filePath(QStringLiteral("persist.conf"));
        {
            QSettings settings(conf, QSettings::IniFormat);
            MainWindow window(&settings, m_dir.filePath(QStringLiteral("recovery")));
            window.restoreSession(); // nothing saved yet
            QString error;
            QVERIFY(window.openTest(m_script, &error));
            ScriptEditor *editor = window.editorArea()->currentEditor();
            editor->setBreakpoint(2);
            editor->setBreakpoint(3, QStringLiteral("x > 1"));
            QVERIFY(window.openFile(other, &error));
            window.dock(MainWindow::Dock::Repl)->hide();
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            window.close(); // saves the session
        }
        QSettings settings(conf, QSettings::IniFormat);
        MainWindow window(&settings, m_dir.filePath(QStringLiteral("recovery")));
        window.restoreSession();
        QCOMPARE(window.editorArea()->openFiles(),
            QStringList(
                {QFileInfo(m_script).absoluteFilePath(), QFileInfo(other).absoluteFilePath()}));
        QCOMPARE(
            window.editorArea()->currentEditor()->filePath(), QFileInfo(other).absoluteFilePath());
        QCOMPARE(window.testPath(), QFileInfo(m_script).absoluteFilePath());
        ScriptEditor *script = window.editorArea()->editorFor(m_script);
        QCOMPARE(script->breakpoints(), BreakpointList({{2, {}}, {3, QStringLiteral("x > 1")}}));
        QCOMPARE(window.breakpointsView()->breakpointCount(), 2);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.dock(MainWindow::Dock::Repl)->isHidden());
        QVERIFY(!window.dock(MainWindow::Dock::Log)->isHidden());
    }

    // Every menu label shows as written: at most one mnemonic, on a letter
    // or digit, and no stray '&' (a literal one is "&&").
    void everyMenuLabelIsClean()
    {
        QSettings settings(settingsPath(), QSettings::IniFormat);
        MainWindow window(&settings, m_dir.filePath(QStringLiteral("recovery")));
        QString error;
        QVERIFY(window.openTest(m_script, &error)); // Recent menus get entries
        QStringList checked;
        std::function<void(QMenu *)> walk = [&](QMenu *menu) {
            Q_EMIT menu->aboutToShow(); // menus that fill themselves
            for (QAction *action : menu->actions()) {
                if (action->isSeparator())
                    continue;
                QString text = action->text();
                checked << text;
                text.remove(QStringLiteral("&&"));
                const qsizetype at = text.indexOf(u'&');
                QVERIFY2(text.count(u'&') <= 1, qPrintable(action->text()));
                QVERIFY2(at < 0 || (at + 1 < text.size() && text.at(at + 1).isLetterOrNumber()),
                    qPrintable(action->text()));
                if (action->menu())
                    walk(action->menu());
            }
        };
        for (QAction *top : window.menuBar()->actions()) {
            QVERIFY(top->menu());
            walk(top->menu());
        }
        QVERIFY(checked.size() > 30);
    }

    // One Redo key everywhere: the menu says it, the editor and the REPL do it.
    void oneRedoKeyEverywhere()
    {
        QSettings settings(settingsPath(), QSettings::IniFormat);
        MainWindow window(&settings, m_dir.filePath(QStringLiteral("recovery")));
        QString error;
        QVERIFY(window.openTest(m_script, &error));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const QKeySequence redo(Qt::CTRL | Qt::SHIFT | Qt::Key_Z);
        QAction *menuRedo = actionFor(window, redo);
        QVERIFY(menuRedo);
        QCOMPARE(menuRedo->shortcuts(), QList<QKeySequence>({redo}));
        QVERIFY(!actionFor(window, QKeySequence(Qt::CTRL | Qt::Key_Y)));

        ScriptEditor *editor = window.editorArea()->currentEditor();
        editor->setFocus();
        editor->setCursorPosition(0, 0);
        const QString before = editor->text();
        QTest::keyClicks(editor, QStringLiteral("x"));
        QCOMPARE(editor->text(), QStringLiteral("x") + before);
        QTest::keyClick(editor, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(editor->text(), before);
        QTest::keyClick(editor, Qt::Key_Y, Qt::ControlModifier);
        QCOMPARE(editor->text(), before); // not a second Redo key
        QTest::keyClick(editor, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(editor->text(), QStringLiteral("x") + before);
        editor->undo();
        editor->setModified(false);

        ReplInput *input = window.replWidget()->input();
        input->setFocus();
        QTest::keyClicks(input, QStringLiteral("abc"));
        QTest::keyClick(input, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(input->toPlainText(), QString());
        QTest::keyClick(input, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(input->toPlainText(), QStringLiteral("abc"));
    }

    // The find field keeps a usable width next to a narrow editor.
    void findFieldKeepsItsWidth()
    {
        QSettings settings(settingsPath(), QSettings::IniFormat);
        MainWindow window(&settings, m_dir.filePath(QStringLiteral("recovery")));
        QString error;
        QVERIFY(window.openTest(m_script, &error));
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        FindBar *find = window.editorArea()->findBar();
        find->showFind();
        QTRY_VERIFY(find->isVisible());
        shot(&window, QStringLiteral("find.png"));
        const int chars
            = find->findField()->width() / find->findField()->fontMetrics().averageCharWidth();
        QVERIFY2(chars >= 24, qPrintable(QString::number(chars)));
        QVERIFY(find->width() <= window.editorArea()->width());
    }

    // File > Recent Files / Recent Tests remember what was opened, across
    // windows, and open it again.
    void recentFilesAndTests()
    {
        const QString conf = m_dir.filePath(QStringLiteral("recent.conf"));
        const QString other = m_dir.filePath(QStringLiteral("other.py"));
        QVERIFY(writeFile(other, "print(1)\n"));
        {
            QSettings settings(conf, QSettings::IniFormat);
            MainWindow window(&settings, m_dir.filePath(QStringLiteral("recovery")));
            QString error;
            QVERIFY(window.openTest(other, &error));
            QVERIFY(window.openTest(m_script, &error));
        }
        QSettings settings(conf, QSettings::IniFormat);
        MainWindow window(&settings, m_dir.filePath(QStringLiteral("recovery")));
        const QList<RecentMenu *> menus = window.findChildren<RecentMenu *>();
        QCOMPARE(menus.size(), 2);
        RecentMenu *tests = nullptr;
        for (RecentMenu *menu : menus) {
            QCOMPARE(menu->entries().value(0), m_script);
            QCOMPARE(menu->entries().value(1), other);
            if (menu->title().contains(QStringLiteral("T&ests")))
                tests = menu;
        }
        QVERIFY(tests);
        Q_EMIT tests->aboutToShow();
        QCOMPARE(tests->actions().size(), 2);
        QCOMPARE(tests->actions().at(1)->text(), QStringLiteral("&2 other.py"));
        window.show();
        tests->popup(window.mapToGlobal(QPoint(40, 40)));
        shot(tests, QStringLiteral("recent-tests.png"));
        tests->hide();
        QSignalSpy chosen(tests, &RecentMenu::chosen);
        tests->actions().at(1)->trigger();
        QCOMPARE(chosen.count(), 1);
        QTRY_COMPARE(window.testPath(), other);
    }

    // A file the debugger stops in (SessionView shows each stop through
    // setCurrentLocation) is a recent file like one opened by hand; it is
    // not a test, so Recent Tests stays as it was.
    void recentFilesListWhereTheDebuggerStopped()
    {
        const QString conf = m_dir.filePath(QStringLiteral("recent-stop.conf"));
        const QString helper = m_dir.filePath(QStringLiteral("helper.py"));
        QVERIFY(writeFile(helper, "def check():\n    return 1\n"));
        {
            QSettings settings(conf, QSettings::IniFormat);
            MainWindow window(&settings, m_dir.filePath(QStringLiteral("recovery")));
            QString error;
            QVERIFY(window.openTest(m_script, &error));
            window.setCurrentLocation(helper, 2);
            QCOMPARE(window.editorArea()->currentEditor()->filePath(), helper);
            window.setCurrentLocation(m_script, 3);
        }
        QSettings settings(conf, QSettings::IniFormat);
        MainWindow window(&settings, m_dir.filePath(QStringLiteral("recovery")));
        RecentMenu *files = nullptr;
        RecentMenu *tests = nullptr;
        for (RecentMenu *menu : window.findChildren<RecentMenu *>())
            (menu->title().contains(QStringLiteral("T&ests")) ? tests : files) = menu;
        QVERIFY(files && tests);
        QCOMPARE(files->entries(), QStringList({m_script, helper}));
        QCOMPARE(tests->entries(), QStringList({m_script}));
        Q_EMIT files->aboutToShow();
        QCOMPARE(files->actions().size(), 2);
        QCOMPARE(files->actions().at(1)->text(), QStringLiteral("&2 helper.py"));
        files->actions().at(1)->trigger();
        QTRY_COMPARE(window.editorArea()->currentEditor()->filePath(), helper);
    }

    // Help: a short guide and every shortcut, read from the menus.
    void helpShowsTheGuideAndTheShortcuts()
    {
        QSettings settings(settingsPath(), QSettings::IniFormat);
        MainWindow window(&settings, m_dir.filePath(QStringLiteral("recovery")));
        const QString shortcuts = shortcutList(&window);
        for (const QString &row : {QStringLiteral("Edit > Go to Line…\tCtrl+G"),
                 QStringLiteral("Edit > Toggle Comment\tCtrl+/"),
                 QStringLiteral("Debug > Set Next Statement\tCtrl+Shift+F10"),
                 QStringLiteral("Edit > Redo\tCtrl+Shift+Z")})
            QVERIFY2(shortcuts.contains(row), qPrintable(row + u'\n' + shortcuts));
        auto *guide = window.findChild<QAction *>(QStringLiteral("GuideAction"));
        QVERIFY(guide && window.findChild<QAction *>(QStringLiteral("ShortcutsAction")));
        guide->trigger();
        auto *browser = window.findChild<QTextBrowser *>(QStringLiteral("GuideBrowser"));
        QVERIFY(browser);
        QVERIFY2(browser->toPlainText().contains(QStringLiteral("Set Next Statement")),
            qPrintable(browser->toPlainText().left(200)));
        shot(browser->window(), QStringLiteral("guide.png"));
        window.findChild<QAction *>(QStringLiteral("ShortcutsAction"))->trigger();
        auto *tree = window.findChild<QWidget *>(QStringLiteral("ShortcutTree"));
        QVERIFY(tree);
        shot(tree->window(), QStringLiteral("shortcuts.png"));
    }

    // The Breakpoints view edits a condition, a hit count and a log
    // message in place; the editor, the session and the settings get them.
    void breakpointsEditInPlace()
    {
        const QString conf = m_dir.filePath(QStringLiteral("bp-edit.conf"));
        {
            QSettings settings(conf, QSettings::IniFormat);
            MainWindow window(&settings, m_dir.filePath(QStringLiteral("recovery")));
            QString error;
            QVERIFY(window.openTest(m_script, &error));
            ScriptEditor *editor = window.editorArea()->currentEditor();
            editor->setBreakpoint(3);
            BreakpointsView *view = window.breakpointsView();
            QCOMPARE(view->topLevelItemCount(), 1);
            QTreeWidgetItem *item = view->topLevelItem(0);
            // Only those three cells take an editor.
            QStyleOptionViewItem option;
            const auto editorFor = [&](int column) {
                std::unique_ptr<QWidget> widget(view->itemDelegate()->createEditor(
                    view->viewport(), option, view->model()->index(0, column)));
                return widget != nullptr;
            };
            QVERIFY(!editorFor(BreakpointsView::LocationColumn));
            QVERIFY(editorFor(BreakpointsView::ConditionColumn));
            QVERIFY(editorFor(BreakpointsView::HitsColumn));
            QVERIFY(editorFor(BreakpointsView::LogColumn));
            QVERIFY(!editorFor(BreakpointsView::ProblemColumn));

            QSignalSpy changed(&window, &MainWindow::breakpointsChanged);
            item->setText(BreakpointsView::ConditionColumn, QStringLiteral(" x > 1 "));
            item = view->topLevelItem(0);
            item->setText(BreakpointsView::HitsColumn, QStringLiteral(">= 2"));
            item = view->topLevelItem(0);
            item->setText(BreakpointsView::LogColumn, QStringLiteral("x is {x}"));
            QVERIFY(changed.count() >= 3);
            window.resize(1280, 800);
            window.show();
            if (QDockWidget *dock = window.dock(MainWindow::Dock::Breakpoints)) {
                dock->show();
                dock->raise();
                window.resizeDocks({dock}, {700}, Qt::Horizontal);
            }
            view->setCurrentItem(view->topLevelItem(0), BreakpointsView::HitsColumn);
            view->editItem(view->topLevelItem(0), BreakpointsView::HitsColumn);
            shot(&window, QStringLiteral("breakpoints-edit.png"));
            const Breakpoint expected {
                3, QStringLiteral("x > 1"), QStringLiteral(">= 2"), QStringLiteral("x is {x}")};
            QCOMPARE(editor->breakpoints(), BreakpointList({expected}));
            QCOMPARE(changed.last().at(1).value<BreakpointList>(), BreakpointList({expected}));
            QCOMPARE(
                view->topLevelItem(0)->text(BreakpointsView::HitsColumn), QStringLiteral(">= 2"));
            // The editor's own condition dialog keeps the other two.
            editor->setBreakpoint(3, QStringLiteral("x > 2"));
            QCOMPARE(editor->breakpoints().value(0).hitCondition, QStringLiteral(">= 2"));
            window.saveSession();
        }
        QSettings settings(conf, QSettings::IniFormat);
        MainWindow window(&settings, m_dir.filePath(QStringLiteral("recovery")));
        window.restoreSession();
        const BreakpointList saved = window.breakpointsFor(m_script);
        QCOMPARE(saved.size(), 1);
        QCOMPARE(saved.first().condition, QStringLiteral("x > 2"));
        QCOMPARE(saved.first().hitCondition, QStringLiteral(">= 2"));
        QCOMPARE(saved.first().logMessage, QStringLiteral("x is {x}"));
    }

    // Edit > Preferences: theme, font, tab width and run-record retention
    // apply to open editors at once and come back in a new window.
    void preferencesApplyAndPersist()
    {
        const QString conf = m_dir.filePath(QStringLiteral("prefs.conf"));
        const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
        {
            QSettings settings(conf, QSettings::IniFormat);
            MainWindow window(&settings, m_dir.filePath(QStringLiteral("recovery")));
            QString error;
            QVERIFY(window.openTest(m_script, &error));
            ScriptEditor *editor = window.editorArea()->currentEditor();
            QCOMPARE(editor->tabWidth(), 4); // Python, by language
            auto *action = window.findChild<QAction *>(QStringLiteral("PreferencesAction"));
            QVERIFY(action);
            action->trigger();
            auto *dialog = window.findChild<SettingsDialog *>();
            QVERIFY(dialog);
            dialog->themeBox()->setCurrentIndex(
                dialog->themeBox()->findData(QStringLiteral("Breeze Dark")));
            QVERIFY(dialog->themeBox()->currentText().startsWith(QStringLiteral("Dark")));
            dialog->fontSizeBox()->setValue(17);
            dialog->tabWidthBox()->setValue(3);
            dialog->keepRunsBox()->setValue(12);
            dialog->keepDaysBox()->setValue(30);
            dialog->apply();
            shot(dialog, QStringLiteral("preferences.png"));
            window.resize(1280, 800);
            window.show();
            shot(&window, QStringLiteral("preferences-applied.png"));
            QCOMPARE(EditorTheme::instance()->chosenName(), QStringLiteral("Breeze Dark"));
            QCOMPARE(editor->tabWidth(), 3);
            QCOMPARE(int(editor->SendScintilla(QsciScintillaBase::SCI_STYLEGETSIZE,
                         static_cast<unsigned long>(QsciScintillaBase::STYLE_DEFAULT))),
                17);
            dialog->reject();
        }
        // As a fresh start would have it.
        EditorTheme::instance()->choose({}, nullptr);
        EditorTheme::instance()->setFont(mono, nullptr);
        EditorTheme::instance()->setTabWidth(0, nullptr);
        {
            QSettings settings(conf, QSettings::IniFormat);
            MainWindow window(&settings, m_dir.filePath(QStringLiteral("recovery")));
            QCOMPARE(EditorTheme::instance()->chosenName(), QStringLiteral("Breeze Dark"));
            QCOMPARE(EditorTheme::instance()->font().pointSize(), 17);
            QCOMPARE(EditorTheme::instance()->tabWidth(), 3);
            SettingsDialog dialog(&settings);
            QCOMPARE(dialog.keepRunsBox()->value(), 12);
            QCOMPARE(dialog.keepDaysBox()->value(), 30);
            QCOMPARE(dialog.tabWidthBox()->value(), 3);
        }
        EditorTheme::instance()->choose({}, nullptr);
        EditorTheme::instance()->setFont(mono, nullptr);
        EditorTheme::instance()->setTabWidth(0, nullptr);
    }

    void theEditorThemeChoiceIsRemembered()
    {
        const QString conf = m_dir.filePath(QStringLiteral("theme.conf"));
        QString error;
        {
            QSettings settings(conf, QSettings::IniFormat);
            MainWindow window(&settings, m_dir.filePath(QStringLiteral("recovery")));
            auto *menu = window.findChild<QMenu *>(QStringLiteral("EditorThemeMenu"));
            QVERIFY(menu);
            QAction *follow = menu->actions().value(0);
            QVERIFY(follow && follow->isChecked()); // nothing chosen yet
            QAction *dark = nullptr;
            for (QAction *action : menu->actions()) {
                if (action->data().toString() == QLatin1String("Breeze Dark"))
                    dark = action;
            }
            QVERIFY(dark);
            dark->trigger();
            QVERIFY(dark->isChecked() && !follow->isChecked());
            QVERIFY(window.openFile(m_script, &error));
            const auto background
                = static_cast<unsigned long>(window.editorArea()->currentEditor()->SendScintilla(
                    QsciScintillaBase::SCI_STYLEGETBACK,
                    static_cast<unsigned long>(QsciScintillaBase::STYLE_DEFAULT)));
            const QRgb expected = EditorTheme::repository()
                                      .theme(QStringLiteral("Breeze Dark"))
                                      .editorColor(KSyntaxHighlighting::Theme::BackgroundColor);
            QCOMPARE(QColor(int(background & 0xff), int((background >> 8) & 0xff),
                         int((background >> 16) & 0xff)),
                QColor::fromRgb(expected));
        }
        EditorTheme::instance()->choose({}, nullptr); // as a fresh start would have it
        QSettings settings(conf, QSettings::IniFormat);
        MainWindow window(&settings, m_dir.filePath(QStringLiteral("recovery")));
        QCOMPARE(EditorTheme::instance()->chosenName(), QStringLiteral("Breeze Dark"));
        auto *menu = window.findChild<QMenu *>(QStringLiteral("EditorThemeMenu"));
        QVERIFY(menu && !menu->actions().value(0)->isChecked());
        EditorTheme::instance()->choose({}, nullptr);
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
