// The window as a new user meets it (issue 13), end to end with the real
// demo tests, Nix and QEMU under Xvfb at 1280×800:
// - dock sizes saved in a larger window come back as the same share; one
//   file by two paths is one tab;
// - a passing run of single.nix: the driver's screenshot line in the machine
//   pane leaves the editor at least 400 px; the status after the script is
//   not "Running" and Pause is off; a breakpoint outside the testScript is
//   refused with a reason; Stop is reported as a stop, not as a failure;
//   the stopped VM's screen and console take no input;
// - failing.nix opened in a second tab becomes the test F5 runs (the
//   toolbar says so); its exception stop selects the script's frame at the
//   failing `.nix` line, not the driver's machine.py (which stays in the
//   call stack, one click away); both files, the stop's and the one opened
//   from the driver's frame, head Recent Files; a watch differs between the
//   two frames; hovering `machine` shows its value; the traceback the REPL shows names
//   the `.nix` line; a syntax error typed in and rerun is an error state at
//   its line; the two runs are two log sections; Stop blanks the watch;
// - Set Next Statement skips the failing line and the script passes;
//   closing the paused window asks first; after the failure itself, Set
//   Next Statement or the failing line fixed with Run Selection lets
//   Continue go on with the rest of the script, which passes.
//
// With NIXTIDE_SHOTS=<dir> it saves the window at those moments.
#include "common/guesttesting.h"
#include "common/windowtesting.h"
#include "core/session/debugsession.h"
#include "ui/docks/breakpointsview.h"
#include "ui/docks/buildoutputview.h"
#include "ui/docks/callstackview.h"
#include "ui/docks/logtreemodel.h"
#include "ui/docks/logview.h"
#include "ui/docks/replwidget.h"
#include "ui/docks/variablesview.h"
#include "ui/editor/editorarea.h"
#include "ui/editor/scripteditor.h"
#include "ui/machines/machinetab.h"
#include "ui/machines/serialconsole.h"
#include "ui/mainwindow.h"
#include "ui/vnc/framebufferview.h"
#include "ui/window/debugactions.h"
#include "ui/window/recentmenu.h"
#include "ui/window/sessioncontroller.h"
#include "ui/window/testselector.h"

#include <QAbstractItemView>
#include <QAction>
#include <QCompleter>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTemporaryDir>
#include <QTest>
#include <QToolTip>
#include <QTreeView>

#include <cstdlib>

using namespace nixtide;
using namespace nixtide::testing;

namespace {

// The demo folder copied, so that a test may edit and save its files.
bool copyTree(const QString &from, const QString &to)
{
    if (!QDir().mkpath(to))
        return false;
    const QDir source(from);
    for (const QFileInfo &entry :
        source.entryInfoList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden)) {
        const QString target = QDir(to).filePath(entry.fileName());
        if (entry.isDir() ? !copyTree(entry.filePath(), target)
                          : !QFile::copy(entry.filePath(), target))
            return false;
    }
    return true;
}

} // namespace

