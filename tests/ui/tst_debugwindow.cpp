// End to end through the window, as a user works: the demo's single.nix is
// opened in the MainWindow, a breakpoint is set on a line of its testScript,
// Run builds it with real Nix and boots the real demo guest under QEMU. The
// stop marker, call stack, variables, REPL, watches, run-selection, the
// restart of an edited script without a rebuild, the machine tab's live
// screen and serial console, Stop, and closing the
// window while a test runs are checked on what the widgets show, and no
// QEMU of the run may be left.
//
// With NIXTIDE_SCREENSHOT=<file.png> it also saves the window while stopped
// (docs/make-screenshot.sh runs it under Xvfb for docs/screenshot.png).
#include "common/guestkeyboard.h"
#include "common/guesttesting.h"
#include "common/windowtesting.h"
#include "core/session/debugsession.h"
#include "ui/docks/buildoutputview.h"
#include "ui/docks/callstackview.h"
#include "ui/docks/logtreemodel.h"
#include "ui/docks/logview.h"
#include "ui/docks/replwidget.h"
#include "ui/docks/variablesmodel.h"
#include "ui/docks/variablesview.h"
#include "ui/editor/editorarea.h"
#include "ui/editor/scripteditor.h"
#include "ui/editor/syntaxlexer.h"
#include "ui/machines/machinepanel.h"
#include "ui/machines/machinetab.h"
#include "ui/machines/serialconsole.h"
#include "ui/mainwindow.h"
#include "ui/vnc/framebufferview.h"
#include "ui/window/debugactions.h"
#include "ui/window/sessioncontroller.h"

#include <QAction>
#include <QDockWidget>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QLabel>
#include <QPixmap>
#include <QPlainTextEdit>
#include <QProcess>
#include <QScreen>
#include <QSet>
#include <QSettings>
#include <QSignalSpy>
#include <QSplitter>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>
#include <QTreeWidget>

#include <csignal>

using namespace nixtide;
using namespace nixtide::testing;

namespace {

// Names one level under each scope (the scopes are fetched lazily).
QStringList variableNames(VariablesModel *model)
{
    QStringList names;
    for (int s = 0; s < model->rowCount(); ++s) {
        const QModelIndex scope = model->index(s, 0);
        for (int r = 0; r < model->rowCount(scope); ++r)
            names.append(model->index(r, 0, scope).data().toString());
    }
    return names;
}

// A step with children that has ended: the log is really nested and timed.
bool hasFinishedNestedStep(const QAbstractItemModel *model, const QModelIndex &parent = {})
{
    for (int r = 0; r < model->rowCount(parent); ++r) {
        const QModelIndex index = model->index(r, 0, parent);
        if (model->rowCount(index) > 0 && index.data(LogTreeModel::DurationRole).toDouble() > 0)
            return true;
        if (hasFinishedNestedStep(model, index))
            return true;
    }
    return false;
}

bool logContains(
    const QAbstractItemModel *model, const QString &text, const QModelIndex &parent = {})
{
    for (int r = 0; r < model->rowCount(parent); ++r) {
        const QModelIndex index = model->index(r, 0, parent);
        if (index.data().toString().contains(text) || logContains(model, text, index))
            return true;
    }
    return false;
}

// The first row (depth first) whose message contains `text`.
QModelIndex findLog(
    const QAbstractItemModel *model, const QString &text, const QModelIndex &parent = {})
{
    for (int r = 0; r < model->rowCount(parent); ++r) {
        const QModelIndex index = model->index(r, 0, parent);
        if (index.data().toString().contains(text))
            return index;
        const QModelIndex inner = findLog(model, text, index);
        if (inner.isValid())
            return inner;
    }
    return {};
}

void replaceLine(ScriptEditor *editor, int line, const QString &text)
{
    editor->setSelection(line - 1, 0, line - 1, editor->lineLength(line - 1) - 1);
    editor->replaceSelectedText(text);
}

void submit(ReplWidget *repl, const QString &code)
{
    repl->input()->setPlainText(code);
    QTest::keyClick(repl->input(), Qt::Key_Return);
}

} // namespace

