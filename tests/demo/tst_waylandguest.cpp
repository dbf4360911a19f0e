// The Wayland demo guest end to end (resources/demo/wayland.nix built with
// real Nix, the guest booted by the demo driver under QEMU/TCG, run through a
// DebugSession): the session comes up, the application's window is on the
// live screen as nixtide's VNC client receives it, OCR reads the
// application's label, and a left click sent through that VNC client at the
// application's button changes the application's state, read back through
// the backdoor; then the pointer moved over the window's empty part shows
// on the live screen where it is and not where it was.
#include "common/guesttesting.h"
#include "core/session/debugsession.h"
#include "core/session/testresolver.h"
#include "core/vnc/vncconnection.h"

#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace nixtide;
using namespace nixtide::testing;

namespace {

// Where the application's "Greet" button is on the 1280x800 screen: under
// weston's kiosk shell the form fills the screen and the button row (y 63 to
// 97) spans its width (resources/demo/guest/wayland/rootfs/usr/bin/nixtide-demo-app).
const QPoint kGreetButton(640, 80);

// The share of the screen's rows that are not one colour from edge to edge:
// a blank or single-colour screen has none; a window with widgets has many.
double busyRowShare(const QImage &image)
{
    if (image.isNull())
        return 0;
    int busy = 0;
    for (int y = 0; y < image.height(); ++y) {
        const QRgb first = image.pixel(0, y);
        for (int x = 1; x < image.width(); ++x) {
            if (image.pixel(x, y) != first) {
                ++busy;
                break;
            }
        }
    }
    return double(busy) / image.height();
}

// The button's row left of the middle (where the cursor is not): GTK draws
// it in another colour when the pointer is over the button.
QList<QRgb> buttonRow(const QImage &image)
{
    QList<QRgb> row;
    if (image.isNull())
        return row;
    for (int x = 100; x < kGreetButton.x() - 40; ++x)
        row.append(image.pixel(x, kGreetButton.y()));
    return row;
}

// Two places on the window's empty background, below the form.
const QPoint kEmptyA(400, 400);
const QPoint kEmptyB(900, 600);

// The pixels around a pointer position (the 24-pixel cursor hangs below
// and right of it).
QImage around(const QImage &image, const QPoint &at)
{
    return image.copy(QRect(at - QPoint(8, 8), QSize(40, 40)));
}

// Pixels far darker than the window's light grey: the cursor's outline.
int darkPixels(const QImage &image)
{
    int dark = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x)
            dark += qGray(image.pixel(x, y)) < 100 ? 1 : 0;
    }
    return dark;
}

} // namespace

