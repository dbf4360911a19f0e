// VncConnection against a real QEMU VNC server on a unix socket, and
// against a fake one for the cursor shapes QEMU's test guest has none of.
#include "core/vnc/keysyms.h"
#include "core/vnc/vncconnection.h"
#include "fakerfbserver.h"
#include "testguest.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

using nixtide::VncConnection;
using nixtide::testing::FakeRfbServer;
using nixtide::testing::kGuestDeadlineMs;
using nixtide::testing::TestGuest;

namespace {

bool isBlank(const QImage &image)
{
    const QRgb first = image.pixel(0, 0);
    for (int y = 0; y < image.height(); y += 3) {
        for (int x = 0; x < image.width(); x += 3) {
            if (image.pixel(x, y) != first)
                return false;
        }
    }
    return true;
}

} // namespace

class TestVncClient : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        qRegisterMetaType<VncConnection::State>();
    }

    // Opened before QEMU exists: waits, connects when the socket appears,
    // follows SeaBIOS's text mode into the guest's 320x200 mode, and the
    // guest sees keys typed through the connection.
    void connectsFollowsResizeAndTypes()
    {
        VncConnection vnc;
        QSignalSpy states(&vnc, &VncConnection::stateChanged);
        QSignalSpy sizes(&vnc, &VncConnection::sizeChanged);
        QSignalSpy frames(&vnc, &VncConnection::frameUpdated);
        TestGuest guest(m_dir.path());
        vnc.open(guest.socketPath());
        QTRY_VERIFY_WITH_TIMEOUT(
            vnc.stateReason().contains(QStringLiteral("waiting")), kGuestDeadlineMs);
        QCOMPARE(vnc.state(), VncConnection::State::Connecting);

        QVERIFY(guest.start(/*paused=*/true));
        QTRY_COMPARE_WITH_TIMEOUT(vnc.state(), VncConnection::State::Connected, kGuestDeadlineMs);
        QTRY_VERIFY_WITH_TIMEOUT(!vnc.frame().isNull() && frames.count() > 0, kGuestDeadlineMs);
        const QSize before = vnc.frameSize();
        QVERIFY2(before != QSize(640, 400), "connected after the guest ran: no resize to see");

        vnc.setKeepAlive(true);
        guest.monitor("cont");
        QTRY_COMPARE_WITH_TIMEOUT(vnc.frameSize(), QSize(640, 400), kGuestDeadlineMs);
        QVERIFY(sizes.count() >= 2);
        QCOMPARE(sizes.last().at(0).toSize(), QSize(640, 400));
        QCOMPARE(vnc.frame().size(), QSize(640, 400));

        // The top half animates: updates keep coming and it is not blank.
        const quint64 updatesBefore = vnc.updatesReceived();
        QTRY_VERIFY_WITH_TIMEOUT(vnc.updatesReceived() > updatesBefore + 10, kGuestDeadlineMs);
        // Some palette entries of the animation are black like the bottom
        // half (colour 0 among them): wait for a frame that is not.
        QTRY_VERIFY_WITH_TIMEOUT(!isBlank(vnc.frame()), kGuestDeadlineMs);
        // Bottom half: black until a key arrives. Right after the mode switch
        // QEMU can show the text screen's bytes as pixels (spaces are colour
        // 0x20, blue) until the guest's first fill: wait for that.
        QTRY_COMPARE_WITH_TIMEOUT(qGray(vnc.frame().pixel(320, 300)), 0, kGuestDeadlineMs);

        const quint32 a = nixtide::keysymForKey(Qt::Key_A, Qt::NoModifier, QStringLiteral("a"));
        QCOMPARE(a, 0x61u);
        vnc.sendKey(a, true);
        vnc.sendKey(a, false);
        // Colour 0x61 of the VGA palette is not black.
        QTRY_VERIFY_WITH_TIMEOUT(qGray(vnc.frame().pixel(320, 300)) > 0, kGuestDeadlineMs);
        // An update can catch the guest half-way through its fill: the whole
        // bottom half gets the key's colour in a later one.
        QTRY_COMPARE_WITH_TIMEOUT(
            vnc.frame().pixel(10, 390), vnc.frame().pixel(630, 210), kGuestDeadlineMs);

        // Closing a live connection is prompt.
        QElapsedTimer timer;
        timer.start();
        vnc.close();
        QVERIFY2(timer.elapsed() < 1000, qPrintable(QString::number(timer.elapsed())));
        QCOMPARE(vnc.state(), VncConnection::State::Disconnected);
    }

    // The VM goes away and comes back: the connection says so and returns.
    void reconnectsAfterRestart()
    {
        VncConnection vnc;
        QSignalSpy states(&vnc, &VncConnection::stateChanged);
        auto guest = std::make_unique<TestGuest>(m_dir.path());
        QVERIFY(guest->start(true));
        vnc.open(guest->socketPath());
        QTRY_COMPARE_WITH_TIMEOUT(vnc.state(), VncConnection::State::Connected, kGuestDeadlineMs);

        guest.reset(); // kills QEMU
        QTRY_VERIFY_WITH_TIMEOUT(vnc.state() != VncConnection::State::Connected, kGuestDeadlineMs);
        QVERIFY(!vnc.stateReason().isEmpty());

        guest = std::make_unique<TestGuest>(m_dir.path());
        QVERIFY(guest->start(true));
        QTRY_COMPARE_WITH_TIMEOUT(vnc.state(), VncConnection::State::Connected, kGuestDeadlineMs);
        QTRY_VERIFY_WITH_TIMEOUT(!vnc.frame().isNull(), kGuestDeadlineMs);
    }

    // The server's RichCursor shape arrives on the GUI thread as an ARGB32
    // image with the mask as alpha, and goes away with the connection.
    void cursorShapeArrives()
    {
        const FakeRfbServer::Cursor cursor;
        const QString path = m_dir.path() + QStringLiteral("/cursor.sock");
        FakeRfbServer server(path, 0, FakeRfbServer::updateOf({cursor.rectangle()}));
        QVERIFY(server.isListening());
        VncConnection vnc;
        QSignalSpy cursors(&vnc, &VncConnection::cursorChanged);
        vnc.open(path);
        QTRY_COMPARE_WITH_TIMEOUT(cursors.count(), 1, 60000);
        const QImage shape = cursors.at(0).at(0).value<QImage>();
        QCOMPARE(shape.format(), QImage::Format_ARGB32);
        QCOMPARE(shape.size(), QSize(cursor.width, cursor.height));
        const QImage expected = cursor.image();
        for (int y = 0; y < shape.height(); ++y) {
            for (int x = 0; x < shape.width(); ++x) {
                QVERIFY2(shape.pixel(x, y) == expected.pixel(x, y),
                    qPrintable(QStringLiteral("(%1, %2): %3, not %4")
                            .arg(x)
                            .arg(y)
                            .arg(shape.pixel(x, y), 8, 16)
                            .arg(expected.pixel(x, y), 8, 16)));
            }
        }
        QCOMPARE(qAlpha(shape.pixel(0, 0)), 0); // masked out
        QCOMPARE(qAlpha(shape.pixel(1, 0)), 255);
        QCOMPARE(cursors.at(0).at(1).toPoint(), cursor.hotspot);
        QCOMPARE(vnc.cursorShape(), expected);
        QCOMPARE(vnc.cursorHotspot(), cursor.hotspot);
        // The frames that follow the shape are read as before.
        QTRY_VERIFY_WITH_TIMEOUT(vnc.updatesReceived() > 3, 60000);
        // The client asked for it: its last SetEncodings (the one the
        // server keeps) lists RichCursor (-239) and XCursor (-240).
        const QByteArray encodings = QByteArray("\x02\x00\x00\x05", 4)
            + QByteArray("\x00\x00\x00\x00\x00\x00\x00\x05", 8) // raw, hextile
            + QByteArray("\xff\xff\xff\x11\xff\xff\xff\x10", 8) // the cursors
            + QByteArray("\xff\xff\xff\x21", 4); // DesktopSize
        QVERIFY(server.received().contains(encodings));

        vnc.close();
        QVERIFY(vnc.cursorShape().isNull());
        QCOMPARE(cursors.count(), 2);
        QVERIFY(cursors.at(1).at(0).value<QImage>().isNull());
    }

    // Shapes of no size or too large are ignored, a hotspot outside the
    // shape is moved into it, and the connection reads on.
    void malformedCursorShapesAreIgnored()
    {
        const QString path = m_dir.path() + QStringLiteral("/badcursor.sock");
        const QList<quint32> pixels(300 * 2, 0x00ff0000u);
        const QList<bool> opaque(300 * 2, true);
        const auto update = FakeRfbServer::updateOf({
            FakeRfbServer::richCursor(0, 0, 0, 5, {}, {}), // no size: no data either
            FakeRfbServer::richCursor(0, 0, 300, 2, pixels, opaque), // wider than 256
            FakeRfbServer::richCursor(100, 200, 4, 4, pixels, opaque), // hotspot outside
        });
        FakeRfbServer server(path, 0, update);
        QVERIFY(server.isListening());
        VncConnection vnc;
        QSignalSpy cursors(&vnc, &VncConnection::cursorChanged);
        vnc.open(path);
        QTRY_VERIFY_WITH_TIMEOUT(vnc.updatesReceived() > 3, 60000);
        QCOMPARE(vnc.state(), VncConnection::State::Connected);
        QCOMPARE(server.connections(), 1);
        QCOMPARE(cursors.count(), 1);
        QCOMPARE(vnc.cursorShape().size(), QSize(4, 4));
        QCOMPARE(vnc.cursorShape().pixel(2, 2), 0xffff0000u);
        QCOMPARE(vnc.cursorHotspot(), QPoint(3, 3));
    }

    // A size libvncclient refuses outright (1024 and more) ends that
    // connection with a reason; nothing crashes and no shape is shown.
    void hugeCursorShapeEndsTheConnectionOnly()
    {
        const QString path = m_dir.path() + QStringLiteral("/hugecursor.sock");
        FakeRfbServer server(path, 0,
            FakeRfbServer::updateOf({FakeRfbServer::richCursor(0, 0, 2000, 2000, {}, {}, false)}));
        QVERIFY(server.isListening());
        VncConnection vnc;
        QSignalSpy cursors(&vnc, &VncConnection::cursorChanged);
        QSignalSpy states(&vnc, &VncConnection::stateChanged);
        vnc.open(path);
        QTRY_VERIFY_WITH_TIMEOUT(server.connections() >= 2, 60000);
        bool dropped = false;
        for (const QList<QVariant> &args : std::as_const(states))
            dropped
                |= args.at(0).value<VncConnection::State>() == VncConnection::State::Disconnected
                && !args.at(1).toString().isEmpty();
        QVERIFY(dropped);
        QCOMPARE(cursors.count(), 0);
        QVERIFY(vnc.cursorShape().isNull());
    }

    void keysymTable()
    {
        using nixtide::keysymForKey;
        QCOMPARE(keysymForKey(Qt::Key_Return, Qt::NoModifier, QStringLiteral("\r")), 0xff0du);
        QCOMPARE(keysymForKey(Qt::Key_Escape, Qt::NoModifier, {}), 0xff1bu);
        QCOMPARE(keysymForKey(Qt::Key_F5, Qt::NoModifier, {}), 0xffc2u);
        QCOMPARE(keysymForKey(Qt::Key_Left, Qt::NoModifier, {}), 0xff51u);
        QCOMPARE(keysymForKey(Qt::Key_A, Qt::ShiftModifier, QStringLiteral("A")), 0x41u);
        QCOMPARE(keysymForKey(Qt::Key_C, Qt::ControlModifier, QStringLiteral("\x03")), 0x63u);
        QCOMPARE(keysymForKey(Qt::Key_Eacute, Qt::NoModifier, QStringLiteral("é")), 0xe9u);
        QCOMPARE(keysymForKey(Qt::Key_unknown, Qt::NoModifier, QStringLiteral("€")), 0x010020acu);
        QCOMPARE(keysymForKey(Qt::Key_Shift, Qt::ShiftModifier, {}), 0xffe1u);
    }

private:
    QTemporaryDir m_dir {QStringLiteral("/tmp/nixtide-vnc-XXXXXX")};
};

QTEST_GUILESS_MAIN(TestVncClient)
#include "tst_vncclient.moc"