class TestDebugWindow : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_nixFile;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(qEnvironmentVariableIsSet("NIXTIDE_SOURCE_DIR"), "run under ctest");
        qputenv("XDG_STATE_HOME", m_dir.filePath(QStringLiteral("state")).toUtf8());
        m_nixFile = qEnvironmentVariable("NIXTIDE_SOURCE_DIR")
            + QStringLiteral("/resources/demo/single.nix");
    }

    void runStopInspectRestartStopClose()
    {
        const int startLine = lineContaining(m_nixFile, QStringLiteral("machine.start()"));
        const int hostnameLine
            = lineContaining(m_nixFile, QStringLiteral("hostname = machine.succeed"));
        QVERIFY(startLine > 0 && hostnameLine > startLine);

        TestWindow w = makeTestWindow(m_dir.path(), QStringLiteral("debug"));
        MainWindow &window = *w.window;
        SessionController *controller = w.controller;
        QString error;
        QVERIFY2(window.openTest(m_nixFile, &error), qPrintable(error));
        window.resize(1400, 900);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        ScriptEditor *editor = window.editorArea()->editorFor(m_nixFile);
        QVERIFY(editor);
        editor->setBreakpoint(hostnameLine);
        QCOMPARE(window.breakpointsFor(m_nixFile).value(0).line, hostnameLine);

        // F5: build, boot, stop at the breakpoint.
        window.debugActions()->runContinue->trigger();
        QCOMPARE(controller->state(), SessionState::Building);
        QTRY_COMPARE_WITH_TIMEOUT(controller->state(), SessionState::Stopped, 400000);
        DebugSession *session = controller->session();
        QVERIFY(session);
        const QString privateDir = QFileInfo(session->agentSocketPath()).path();
        QVERIFY(!privateDir.isEmpty());
        QCOMPARE(editor->currentLine(), hostnameLine);
        QVERIFY(
            editor->markersAtLine(hostnameLine - 1) & (1u << ScriptEditor::CurrentLineArrowMarker));
        QCOMPARE(window.sessionState(), SessionState::Stopped);
        QCOMPARE(window.debugActions()->runContinue->text(), QStringLiteral("&Continue"));
        QCOMPARE(window.callStackView()->frames().value(0).line, hostnameLine);
        QCOMPARE(window.callStackView()->frames().value(0).path, m_nixFile);

        // Variables of the top frame, fetched on demand: the driver's names
        // in their own scope, folded until it is opened.
        VariablesModel *variables = window.variablesModel();
        QTRY_COMPARE_WITH_TIMEOUT(variables->rowCount(), 2, 30000);
        QCOMPARE(variables->index(1, 0).data().toString(), QStringLiteral("Driver"));
        QVERIFY(!variableNames(variables).contains(QStringLiteral("machine")));
        window.variablesView()->variablesTree()->expand(
            window.variablesView()->variablesTree()->model()->index(1, 0));
        QTRY_VERIFY_WITH_TIMEOUT(
            variableNames(variables).contains(QStringLiteral("machine")), 30000);
        QVERIFY(variableNames(variables).contains(QStringLiteral("start_all")));

        // The log is a tree with durations; the machine tab and the
        // acceleration say what really runs (the demo forces TCG).
        QVERIFY(hasFinishedNestedStep(window.logModel()));
        QCOMPARE(window.machineCount(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(
            window.machineTab(QStringLiteral("machine"))->state(), QStringLiteral("up"), 30000);
        // The machine tab shows the live screen and the serial console.
        MachinePanel *panel = window.machinePanel();
        QCOMPARE(panel->session(), session);
        QTRY_VERIFY_WITH_TIMEOUT(
            distinctColours(panel->screen(QStringLiteral("machine"))->grabFrame()) > 1, 60000);
        SerialConsole *console = panel->console(QStringLiteral("machine"));
        QTRY_VERIFY_WITH_TIMEOUT(console->text().contains(QStringLiteral("Linux version")), 30000);
        QTRY_COMPARE_WITH_TIMEOUT(window.accelerationLabel()->text(),
            QStringLiteral("software emulation (no KVM)"), 10000);

        // Text typed into the serial terminal runs in the ttyS0 shell, and
        // text typed into the grabbed screen runs in tty1's shell: each
        // writes a file that is read back through the backdoor.
        QWidget *keys = console->keyTarget();
        keys->setFocus();
        QTest::keyClicks(keys, QStringLiteral("echo typed-in-serial > /tmp/serial-ok"));
        // Every byte shows as it comes, not line by line: the guest's echo
        // of what was typed, before Enter, in the console and in the run
        // record's serial log.
        QTRY_VERIFY_WITH_TIMEOUT(
            console->text().contains(QStringLiteral("echo typed-in-serial > /tmp/serial-ok")),
            60000);
        const QString serialLog = session->runRecordDir() + QStringLiteral("/serial-machine.log");
        const auto logged = [&serialLog] {
            QFile file(serialLog);
            return file.open(QIODevice::ReadOnly)
                && file.readAll().contains("echo typed-in-serial > /tmp/serial-ok");
        };
        QTRY_VERIFY_WITH_TIMEOUT(logged(), 60000);
        QTest::keyClick(keys, Qt::Key_Return);
        QVERIFY(guestFileHolds(
            *session, QStringLiteral("/tmp/serial-ok"), QStringLiteral("typed-in-serial")));
        FramebufferView *screen = panel->screen(QStringLiteral("machine"));
        QTest::mouseClick(screen, Qt::LeftButton, {}, screen->rect().center());
        QVERIFY(screen->hasInputGrab());
        typeOnKeyboard(screen, QStringLiteral("echo typed-in-fb > /tmp/fb-ok"));
        QTest::keyClick(screen, Qt::Key_Return);
        QVERIFY(
            guestFileHolds(*session, QStringLiteral("/tmp/fb-ok"), QStringLiteral("typed-in-fb")));
        QTest::keyPress(screen, Qt::Key_Control, Qt::ControlModifier);
        QTest::keyPress(screen, Qt::Key_Alt, Qt::ControlModifier | Qt::AltModifier);
        QVERIFY(!screen->hasInputGrab());

        // The REPL evaluates in the test's namespace against the live VM.
        submit(window.replWidget(), QStringLiteral("machine.succeed(\"uname -a\")"));
        QTRY_VERIFY_WITH_TIMEOUT(
            window.replWidget()->transcript()->toPlainText().contains(QStringLiteral("Linux")),
            120000);
        submit(window.replWidget(), QStringLiteral("no_such_name"));
        QTRY_VERIFY_WITH_TIMEOUT(
            window.replWidget()->transcript()->toPlainText().contains(QStringLiteral("NameError")),
            60000);

        // F10, then a watch on the variable the line assigned.
        window.debugActions()->stepOver->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(editor->currentLine(), hostnameLine + 1, 120000);
        QTRY_COMPARE_WITH_TIMEOUT(controller->state(), SessionState::Stopped, 10000);
        window.variablesView()->addWatch(QStringLiteral("hostname"));
        QTRY_COMPARE_WITH_TIMEOUT(window.variablesView()->watchTree()->topLevelItem(0)->text(1),
            QStringLiteral("'machine'"), 60000);

        // Selected lines run against the live VM, indentation and all.
        submit(window.replWidget(), QStringLiteral("hostname = 'changed'"));
        editor->setSelection(hostnameLine - 1, 0, hostnameLine, 0);
        window.debugActions()->runSelection->trigger();
        submit(window.replWidget(), QStringLiteral("print(hostname * 2)"));
        QTRY_VERIFY_WITH_TIMEOUT(window.replWidget()->transcript()->toPlainText().contains(
                                     QStringLiteral("machinemachine")),
            120000);

        if (qEnvironmentVariableIsSet("NIXTIDE_SCREENSHOT")) {
            editor->setCursorPosition(hostnameLine, 0);
            if (QDockWidget *log = window.dock(MainWindow::Dock::Log))
                log->raise();
            window.logView()->tree()->expandAll();
            // Give the VM's screen the larger half so its text is legible.
            if (auto *centre = window.findChild<QSplitter *>()) {
                const int width = centre->width();
                centre->setSizes({width * 9 / 20, width * 11 / 20});
            }
            if (auto *split
                = window.machineTab(QStringLiteral("machine"))->findChild<QSplitter *>()) {
                const int height = split->height();
                split->setSizes({height * 3 / 4, height / 4});
            }
            QTest::qWait(3000); // let the screen and the docks settle for the picture
            const QPixmap shot = QGuiApplication::platformName() == QLatin1String("xcb")
                ? window.screen()->grabWindow(0)
                : window.grab();
            QVERIFY(shot.save(qEnvironmentVariable("NIXTIDE_SCREENSHOT")));
        }

        // Ctrl+F5 with an edit inside the testScript: no rebuild, same
        // session and VM, and the edited line is what runs.
        const QString original = editor->text(startLine - 1).chopped(1);
        QVERIFY(!logContains(window.logModel(), QStringLiteral("edited-run")));
        replaceLine(
            editor, startLine, original + QStringLiteral("; machine.succeed(\"true edited-run\")"));
        QSignalSpy stops(session, &DebugSession::stopped);
        window.debugActions()->restartScript->trigger();
        // ScriptReuse's words, the same `nixtide run --reuse-build` prints.
        QCOMPARE(controller->lastNotice(),
            QStringLiteral("ran the edited script without rebuilding; the VMs keep running"));
        QTRY_VERIFY_WITH_TIMEOUT(
            logContains(window.logModel(), QStringLiteral("edited-run")), 120000);
        QTRY_COMPARE_WITH_TIMEOUT(stops.count(), 1, 120000);
        QCOMPARE(controller->state(), SessionState::Stopped);
        QCOMPARE(controller->session(), session);
        QCOMPARE(editor->currentLine(), hostnameLine);

        // The step the edited line began names that line; activating it in
        // the log moves the editor there.
        const QModelIndex edited
            = findLog(window.logView()->filterModel(), QStringLiteral("edited-run"));
        QCOMPARE(edited.data(LogTreeModel::ScriptLineRole).toInt(), startLine);
        QCOMPARE(edited.data(LogTreeModel::ScriptPathRole).toString(), m_nixFile);
        editor->setCursorPosition(0, 0);
        Q_EMIT window.logView()->tree()->activated(edited);
        int cursorLine = -1, cursorColumn = -1;
        editor->getCursorPosition(&cursorLine, &cursorColumn);
        QCOMPARE(cursorLine + 1, startLine);
        replaceLine(editor, startLine, original);
        editor->setModified(false);

        // Shift+F5: the test ends and takes its VM with it.
        QVERIFY(!qemuUnder(privateDir).isEmpty());
        window.debugActions()->stop->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(controller->state(), SessionState::Terminated, 60000);
        QCOMPARE(session->state(), DebugSession::State::Terminated);
        QCOMPARE(editor->currentLine(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(qemuUnder(privateDir), QStringList(), 10000);

        // Run again, then close the window while the test runs: the window
        // waits for the test to stop, then closes, leaving no QEMU.
        window.debugActions()->runContinue->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(controller->state(), SessionState::Stopped, 400000);
        const QString secondDir = QFileInfo(controller->session()->agentSocketPath()).path();
        QVERIFY(!qemuUnder(secondDir).isEmpty());
        // Paused: closing asks first.
        int asked = 0;
        controller->setClosePrompt([&asked] {
            ++asked;
            return true;
        });
        QVERIFY(!window.close());
        QCOMPARE(asked, 1);
        QVERIFY(window.isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(!window.isVisible(), 60000);
        QCOMPARE(controller->state(), SessionState::Terminated);
        QTRY_COMPARE_WITH_TIMEOUT(qemuUnder(secondDir), QStringList(), 10000);
    }

    // The driver killed from outside (a user's kill, the OOM killer): the
    // window says what ended the test, in the status bar and Build Output,
    // instead of a bare "killed", and the test's VMs go with it.
    void driverKilledFromOutsideSaysHow()
    {
        const int hostnameLine
            = lineContaining(m_nixFile, QStringLiteral("hostname = machine.succeed"));
        QVERIFY(hostnameLine > 0);
        TestWindow w = makeTestWindow(m_dir.path(), QStringLiteral("killed"));
        MainWindow &window = *w.window;
        SessionController *controller = w.controller;
        ScriptEditor *editor = runToBreakpoint(w, m_nixFile, hostnameLine);
        QVERIFY(editor);
        DebugSession *session = controller->session();
        QVERIFY(session);
        const QString privateDir = QFileInfo(session->agentSocketPath()).path();
        QVERIFY(!qemuUnder(privateDir).isEmpty());
        bool ok = false;
        const qint64 driver
            = evaluate(*session, QStringLiteral("__import__('os').getpid()"), &ok).toLongLong();
        QVERIFY(ok && driver > 0);

        QCOMPARE(::kill(pid_t(driver), SIGKILL), 0);
        QTRY_COMPARE_WITH_TIMEOUT(controller->state(), SessionState::Terminated, 60000);
        const QString said = QStringLiteral("killed by signal %1").arg(SIGKILL);
        QVERIFY2(controller->lastNotice().startsWith(QStringLiteral("The test did not finish"))
                && controller->lastNotice().contains(said),
            qPrintable(controller->lastNotice()));
        QVERIFY2(window.buildOutput()->text()->toPlainText().contains(said),
            qPrintable(window.buildOutput()->text()->toPlainText().right(500)));
        QCOMPARE(editor->currentLine(), 0);
        QVERIFY(!window.debugActions()->pause->isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(qemuUnder(privateDir), QStringList(), 30000);
        saveShot(window, QStringLiteral("driver-killed.png"));
    }

    // A file as nixpkgs writes it (a module, built as nixosTests.<name> via
    // all-tests.nix): F5 finds what builds it and stops on the line set.
    void nixpkgsModuleStopsAtItsBreakpoint()
    {
        const QString file = qEnvironmentVariable("NIXTIDE_SOURCE_DIR")
            + QStringLiteral("/tests/data/nixpkgs/nixos/tests/module-style.nix");
        const int line = lineContaining(file, QStringLiteral("hostname = machine.succeed"));
        QVERIFY(line > 0);
        TestWindow w = makeTestWindow(m_dir.path(), QStringLiteral("nixpkgs"));
        MainWindow &window = *w.window;
        SessionController *controller = w.controller;
        ScriptEditor *editor = runToBreakpoint(w, file, line);
        QVERIFY(editor);
        QCOMPARE(window.callStackView()->frames().value(0).line, line);
        QCOMPARE(window.callStackView()->frames().value(0).path, file);
        const QString privateDir = QFileInfo(controller->session()->agentSocketPath()).path();
        window.debugActions()->stop->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(controller->state(), SessionState::Terminated, 60000);
        QTRY_COMPARE_WITH_TIMEOUT(qemuUnder(privateDir), QStringList(), 10000);
    }

    // `testScript = builtins.readFile ./script.py`: opening the .nix opens
    // the .py beside it, in Python's colours, with the outline of its
    // subtests; a breakpoint on its first line stops there, before any VM
    // boots (the cheap way: a build, no boot).
    void readFileScriptOpensWithOutlineAndStops()
    {
        const QString dir = qEnvironmentVariable("NIXTIDE_SOURCE_DIR")
            + QStringLiteral("/tests/data/nixpkgs/nixos/tests/read-file");
        const QString nix = dir + QStringLiteral("/default.nix");
        const QString py = dir + QStringLiteral("/script.py");
        TestWindow w = makeTestWindow(m_dir.path(), QStringLiteral("readfile"));
        MainWindow &window = *w.window;
        QString error;
        QVERIFY2(window.openTest(nix, &error), qPrintable(error));
        window.resize(1400, 900);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.editorArea()->currentEditor()->filePath(), nix);
        ScriptEditor *script = window.editorArea()->editorFor(py);
        QVERIFY(script);
        QVERIFY(!script->isNix());
        const auto *lexer = qobject_cast<SyntaxLexer *>(script->lexer());
        QVERIFY(lexer);
        script->SendScintilla(QsciScintillaBase::SCI_COLOURISE, 0, -1);
        const int with = int(script->text().indexOf(QStringLiteral("with subtest")));
        QVERIFY(with >= 0);
        // The file is ASCII: a character index is a byte position.
        const int style = int(script->SendScintilla(
            QsciScintillaBase::SCI_GETSTYLEAT, static_cast<unsigned long>(with)));
        QCOMPARE(lexer->definitionName(style), QStringLiteral("Python"));

        auto *outline = window.dock(SessionWindow::Dock::Outline)->findChild<QTreeWidget *>();
        QVERIFY(outline);
        QTreeWidgetItem *statements = outline->topLevelItem(2);
        QStringList texts;
        for (int i = 0; i < statements->childCount(); ++i)
            texts.append(statements->child(i)->text(0));
        QVERIFY2(texts.contains(QStringLiteral("subtest: the kernel is Linux")),
            qPrintable(texts.join(u'|')));

        script->setBreakpoint(1);
        window.debugActions()->runContinue->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(w.controller->state(), SessionState::Stopped, 600000);
        QCOMPARE(window.callStackView()->frames().value(0).path, py);
        QCOMPARE(window.callStackView()->frames().value(0).line, 1);
        QCOMPARE(script->currentLine(), 1);
        const QString privateDir = QFileInfo(w.controller->session()->agentSocketPath()).path();
        window.debugActions()->stop->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(w.controller->state(), SessionState::Terminated, 60000);
        QTRY_COMPARE_WITH_TIMEOUT(qemuUnder(privateDir), QStringList(), 10000);
    }
};

QTEST_MAIN(TestDebugWindow)
#include "tst_debugwindow.moc"