class TestWaylandGuest : public QObject
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

    void sessionScreenOcrAndClick()
    {
        LaunchPlan plan = resolveLaunchPlan(qEnvironmentVariable("NIXTIDE_SOURCE_DIR")
                + QStringLiteral("/resources/demo/wayland.nix"),
            QStringLiteral("driver"));
        QVERIFY2(!plan.bundle.driverPath.isEmpty(), "wayland.nix did not build");
        // Boot, open the application, read its label with the driver's OCR,
        // then stop on line 6 with the window on the screen.
        plan.scriptPath = m_state.filePath(QStringLiteral("wayland-script.py"));
        plan.scriptText
            = QStringLiteral("machine.start()\n"
                             "machine.wait_for_unit(\"wayland-session.service\", timeout=600)\n"
                             "machine.succeed(\"nixtide-demo-app >/dev/null 2>&1 &\")\n"
                             "machine.wait_for_text(\"nixtide demo app\", timeout=600)\n"
                             "ocr_text = machine.get_screen_text()\n"
                             "print(\"application on screen\")\n"
                             "machine.succeed(\"true\")\n");
        QFile script(plan.scriptPath);
        QVERIFY(script.open(QIODevice::WriteOnly));
        script.write(plan.scriptText.toUtf8());
        script.close();

        DebugSession session;
        QSignalSpy stopped(&session, &DebugSession::stopped);
        QSignalSpy finished(&session, &DebugSession::finished);
        session.setBreakpoints(plan.scriptPath, {SourceBreakpoint {6, QString()}});
        QVERIFY2(session.start(plan), qPrintable(session.error()));
        QVERIFY2(stopped.wait(900000), qPrintable(session.driverOutput().right(3000)));
        QCOMPARE(stopped.at(0).at(0).toString(), QStringLiteral("breakpoint"));

        // OCR of a known string: the label the application shows.
        bool ok = false;
        const QString text = evaluate(session, QStringLiteral("ocr_text"), &ok);
        QVERIFY2(ok, qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("Greet")), qPrintable(text));

        // The live screen through nixtide's own VNC client: the guest's
        // 1280x800 output with the application's widgets, not a blank frame.
        const QString socket = session.machines().value(0).vncSocket;
        QVERIFY(!socket.isEmpty());
        VncConnection vnc;
        vnc.setKeepAlive(true);
        vnc.open(socket);
        QTRY_COMPARE_WITH_TIMEOUT(vnc.state(), VncConnection::State::Connected, 60000);
        QTRY_COMPARE_WITH_TIMEOUT(vnc.frameSize(), QSize(1280, 800), 60000);
        QTRY_VERIFY_WITH_TIMEOUT(distinctColours(vnc.frame()) > 2, 60000);
        QTRY_VERIFY_WITH_TIMEOUT(busyRowShare(vnc.frame()) > 0.05, 60000);
        vnc.frame().save(m_state.filePath(QStringLiteral("wayland-vnc.png")));

        // Nothing has been clicked yet.
        const QString before = evaluate(
            session, QStringLiteral("machine.execute(\"cat /tmp/greeted 2>/dev/null\")[1]"), &ok);
        QVERIFY(ok);
        QVERIFY2(!before.contains(QStringLiteral("clicked")), qPrintable(before));

        // A click as a user's would go: pointer events over VNC (the guest's
        // pointer is a tablet, so the position is absolute). The pointer
        // goes onto the button first, and the press waits until GTK draws
        // the button hovered: weston offers the pointer to applications
        // only after the tablet's first event, so a press right behind the
        // first move comes before GTK has its wl_pointer and is lost.
        const QImage idle = vnc.frame();
        vnc.sendPointer(kGreetButton, 0);
        QTRY_VERIFY_WITH_TIMEOUT(buttonRow(vnc.frame()) != buttonRow(idle), 120000);
        vnc.sendPointer(kGreetButton, VncConnection::LeftButton);
        vnc.sendPointer(kGreetButton, 0);
        QElapsedTimer t;
        t.start();
        QString after;
        while (t.elapsed() < 180000) {
            after = evaluate(session,
                QStringLiteral("machine.execute(\"cat /tmp/greeted 2>/dev/null\")[1]"), &ok);
            if (ok && after.contains(QStringLiteral("clicked")))
                break;
            QTest::qWait(500);
        }
        QVERIFY2(after.contains(QStringLiteral("clicked")), qPrintable(after));
        // One click, one run of the button's command.
        QCOMPARE(after.count(QStringLiteral("clicked")), 1);

        // The remote cursor: the guest's std VGA has no hardware cursor, so
        // weston draws the pointer into the frame (bench/README.md, "remote
        // cursor"): the live screen shows it where the pointer is, and no
        // longer where it was.
        QCOMPARE(darkPixels(around(idle, kEmptyA)), 0);
        QCOMPARE(darkPixels(around(idle, kEmptyB)), 0);
        vnc.sendPointer(kEmptyA, 0);
        QTRY_VERIFY_WITH_TIMEOUT(darkPixels(around(vnc.frame(), kEmptyA)) > 10, 120000);
        vnc.sendPointer(kEmptyB, 0);
        QTRY_VERIFY_WITH_TIMEOUT(darkPixels(around(vnc.frame(), kEmptyB)) > 10
                && around(vnc.frame(), kEmptyA) == around(idle, kEmptyA),
            120000);
        vnc.frame().save(m_state.filePath(QStringLiteral("wayland-cursor.png")));

        vnc.close();
        session.terminate();
        QVERIFY(finished.wait(120000));
        QTRY_COMPARE_WITH_TIMEOUT(
            qemuUnder(QFileInfo(session.agentSocketPath()).path()), QStringList(), 30000);
    }
};

QTEST_MAIN(TestWaylandGuest)
#include "tst_waylandguest.moc"
