// MachinePanel on a real DebugSession running resources/demo/single.nix
// (real Nix build, real QEMU guest, offscreen platform): the machine's tab,
// its live screen, its serial console (a QTermWidget) both ways with the
// bytes as they come (the shell's prompt and the typed characters show
// before Enter), the screenshot button and the shutdown action; no QEMU
// left behind. And resources/demo/containers.nix: the container's tab has its
// console and state, no screen.
#include "common/guestkeyboard.h"
#include "common/guesttesting.h"
#include "core/session/debugsession.h"
#include "core/session/testresolver.h"
#include "core/vnc/vncconnection.h"
#include "ui/machines/consoleinput.h"
#include "ui/machines/machinepanel.h"
#include "ui/machines/machinetab.h"
#include "ui/machines/serialconsole.h"
#include "ui/vnc/framebufferview.h"

#include <QAction>
#include <QApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QLabel>
#include <QMenu>
#include <QProcess>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <qtermwidget.h>

#include <algorithm>

using namespace nixtide;
using namespace nixtide::testing;

namespace {

// Waits for `needle` in what the console's terminal holds (read back from
// the widget); on failure logs its last lines (QTest cuts long messages).
bool terminalShows(const SerialConsole *console, const QString &needle)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 60000) {
        if (console->text().contains(needle))
            return true;
        QTest::qWait(100);
    }
    QStringList lines = console->text().split(QLatin1Char('\n'));
    while (!lines.isEmpty() && lines.last().trimmed().isEmpty())
        lines.removeLast();
    for (const QString &line : lines.mid(std::max(qsizetype(0), lines.size() - 15)))
        qWarning().noquote() << line;
    return false;
}

} // namespace

