// The window with its driver on another host, as a user works: Debug > Run
// on Host names the SSH "remote" (tests/common/sshbuilder.py serve), F5
// builds here, copies the closure there and stops at the breakpoint; the
// status bar names the host and its KVM, the machine tab shows the live
// screen and serial console through the forwarded sockets, the REPL runs
// against the host's VM, and a lost connection is shown, with nothing left
// running on the host.
#include "common/guesttesting.h"
#include "common/remotetesting.h"
#include "common/windowtesting.h"
#include "core/session/debugsession.h"
#include "ui/docks/buildoutputview.h"
#include "ui/docks/replwidget.h"
#include "ui/editor/editorarea.h"
#include "ui/editor/scripteditor.h"
#include "ui/machines/machinepanel.h"
#include "ui/machines/serialconsole.h"
#include "ui/mainwindow.h"
#include "ui/vnc/framebufferview.h"
#include "ui/window/debugactions.h"
#include "ui/window/sessioncontroller.h"

#include <QAction>
#include <QFileInfo>
#include <QLabel>
#include <QPlainTextEdit>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <unistd.h>

using namespace nixtide;
using namespace nixtide::testing;

class TestRemoteWindow : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    SshHostStandIn m_host;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(qEnvironmentVariableIsSet("NIXTIDE_SOURCE_DIR"), "run under ctest");
        qputenv("XDG_STATE_HOME", m_dir.filePath(QStringLiteral("state")).toUtf8());
        QVERIFY2(m_host.start(), "the SSH host stand-in did not start");
    }

    void cleanupTestCase() { m_host.stop(); }

    void debugOnHostThenLoseIt()
    {
        const QString nixFile = qEnvironmentVariable("NIXTIDE_SOURCE_DIR")
            + QStringLiteral("/resources/demo/single.nix");
        const int hostnameLine
            = lineContaining(nixFile, QStringLiteral("hostname = machine.succeed"));
        QVERIFY(hostnameLine > 0);

        TestWindow w = makeTestWindow(m_dir.path(), QStringLiteral("remote"));
        MainWindow &window = *w.window;
        SessionController *controller = w.controller;
        // Not an ssh:// host: refused, and the window says so.
        QVERIFY(!window.setRunHost(QStringLiteral("http://example.org")));
        QCOMPARE(window.runHost(), QString());
        QVERIFY(window.setRunHost(m_host.uri()));
        QCOMPARE(window.runHost(), m_host.uri());
        ScriptEditor *editor = runToBreakpoint(w, nixFile, hostnameLine);
        QVERIFY(editor);
        DebugSession *session = controller->session();
        QVERIFY(session);
        QCOMPARE(session->hostName(), m_host.uri());
        const QString hostDir = session->driverRunDir();
        QVERIFY(!qemuUnder(hostDir).isEmpty());

        // Build Output has the steps on the way to the host's driver.
        const QString built = window.buildOutput()->text()->toPlainText();
        for (const QString &step :
            {QStringLiteral(": copying /nix/store/"), QStringLiteral(": sending the debug agent"),
                QStringLiteral(": starting the driver in /")})
            QVERIFY2(built.contains(m_host.uri() + step), qPrintable(built.right(2000)));

        // The status bar: the host and what it says about its KVM.
        const bool kvm = hostHasKvm();
        QTRY_COMPARE_WITH_TIMEOUT(window.accelerationLabel()->text(),
            (kvm ? QStringLiteral("on %1: KVM") : QStringLiteral("on %1: no KVM"))
                .arg(m_host.uri()),
            60000);

        // The machine tab, through the forwarded sockets.
        MachinePanel *panel = window.machinePanel();
        QTRY_VERIFY_WITH_TIMEOUT(panel->screen(QStringLiteral("machine"))
                && distinctColours(panel->screen(QStringLiteral("machine"))->grabFrame()) > 1,
            120000);
        QTRY_VERIFY_WITH_TIMEOUT(panel->console(QStringLiteral("machine"))
                                     ->text()
                                     .contains(QStringLiteral("[root@machine:~]#")),
            60000);

        // The REPL evaluates against the host's VM.
        ReplWidget *repl = window.replWidget();
        repl->input()->setPlainText(QStringLiteral("machine.succeed(\"hostname\")"));
        QTest::keyClick(repl->input(), Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(
            repl->transcript()->toPlainText().contains(QStringLiteral("'machine\\n'")), 120000);
        saveShot(window, QStringLiteral("remote-stopped.png"));

        // The connection dies: the window says so and the host is clean.
        const pid_t master = masterOf(session->agentSocketPath());
        QVERIFY(master > 0);
        QCOMPARE(::kill(master, SIGKILL), 0);
        QTRY_VERIFY_WITH_TIMEOUT(
            window.accelerationLabel()->text().contains(QStringLiteral("connection lost")), 30000);
        QTRY_COMPARE_WITH_TIMEOUT(controller->state(), SessionState::Terminated, 30000);
        QCOMPARE(editor->currentLine(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(processesNaming(hostDir), QStringList(), 10000);
        saveShot(window, QStringLiteral("remote-lost.png"));
    }
};

QTEST_MAIN(TestRemoteWindow)
#include "tst_remotewindow.moc"
