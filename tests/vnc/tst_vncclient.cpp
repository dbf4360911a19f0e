// VncConnection against a real QEMU VNC server on a unix socket.
#include "core/vnc/keysyms.h"
#include "core/vnc/vncconnection.h"
#include "testguest.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

using nixtide::VncConnection;
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