class TestMachinePanel : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_state;

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<LaunchPlan>();
        QVERIFY(m_state.isValid());
        qputenv("XDG_STATE_HOME", m_state.path().toUtf8());
    }

    // Every generation: tabs for all machines, state "off", while the
    // script is stopped on its first line, before start_all() has run. The
    // configuration era builds machines only in Driver.__enter__, the
    // environment era in Driver.__init__.
    void machinesListedBeforeStart_data()
    {
        QTest::addColumn<QString>("test");
        QTest::addColumn<QStringList>("machines");
        QTest::newRow("configuration era")
            << QStringLiteral("single.nix") << QStringList {QStringLiteral("machine")};
        QTest::newRow("environment era") << QStringLiteral(
            "vlan.nix") << QStringList {QStringLiteral("client"), QStringLiteral("server")};
    }

    void machinesListedBeforeStart()
    {
        QFETCH(QString, test);
        QFETCH(QStringList, machines);
        LaunchPlan plan = resolveLaunchPlan(
            qEnvironmentVariable("NIXTIDE_SOURCE_DIR") + QStringLiteral("/resources/demo/") + test,
            QStringLiteral("driver"));
        QVERIFY2(!plan.bundle.driverPath.isEmpty(), "the demo test did not build");
        plan.scriptPath = m_state.filePath(QStringLiteral("before-start.py"));
        plan.scriptText = QStringLiteral("start_all()\n");
        QFile script(plan.scriptPath);
        QVERIFY(script.open(QIODevice::WriteOnly));
        script.write(plan.scriptText.toUtf8());
        script.close();

        DebugSession session;
        MachinePanel panel(&session);
        QSignalSpy stopped(&session, &DebugSession::stopped);
        QSignalSpy finished(&session, &DebugSession::finished);
        session.setBreakpoints(plan.scriptPath, {SourceBreakpoint {1, QString()}});
        QVERIFY2(session.start(plan), qPrintable(session.error()));
        QVERIFY2(stopped.wait(240000), qPrintable(session.driverOutput().right(2000)));
        QCOMPARE(stopped.at(0).at(0).toString(), QStringLiteral("breakpoint"));

        QCOMPARE(panel.count(), machines.size());
        for (const QString &name : machines) {
            MachineTab *tab = panel.tab(name);
            QVERIFY2(tab, qPrintable(name));
            QCOMPARE(tab->state(), QStringLiteral("off"));
            QVERIFY(tab->startAction()->isEnabled());
        }
        const QString privateDir = QFileInfo(session.agentSocketPath()).path();
        QCOMPARE(qemuUnder(privateDir), QStringList());

        // A machine action works before start_all(): the agent knows the
        // driver's machine (no "no machine named ...").
        MachineTab *first = panel.tab(machines.first());
        first->startAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(MachineTab::isRunningState(first->state()), 120000);
        QTRY_COMPARE_WITH_TIMEOUT(qemuUnder(privateDir).size(), 1, 60000);

        session.terminate();
        QVERIFY(finished.wait(120000));
    }

    void screenConsoleScreenshotShutdown()
    {
        const QString nixFile = qEnvironmentVariable("NIXTIDE_SOURCE_DIR")
            + QStringLiteral("/resources/demo/single.nix");
        LaunchPlan plan = resolveLaunchPlan(nixFile, QStringLiteral("driver"));
        QVERIFY2(!plan.bundle.driverPath.isEmpty(), "the demo test did not build");
        // Boot, then stop at line 3 with the VM up for the panel to work on.
        plan.scriptPath = m_state.filePath(QStringLiteral("panel-script.py"));
        plan.scriptText = QStringLiteral("machine.start()\n"
                                         "machine.wait_for_unit(\"multi-user.target\")\n"
                                         "print(\"panel test ready\")\n"
                                         "machine.succeed(\"true\")\n");
        QFile script(plan.scriptPath);
        QVERIFY(script.open(QIODevice::WriteOnly));
        script.write(plan.scriptText.toUtf8());
        script.close();

        DebugSession session;
        MachinePanel panel(&session);
        panel.resize(1000, 900);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QSignalSpy stopped(&session, &DebugSession::stopped);
        QSignalSpy finished(&session, &DebugSession::finished);
        session.setBreakpoints(plan.scriptPath, {SourceBreakpoint {3, QString()}});
        QVERIFY2(session.start(plan), qPrintable(session.error()));

        // The tab appears as soon as the session lists the machine.
        QTRY_VERIFY_WITH_TIMEOUT(panel.tab(QStringLiteral("machine")) != nullptr, 10000);
        QCOMPARE(panel.count(), 1);
        QCOMPARE(panel.tabText(0), QStringLiteral("machine"));
        MachineTab *tab = panel.tab(QStringLiteral("machine"));
        FramebufferView *screen = panel.screen(QStringLiteral("machine"));
        VncConnection *vnc = panel.vnc(QStringLiteral("machine"));
        QTermWidget *terminal = panel.terminal(QStringLiteral("machine"));
        SerialConsole *console = panel.console(QStringLiteral("machine"));
        QVERIFY(screen && vnc && terminal && console);
        QCOMPARE(screen->connection(), vnc);
        QCOMPARE(console->terminal(), terminal);

        QVERIFY2(stopped.wait(240000), qPrintable(session.driverOutput().right(2000)));
        QCOMPARE(stopped.at(0).at(0).toString(), QStringLiteral("breakpoint"));
        QCOMPARE(tab->state(), QStringLiteral("up"));
        QVERIFY(panel.tabToolTip(0).contains(QStringLiteral("up")));
        QVERIFY(tab->shutdownAction()->isEnabled());
        QVERIFY(!tab->startAction()->isEnabled());
        const QString privateDir = QFileInfo(session.agentSocketPath()).path();
        QVERIFY(!qemuUnder(privateDir).isEmpty());

        // The live screen: the guest's console (tty1), not a blank frame.
        QCOMPARE(vnc->socketPath(), session.machines().value(0).vncSocket);
        QTRY_COMPARE_WITH_TIMEOUT(vnc->state(), VncConnection::State::Connected, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(distinctColours(screen->grabFrame()) > 1, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(tab->screenshotAction()->isEnabled(), 5000);
        // The guest's own size, as QEMU's screendump (the driver's
        // screenshot, through the tab's menu action) has it.
        QSignalSpy driverShots(&session, &DebugSession::screenshotTaken);
        tab->screenshotAction()->menu()->actions().at(0)->trigger();
        QVERIFY(driverShots.wait(60000));
        const QImage dump(driverShots.at(0).at(1).toString());
        QVERIFY(!dump.isNull());
        QCOMPARE(vnc->frameSize(), dump.size());
        QVERIFY(tab->message().contains(driverShots.at(0).at(1).toString()));

        // The serial console shows what ttyS0 printed while booting, and
        // the shell's prompt, which no newline follows: nothing has been
        // typed into the console yet.
        QVERIFY(terminalShows(console, QStringLiteral("Linux version")));
        QVERIFY(terminalShows(console, QStringLiteral("[root@machine:~]#")));
        auto *input = tab->findChild<ConsoleInput *>();
        QVERIFY(input);
        QCOMPARE(input->requestsSent(), 0);

        // Keys typed into the terminal (real key events on QTermWidget's
        // display) reach ttyS0's shell, batched; the shell's echo of each
        // character shows before Enter. The kernel's own messages share
        // ttyS0 and could land inside the echoed line (modules still load
        // when the VM is up): through the backdoor, they are turned off.
        bool quiet = false;
        const QString dmesg
            = evaluate(session, QStringLiteral("machine.succeed(\"dmesg -n 1\")"), &quiet);
        QVERIFY2(quiet, qPrintable(dmesg));
        const QString serialCommand
            = QStringLiteral("echo typed-in-serial > /tmp/serial-ok; echo serial-$((6*7))");
        QWidget *keys = console->keyTarget();
        QVERIFY(keys != terminal);
        keys->setFocus();
        QTest::keyClicks(keys, serialCommand);
        QVERIFY(terminalShows(console, serialCommand));
        QTest::keyClick(keys, Qt::Key_Return);
        QVERIFY(guestFileHolds(
            session, QStringLiteral("/tmp/serial-ok"), QStringLiteral("typed-in-serial")));
        QVERIFY2(input->requestsSent() < serialCommand.size(),
            qPrintable(QString::number(input->requestsSent())));
        // Its output comes back into the terminal. (The echo of the typed
        // line may be cut by kernel messages and the backdoor's stderr, which
        // share ttyS0; the output is printed as one line.)
        QVERIFY(terminalShows(console, QStringLiteral("\nserial-42")));

        // A click grabs the keyboard for the screen; keys reach tty1's shell.
        QTest::mouseClick(screen, Qt::LeftButton, {}, screen->rect().center());
        QVERIFY(screen->hasInputGrab());
        QVERIFY(tab->grabLabel()->text().contains(QStringLiteral("Ctrl+Alt")));
        typeOnKeyboard(screen, QStringLiteral("echo typed-in-fb > /tmp/fb-ok"));
        QTest::keyClick(screen, Qt::Key_Return);
        const bool fbOk
            = guestFileHolds(session, QStringLiteral("/tmp/fb-ok"), QStringLiteral("typed-in-fb"));
        if (!fbOk)
            screen->grabFrame().save(QStringLiteral("/tmp/fb-fail.png"));
        QVERIFY(fbOk);
        QTest::keyPress(screen, Qt::Key_Control, Qt::ControlModifier);
        QTest::keyPress(screen, Qt::Key_Alt, Qt::ControlModifier | Qt::AltModifier);
        QVERIFY(!screen->hasInputGrab());
        QVERIFY(tab->grabLabel()->text().contains(QStringLiteral("Click")));

        // Screenshot button: a PNG of the screen in the run record.
        QSignalSpy saved(&panel, &MachinePanel::screenshotSaved);
        tab->screenshotAction()->trigger();
        QCOMPARE(saved.count(), 1);
        const QString shot = saved.at(0).at(1).toString();
        QCOMPARE(shot, session.runRecordDir() + QStringLiteral("/screenshots/machine-1.png"));
        QVERIFY(QFileInfo(shot).size() > 0);
        const QImage png(shot);
        QCOMPARE(png.size(), dump.size());
        QVERIFY(distinctColours(png) > 1);
        QVERIFY(tab->message().contains(shot));
        // What a person sees on it: tty1's banner (read by OCR, as the
        // driver's get_screen_text does).
        QProcess ocr;
        ocr.start(QStringLiteral("tesseract"), {shot, QStringLiteral("-")});
        QVERIFY2(ocr.waitForFinished(60000), "tesseract did not run");
        QVERIFY2(ocr.readAllStandardOutput().contains("nixtide demo guest machine"),
            "no banner on the screenshot");
        tab->screenshotAction()->trigger();
        QCOMPARE(saved.at(1).at(1).toString(),
            session.runRecordDir() + QStringLiteral("/screenshots/machine-2.png"));

        const QString grabPath = qEnvironmentVariable("NIXTIDE_MACHINES_GRAB");
        if (!grabPath.isEmpty()) {
            QTest::qWait(500);
            panel.grab().save(grabPath);
        }

        // Shut down: the tab stays, says so, and the screen is "not running".
        tab->shutdownAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(tab->state(), QStringLiteral("shutdown"), 60000);
        QVERIFY(panel.tabToolTip(0).contains(QStringLiteral("shutdown")));
        QTRY_VERIFY_WITH_TIMEOUT(vnc->state() != VncConnection::State::Connected, 10000);
        QApplication::processEvents();
        QCOMPARE(screen->grab().toImage().pixelColor(5, 5), QColor(0x20, 0x20, 0x20));
        QVERIFY(tab->startAction()->isEnabled());
        QVERIFY(!tab->shutdownAction()->isEnabled());
        QCOMPARE(panel.count(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(qemuUnder(privateDir).isEmpty(), 10000);

        // Start again: the same tab, its screen reconnects by itself.
        const quint64 updatesBefore = vnc->updatesReceived();
        tab->startAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(MachineTab::isRunningState(tab->state()), 60000);
        QTRY_COMPARE_WITH_TIMEOUT(vnc->state(), VncConnection::State::Connected, 60000);
        QTRY_VERIFY_WITH_TIMEOUT(vnc->updatesReceived() > updatesBefore, 60000);
        QVERIFY(terminalShows(console, QStringLiteral("--- machine: shutdown ---")));
        QCOMPARE(panel.tab(QStringLiteral("machine")), tab);

        session.terminate();
        QVERIFY(finished.wait(120000));
        QCOMPARE(panel.count(), 1);
        QVERIFY(!tab->startAction()->isEnabled());
        // The watchdog sweeps the driver's process group after it ended.
        QTRY_COMPARE_WITH_TIMEOUT(qemuUnder(privateDir), QStringList(), 30000);
        QVERIFY2(!MachineTab::isRunningState(tab->state()), qPrintable(tab->state()));
        QCOMPARE(vnc->state(), VncConnection::State::Disconnected);
        // The driver's last machine event can be read after its end (the
        // socket's data after the process's exit): the screen of a finished
        // run stays closed rather than retrying a socket that is gone.
        QVERIFY(!session.machines().value(0).vncSocket.isEmpty());
        Q_EMIT session.machinesChanged();
        QCOMPARE(vnc->state(), VncConnection::State::Disconnected);
        QVERIFY2(!MachineTab::isRunningState(tab->state()), qPrintable(tab->state()));

        // The next run keeps the tab (and the old console) until its
        // session lists the machines.
        panel.setSession(nullptr);
        DebugSession next;
        panel.setSession(&next);
        QCOMPARE(panel.tab(QStringLiteral("machine")), tab);
        QVERIFY(terminalShows(console, QStringLiteral("--- new run ---")));
        QVERIFY(console->text().contains(QStringLiteral("\nserial-42")));
    }

    void containerTabHasConsoleAndStateNoScreen()
    {
        const QString nixFile = qEnvironmentVariable("NIXTIDE_SOURCE_DIR")
            + QStringLiteral("/resources/demo/containers.nix");
        LaunchPlan plan = resolveLaunchPlan(nixFile, QStringLiteral("driver"));
        QVERIFY2(!plan.bundle.driverPath.isEmpty(), "the demo test did not build");
        plan.scriptPath = m_state.filePath(QStringLiteral("container-script.py"));
        plan.scriptText = QStringLiteral("box.start()\n"
                                         "box.wait_for_unit(\"multi-user.target\")\n"
                                         "print(\"container test ready\")\n"
                                         "box.succeed(\"true\")\n");
        QFile script(plan.scriptPath);
        QVERIFY(script.open(QIODevice::WriteOnly));
        script.write(plan.scriptText.toUtf8());
        script.close();

        DebugSession session;
        MachinePanel panel(&session);
        panel.resize(1000, 900);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QSignalSpy stopped(&session, &DebugSession::stopped);
        QSignalSpy finished(&session, &DebugSession::finished);
        session.setBreakpoints(plan.scriptPath, {SourceBreakpoint {3, QString()}});
        QVERIFY2(session.start(plan), qPrintable(session.error()));

        // Both machines get a tab before the script runs.
        QTRY_COMPARE_WITH_TIMEOUT(panel.count(), 2, 60000);
        MachineTab *box = panel.tab(QStringLiteral("box"));
        MachineTab *server = panel.tab(QStringLiteral("server"));
        QVERIFY(box && server);
        QCOMPARE(box->kind(), QStringLiteral("container"));
        QCOMPARE(server->kind(), QStringLiteral("vm"));
        QVERIFY(!box->screen()->isVisibleTo(box));
        QVERIFY(!box->screenshotAction()->isVisible());
        QVERIFY(server->screen()->isVisibleTo(server));

        QVERIFY2(stopped.wait(240000), qPrintable(session.driverOutput().right(2000)));
        // The same tabs as before the script ran: none was dropped while the
        // agent listed the machines.
        QCOMPARE(panel.tab(QStringLiteral("box")), box);
        QCOMPARE(panel.tab(QStringLiteral("server")), server);
        QCOMPARE(box->state(), QStringLiteral("up"));
        QCOMPARE(server->state(), QStringLiteral("off"));
        QVERIFY(box->shutdownAction()->isEnabled());
        QCOMPARE(box->vnc()->state(), VncConnection::State::Disconnected);

        // The container's console: its shell's prompt, and typed keys reach it.
        SerialConsole *console = box->console();
        QVERIFY(terminalShows(console, QStringLiteral("[root@box:~]#")));
        QWidget *keys = console->keyTarget();
        keys->setFocus();
        QTest::keyClicks(
            keys, QStringLiteral("echo typed-in-box > /tmp/box-ok; echo box-$((6*7))"));
        QTest::keyClick(keys, Qt::Key_Return);
        QVERIFY(guestFileHolds(session, QStringLiteral("/tmp/box-ok"),
            QStringLiteral("typed-in-box"), QStringLiteral("box")));
        QVERIFY(terminalShows(console, QStringLiteral("box-42")));

        // Its state follows the machine: crashed at once.
        box->crashAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(box->state(), QStringLiteral("crashed"), 60000);
        QVERIFY(box->startAction()->isEnabled());
        QVERIFY(terminalShows(console, QStringLiteral("--- box: crashed ---")));

        session.terminate();
        QVERIFY(finished.wait(120000));
        QCOMPARE(panel.count(), 2);
    }
};

QTEST_MAIN(TestMachinePanel)
#include "tst_machinepanel.moc"