class TestDebugUsability : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_demo;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(qEnvironmentVariableIsSet("NIXTIDE_SOURCE_DIR"), "run under ctest");
        qputenv("XDG_STATE_HOME", m_dir.filePath(QStringLiteral("state")).toUtf8());
        m_demo = qEnvironmentVariable("NIXTIDE_SOURCE_DIR") + QStringLiteral("/resources/demo");
    }

    // Docks saved in a larger window (as at another scale factor) come back
    // as the same share of this one, and never squeeze the editor.
    void dockSizesRestoreAsShares()
    {
        const QString single = m_demo + QStringLiteral("/single.nix");
        {
            TestWindow s = makeTestWindow(m_dir.path(), QStringLiteral("shares"));
            QString error;
            QVERIFY2(s.window->openTest(single, &error), qPrintable(error));
            s.window->resize(1600, 1000);
            s.window->show();
            QVERIFY(QTest::qWaitForWindowExposed(s.window.get()));
            QDockWidget *variables = s.window->dock(MainWindow::Dock::Variables);
            s.window->resizeDocks({variables}, {480}, Qt::Horizontal);
            QTRY_VERIFY(std::abs(variables->width() - 480) <= 12);
            s.window->close();
        }
        QSettings saved(m_dir.filePath(QStringLiteral("shares.conf")), QSettings::IniFormat);
        QVERIFY(saved.value(QStringLiteral("window/dockShares"))
                .toMap()
                .contains(QStringLiteral("VariablesDock")));
        // A smaller screen: the saved geometry does not fit it.
        saved.remove(QStringLiteral("window/geometry"));
        saved.sync();

        TestWindow s = makeTestWindow(m_dir.path(), QStringLiteral("shares"));
        s.window->resize(1280, 800);
        s.window->restoreSession();
        s.window->show();
        QVERIFY(QTest::qWaitForWindowExposed(s.window.get()));
        QDockWidget *variables = s.window->dock(MainWindow::Dock::Variables);
        // 480 of 1600 is 30 %: 384 of 1280, where pixels would give 480.
        QTRY_VERIFY2(std::abs(variables->width() - 384) <= 24,
            qPrintable(QString::number(variables->width())));
        QVERIFY(s.window->editorArea()->width() >= 400);
        s.window->close();
    }

    // One file is one tab, whatever the path names it by.
    void theSameTestByAnotherPathIsOneTab()
    {
        const QString link = m_dir.filePath(QStringLiteral("demo-link"));
        QVERIFY(QFile::link(m_demo, link));
        TestWindow s = makeTestWindow(m_dir.path(), QStringLiteral("link"));
        QString error;
        QVERIFY2(
            s.window->openTest(link + QStringLiteral("/single.nix"), &error), qPrintable(error));
        QVERIFY2(
            s.window->openTest(m_demo + QStringLiteral("/single.nix"), &error), qPrintable(error));
        QCOMPARE(s.window->editorArea()->editors().size(), 1);
        QCOMPARE(s.window->testSelector()->count(), 1);
    }

    void passingRunKeepsTheEditorAndSaysWhatHappened()
    {
        const QString single = m_demo + QStringLiteral("/single.nix");
        TestWindow s = makeTestWindow(m_dir.path(), QStringLiteral("passing"));
        // Where a user's runs go (~/.local/state/nixtide/runs), as long.
        s.controller->setRecordBase(
            m_dir.filePath(QStringLiteral("home/a-user/.local/state/nixtide/runs")));
        MainWindow &window = *s.window;
        QString error;
        QVERIFY2(window.openTest(single, &error), qPrintable(error));
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.testSelector()->currentText(), QStringLiteral("single.nix"));

        window.debugActions()->runContinue->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(
            s.controller->lastNotice().startsWith(QStringLiteral("The test script passed")),
            400000);
        // single.nix ends with machine.screenshot(): its long store path
        // is shown in the machine pane.
        MachineTab *tab = window.machineTab(QStringLiteral("machine"));
        QVERIFY(tab);
        QTRY_VERIFY_WITH_TIMEOUT(
            tab->message().startsWith(QStringLiteral("Driver screenshot: /")), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(window.editorArea()->width() >= 400, 10000);
        QVERIFY2(window.editorArea()->width() >= 400,
            qPrintable(QString::number(window.editorArea()->width())));
        // ... in the window's own width: the line did not make it grow.
        QCOMPARE(window.width(), 1280);
        QVERIFY(!window.sessionText().contains(QStringLiteral("Running")));
        QCOMPARE(window.sessionText(), QStringLiteral("Session: script passed, VMs running"));
        QVERIFY(!window.debugActions()->pause->isEnabled());

        // A breakpoint on the file's first line (a comment, outside the
        // testScript) is refused and says why.
        ScriptEditor *editor = window.editorArea()->editorFor(single);
        QVERIFY(editor);
        editor->setBreakpoint(1);
        QTRY_VERIFY_WITH_TIMEOUT(window.breakpointsView()
                                     ->refusal(QFileInfo(single).absoluteFilePath(), 1)
                                     .contains(QStringLiteral("outside the testScript")),
            30000);
        saveShot(window, QStringLiteral("layout.png"));
        editor->removeBreakpoint(1);

        // Stop is the user's, not a failure of the test.
        window.debugActions()->stop->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(s.controller->state(), SessionState::Terminated, 60000);
        QCOMPARE(
            s.controller->lastNotice(), QStringLiteral("Stopped; the test's VMs are shut down."));
        // The VM that is gone takes no input and says so.
        tab = window.machineTab(QStringLiteral("machine"));
        QVERIFY(tab);
        QTRY_VERIFY_WITH_TIMEOUT(!MachineTab::isRunningState(tab->state()), 30000);
        QVERIFY(!tab->screen()->isInputEnabled());
        QVERIFY(!tab->console()->isInputEnabled());
        QVERIFY(!tab->grabLabel()->text().contains(QStringLiteral("Click")));
        saveShot(window, QStringLiteral("stopped.png"));
    }

    void failureLandsOnTheScriptLine()
    {
        const QString single = m_demo + QStringLiteral("/single.nix");
        const QString failing
            = QFileInfo(m_demo + QStringLiteral("/failing.nix")).absoluteFilePath();
        const int failingLine = lineContaining(failing, QStringLiteral("exit 1"));
        QVERIFY(failingLine > 0);
        TestWindow s = makeTestWindow(m_dir.path(), QStringLiteral("failing"));
        MainWindow &window = *s.window;
        QString error;
        QVERIFY2(window.openTest(single, &error), qPrintable(error));
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        // File > Open of another test: its tab is what F5 runs now, and the
        // toolbar says so.
        QVERIFY2(window.openFile(failing, &error), qPrintable(error));
        QCOMPARE(window.testPath(), failing);
        QCOMPARE(window.testSelector()->currentText(), QStringLiteral("failing.nix"));
        QCOMPARE(window.testSelector()->count(), 2);

        window.debugActions()->runContinue->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(s.controller->state(), SessionState::Stopped, 400000);
        QCOMPARE(s.controller->session()->plan().sourcePath, failing);

        // The stop shows the script's line, not the driver's code.
        const QList<StackFrameEntry> frames = window.callStackView()->frames();
        const int current = window.callStackView()->currentFrameIndex();
        QVERIFY(current > 0); // driver frames are above it, one click away
        QCOMPARE(frames.value(current).path, failing);
        QCOMPARE(frames.value(current).line, failingLine);
        QVERIFY(frames.value(0).path.endsWith(QStringLiteral("machine.py")));
        ScriptEditor *editor = window.editorArea()->editorFor(failing);
        QVERIFY(editor);
        QCOMPARE(editor->currentLine(), failingLine);
        QCOMPARE(window.editorArea()->currentEditor(), editor);
        for (const QString &open : window.editorArea()->openFiles())
            QVERIFY2(open.endsWith(QStringLiteral(".nix")), qPrintable(open));
        saveShot(window, QStringLiteral("exception.png"));
        // The file the debugger stopped in is the most recent file (the
        // test opened it without File > Open, which would list it anyway).
        RecentMenu *recentFiles = nullptr;
        for (RecentMenu *menu : window.findChildren<RecentMenu *>()) {
            if (!menu->title().contains(QStringLiteral("T&ests")))
                recentFiles = menu;
        }
        QVERIFY(recentFiles);
        QCOMPARE(recentFiles->entries().value(0), failing);

        // The script's own names apart from the driver's: two scopes, the
        // driver's folded.
        QTreeView *variables = window.variablesView()->variablesTree();
        const auto scopeNames = [variables] {
            QStringList names;
            for (int row = 0; row < variables->model()->rowCount(); ++row)
                names << variables->model()->index(row, 0).data().toString();
            return names;
        };
        QTRY_COMPARE_WITH_TIMEOUT(scopeNames(),
            QStringList({QStringLiteral("Test namespace"), QStringLiteral("Driver")}), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(variables->isExpanded(variables->model()->index(0, 0)), 30000);
        QVERIFY(!variables->isExpanded(variables->model()->index(1, 0)));
        variables->expand(variables->model()->index(1, 0));
        QTRY_VERIFY_WITH_TIMEOUT(
            variables->model()->rowCount(variables->model()->index(1, 0)) > 5, 30000);
        saveShot(window, QStringLiteral("variables.png"));
        variables->collapse(variables->model()->index(1, 0));

        // A watch is the selected frame's: the driver's module in
        // machine.py, the test's namespace in the script.
        const QString watch = QStringLiteral("__name__");
        window.variablesView()->addWatch(watch);
        QTRY_VERIFY_WITH_TIMEOUT(!window.variablesView()->watchValue(watch).isEmpty(), 60000);
        const QString inScript = window.variablesView()->watchValue(watch);
        window.callStackView()->setCurrentItem(window.callStackView()->topLevelItem(0));
        QTRY_COMPARE_WITH_TIMEOUT(window.variablesView()->watchValue(watch),
            QStringLiteral("'test_driver.machine'"), 60000);
        // The driver's file, opened from its frame, is recent too.
        QVERIFY2(recentFiles->entries().value(0).endsWith(QStringLiteral("/machine.py")),
            qPrintable(recentFiles->entries().join(u' ')));
        QCOMPARE(recentFiles->entries().value(1), failing);
        QVERIFY(inScript != QStringLiteral("'test_driver.machine'"));
        window.callStackView()->setCurrentItem(window.callStackView()->topLevelItem(current));
        QTRY_COMPARE_WITH_TIMEOUT(window.variablesView()->watchValue(watch), inScript, 60000);

        // Resting the pointer on `machine` in the failing line shows its value.
        const QString lineText = editor->text(failingLine - 1);
        const int column = int(lineText.indexOf(QStringLiteral("machine")));
        const long position = editor->positionFromLineIndex(failingLine - 1, column + 2);
        const int x
            = int(editor->SendScintilla(QsciScintillaBase::SCI_POINTXFROMPOSITION, 0UL, position));
        const int y
            = int(editor->SendScintilla(QsciScintillaBase::SCI_POINTYFROMPOSITION, 0UL, position));
        QTest::mouseMove(editor->viewport(), QPoint(x + 2, y + 4));
        QTRY_VERIFY_WITH_TIMEOUT(QToolTip::text().startsWith(QStringLiteral("machine (")), 30000);
        QVERIFY2(
            QToolTip::text().contains(QStringLiteral("Machine")), qPrintable(QToolTip::text()));
        saveShot(window, QStringLiteral("hover.png"));

        // Tab in the REPL completes from the paused namespace: a driver
        // name, then a method of a machine (a popup when there are several).
        ReplInput *input = window.replWidget()->input();
        input->clear();
        QTest::keyClicks(input, QStringLiteral("start_a"));
        QTest::keyClick(input, Qt::Key_Tab);
        QTRY_COMPARE_WITH_TIMEOUT(input->toPlainText(), QStringLiteral("start_all"), 30000);
        input->clear();
        QTest::keyClicks(input, QStringLiteral("machine.wait_for"));
        QTest::keyClick(input, Qt::Key_Tab);
        QTRY_VERIFY_WITH_TIMEOUT(input->completer()->popup()->isVisible(), 30000);
        QVERIFY(input->completer()->completionModel()->rowCount() >= 2);
        saveShot(window, QStringLiteral("completion.png"));
        input->completer()->popup()->hide();
        input->clear();

        // Continue lets it fail; the traceback the REPL shows names the
        // .nix line, not the built test-script or "<string>".
        window.debugActions()->runContinue->trigger();
        QPlainTextEdit *transcript = window.replWidget()->transcript();
        const QString named = QStringLiteral("File \"%1\", line %2").arg(failing).arg(failingLine);
        QTRY_VERIFY_WITH_TIMEOUT(transcript->toPlainText().contains(named), 120000);
        QVERIFY(!transcript->toPlainText().contains(QStringLiteral("\"<string>\"")));
        QVERIFY(!transcript->toPlainText().contains(QStringLiteral("-test-script")));
        QTRY_VERIFY_WITH_TIMEOUT(
            s.controller->lastNotice().startsWith(QStringLiteral("The test script failed")), 60000);
        QVERIFY2(s.controller->lastNotice().contains(
                     QStringLiteral("(failing.nix:%1)").arg(failingLine)),
            qPrintable(s.controller->lastNotice()));
        QCOMPARE(window.sessionText(), QStringLiteral("Session: script failed, VMs running"));

        // A syntax error typed in and run again (Ctrl+F5, no rebuild): an
        // error state at its line, not "Running" with a blank status.
        editor->setSelection(
            failingLine - 1, 0, failingLine - 1, editor->lineLength(failingLine - 1) - 1);
        editor->replaceSelectedText(QStringLiteral("    machine.succeed(\"true\""));
        window.debugActions()->restartScript->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(s.controller->lastNotice().startsWith(
                                     QStringLiteral("The test script failed: SyntaxError")),
            120000);
        QVERIFY2(editor->annotationText(failingLine - 1).contains(QStringLiteral("SyntaxError")),
            qPrintable(editor->annotationText(failingLine - 1)));
        QCOMPARE(window.sessionText(), QStringLiteral("Session: script failed, VMs running"));
        QVERIFY(!window.debugActions()->pause->isEnabled());

        // Each run is one log section with its result; the earlier folded.
        QStringList runs;
        LogTreeModel *log = window.logModel();
        for (int row = 0; row < log->rowCount(); ++row) {
            if (log->index(row, 0).data(LogTreeModel::RunRole).toBool())
                runs << log->index(row, 0).data().toString();
        }
        QCOMPARE(
            runs, QStringList({QStringLiteral("Run 1: failed"), QStringLiteral("Run 2: failed")}));
        QSortFilterProxyModel *shown = window.logView()->filterModel();
        for (int row = 0; row < shown->rowCount(); ++row) {
            const QModelIndex section = shown->index(row, 0);
            if (section.data().toString() == QStringLiteral("Run 1: failed"))
                QVERIFY(!window.logView()->tree()->isExpanded(section));
        }
        saveShot(window, QStringLiteral("runs.png"));
        editor->undo();
        editor->setModified(false);

        window.debugActions()->stop->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(s.controller->state(), SessionState::Terminated, 60000);
        // The ended session's values are gone; the expression stays.
        QCOMPARE(window.variablesView()->watches(), QStringList {watch});
        QCOMPARE(window.variablesView()->watchValue(watch), QString());
    }

    // Ctrl+F5 after a `nodes` edit: the window says it rebuilds and
    // reboots before it does, and afterwards that it did (status bar,
    // Build Output, the run's log section). Paused before machine.start(),
    // so no VM has to boot.
    void nodesEditSaysItRebuildsAndReboots()
    {
        const QString demo = m_dir.filePath(QStringLiteral("demo-copy"));
        QVERIFY(copyTree(m_demo, demo));
        const QString failing = QFileInfo(demo + QStringLiteral("/failing.nix")).absoluteFilePath();
        const int startLine = lineContaining(failing, QStringLiteral("machine.start()"));
        const int nodesLine = lineContaining(failing, QStringLiteral("nodes.machine"));
        QVERIFY(startLine > 0 && nodesLine > 0);
        TestWindow s = makeTestWindow(m_dir.path(), QStringLiteral("rebuild"));
        MainWindow &window = *s.window;
        QString error;
        QVERIFY2(window.openTest(failing, &error), qPrintable(error));
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        ScriptEditor *editor = window.editorArea()->editorFor(failing);
        QVERIFY(editor);
        editor->setBreakpoint(startLine);
        window.debugActions()->runContinue->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(s.controller->state(), SessionState::Stopped, 400000);
        // A counter, not the session's address: the new session may be
        // allocated where the old one was freed.
        QSignalSpy sessionsCreated(s.controller, &SessionController::sessionCreated);

        QStringList notices;
        connect(s.controller, &SessionController::notice, this,
            [&notices](const QString &notice) { notices << notice; });
        editor->setSelection(
            nodesLine - 1, 0, nodesLine - 1, editor->lineLength(nodesLine - 1) - 1);
        editor->replaceSelectedText(
            QStringLiteral("  nodes.machine = { virtualisation.memorySize = 600; };"));
        window.debugActions()->restartScript->trigger();
        // Before: what will happen, and why.
        QVERIFY2(s.controller->lastNotice().startsWith(QStringLiteral("Rebuilding: ")),
            qPrintable(s.controller->lastNotice()));
        QVERIFY2(s.controller->lastNotice().contains(QStringLiteral("new VMs boot")),
            qPrintable(s.controller->lastNotice()));
        QVERIFY2(s.controller->lastNotice().contains(QStringLiteral("line %1").arg(nodesLine))
                || s.controller->lastNotice().contains(QStringLiteral("nodes")),
            qPrintable(s.controller->lastNotice()));
        QTRY_VERIFY_WITH_TIMEOUT(
            sessionsCreated.count() == 1 && s.controller->state() == SessionState::Stopped, 400000);
        // After: what happened, in the status bar's history, Build Output
        // and the new run's log section.
        const auto said = [&notices](const QString &start) {
            for (const QString &notice : notices) {
                if (notice.startsWith(start))
                    return true;
            }
            return false;
        };
        QVERIFY2(said(QStringLiteral("The VMs are shut down; building the edited test")),
            qPrintable(notices.join(u'\n')));
        QVERIFY2(said(QStringLiteral("Rebuilt after the edit")), qPrintable(notices.join(u'\n')));
        QVERIFY(window.buildOutput()->text()->toPlainText().contains(
            QStringLiteral("Rebuilding after an edit: ")));
        LogTreeModel *log = window.logModel();
        const auto runTitle = [log] {
            for (int row = 0; row < log->rowCount(); ++row) {
                if (log->index(row, 0).data(LogTreeModel::RunRole).toBool())
                    return log->index(row, 0).data().toString();
            }
            return QString();
        };
        QTRY_VERIFY_WITH_TIMEOUT(!runTitle().isEmpty(), 30000);
        QVERIFY2(runTitle().startsWith(
                     QStringLiteral("Run 1, rebuilt and rebooted: line %1 changed").arg(nodesLine)),
            qPrintable(runTitle()));
        QCOMPARE(editor->currentLine(), startLine);
        saveShot(window, QStringLiteral("rebuilt.png"));

        window.debugActions()->stop->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(s.controller->state(), SessionState::Terminated, 60000);
    }

    // Set Next Statement (DAP gotoTargets/goto): paused on the failing
    // line, the script goes on from the next one and passes.
    void setNextStatementSkipsAFailingLine()
    {
        const QString failing
            = QFileInfo(m_demo + QStringLiteral("/failing.nix")).absoluteFilePath();
        const int failingLine = lineContaining(failing, QStringLiteral("exit 1"));
        QVERIFY(failingLine > 0);
        TestWindow s = makeTestWindow(m_dir.path(), QStringLiteral("goto"));
        MainWindow &window = *s.window;
        QString error;
        QVERIFY2(window.openTest(failing, &error), qPrintable(error));
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        ScriptEditor *editor = window.editorArea()->editorFor(failing);
        editor->setBreakpoint(failingLine);
        QVERIFY(!window.debugActions()->setNextStatement->isEnabled());

        window.debugActions()->runContinue->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(s.controller->state(), SessionState::Stopped, 400000);
        QCOMPARE(editor->currentLine(), failingLine);
        QVERIFY(window.debugActions()->setNextStatement->isEnabled());

        // Closing a paused session asks first; "no" keeps everything.
        int asked = 0;
        s.controller->setClosePrompt([&asked] {
            ++asked;
            return false;
        });
        QVERIFY(!window.close());
        QCOMPARE(asked, 1);
        QVERIFY(window.isVisible());
        QCOMPARE(s.controller->state(), SessionState::Stopped);

        editor->setCursorPosition(failingLine, 0); // the line after it
        window.debugActions()->setNextStatement->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(editor->currentLine(), failingLine + 1, 60000);
        QCOMPARE(s.controller->lastNotice(),
            QStringLiteral("The script goes on from line %1.").arg(failingLine + 1));
        saveShot(window, QStringLiteral("goto.png"));
        editor->removeBreakpoint(failingLine);
        window.debugActions()->runContinue->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(
            s.controller->lastNotice().startsWith(QStringLiteral("The test script passed")),
            120000);

        // After the failure itself (the frames are gone): Set Next
        // Statement skips the failing line, Continue goes on and passes.
        const auto failAgain = [&] {
            window.debugActions()->restartScript->trigger();
            QTRY_COMPARE_WITH_TIMEOUT(s.controller->state(), SessionState::Stopped, 120000);
            QCOMPARE(s.controller->session()->stopReason(), QStringLiteral("exception"));
            QTRY_COMPARE_WITH_TIMEOUT(editor->currentLine(), failingLine, 30000);
        };
        failAgain();
        editor->setCursorPosition(failingLine, 0);
        window.debugActions()->setNextStatement->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(s.controller->lastNotice(),
            QStringLiteral("The script goes on from line %1.").arg(failingLine + 1), 60000);
        QTRY_COMPARE_WITH_TIMEOUT(editor->currentLine(), failingLine + 1, 30000);
        window.debugActions()->runContinue->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(
            s.controller->lastNotice().startsWith(QStringLiteral("The test script passed")),
            120000);

        // The failing line fixed in the editor and run with Run Selection:
        // Continue goes on after it, and the script passes.
        failAgain();
        editor->setSelection(
            failingLine - 1, 0, failingLine - 1, editor->lineLength(failingLine - 1) - 1);
        editor->replaceSelectedText(QStringLiteral("    machine.succeed(\"echo fixed-by-hand\")"));
        editor->setCursorPosition(failingLine - 1, 4);
        window.debugActions()->runSelection->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(s.controller->lastNotice(),
            QStringLiteral("Line %1 ran; Continue (F5) goes on after it.").arg(failingLine), 60000);
        saveShot(window, QStringLiteral("fixed-failure.png"));
        window.debugActions()->runContinue->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(
            s.controller->lastNotice().startsWith(QStringLiteral("The test script passed")),
            120000);
        QVERIFY(window.sessionText().contains(QStringLiteral("script passed")));
        saveShot(window, QStringLiteral("fixed-passed.png"));
        editor->undo();
        editor->setModified(false);

        window.debugActions()->stop->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(s.controller->state(), SessionState::Terminated, 60000);
    }
};

QTEST_MAIN(TestDebugUsability)
#include "tst_debugusability.moc"
