// FramebufferView showing a real QEMU VNC screen (offscreen platform), and
// a fake server's cursor shape as its mouse cursor.
#include "core/vnc/vncconnection.h"
#include "fakerfbserver.h"
#include "testguest.h"
#include "ui/vnc/framebufferview.h"

#include <QApplication>
#include <QPixmap>
#include <QSignalSpy>
#include <QTest>
#include <QtMath>

using nixtide::FramebufferView;
using nixtide::VncConnection;
using nixtide::testing::FakeRfbServer;
using nixtide::testing::kGuestDeadlineMs;
using nixtide::testing::TestGuest;

class TestFramebufferView : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // The server's cursor shape is the view's mouse cursor, scaled as the
    // frame is drawn (in device pixels on a HiDPI screen), hotspot too. A
    // server that sends no shape leaves the arrow.
    void showsTheRemoteCursorScaled()
    {
        QTemporaryDir dir(QStringLiteral("/tmp/nixtide-fbv-XXXXXX"));
        QVERIFY(dir.isValid());
        const FakeRfbServer::Cursor cursor;
        const QString plainPath = dir.path() + QStringLiteral("/plain.sock");
        const QString cursorPath = dir.path() + QStringLiteral("/cursor.sock");
        FakeRfbServer plain(plainPath, 0);
        FakeRfbServer withCursor(cursorPath, 0, FakeRfbServer::updateOf({cursor.rectangle()}));
        QVERIFY(plain.isListening() && withCursor.isListening());

        VncConnection vnc;
        FramebufferView view;
        view.setConnection(&vnc);
        // 64x48 fitted into 128x96: two logical pixels per framebuffer pixel.
        view.setMinimumSize(1, 1);
        view.resize(128, 96);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const double dpr = view.devicePixelRatioF();

        vnc.open(plainPath);
        QTRY_VERIFY_WITH_TIMEOUT(vnc.updatesReceived() > 3, 60000);
        QCOMPARE(view.frameRect(), QRectF(0, 0, 128, 96));
        QCOMPARE(view.cursor().shape(), Qt::ArrowCursor);

        vnc.open(cursorPath);
        QTRY_COMPARE_WITH_TIMEOUT(view.cursor().shape(), Qt::BitmapCursor, 60000);
        QPixmap pixmap = view.cursor().pixmap();
        QCOMPARE(pixmap.deviceIndependentSize(), QSizeF(2 * cursor.width, 2 * cursor.height));
        QCOMPARE(pixmap.size(), (QSizeF(2 * cursor.width, 2 * cursor.height) * dpr).toSize());
        QCOMPARE(pixmap.devicePixelRatio(), dpr);
        QCOMPARE(view.cursor().hotSpot(), cursor.hotspot * 2);
        // A masked-out pixel stays mostly transparent, an opaque one mostly
        // opaque, in the middle of its square (smooth scaling blends in some
        // of the neighbours).
        const QImage scaled = pixmap.toImage();
        const auto alphaAt = [&](int x, int y) {
            return qAlpha(scaled.pixel(int((2 * x + 1) * dpr), int((2 * y + 1) * dpr)));
        };
        for (int y = 0; y < cursor.height; ++y) {
            for (int x = 0; x < cursor.width; ++x)
                QVERIFY(cursor.opaque(x, y) ? alphaAt(x, y) > 128 : alphaAt(x, y) < 128);
        }

        // 1:1 is one framebuffer pixel per device pixel: the shape itself.
        view.setScaleMode(FramebufferView::ScaleMode::OneToOne);
        pixmap = view.cursor().pixmap();
        QCOMPARE(pixmap.size(), QSize(cursor.width, cursor.height));
        QCOMPARE(pixmap.devicePixelRatio(), dpr);
        QImage unscaled = pixmap.toImage().convertToFormat(QImage::Format_ARGB32);
        unscaled.setDevicePixelRatio(1);
        QCOMPARE(unscaled, cursor.image());
        QCOMPARE(view.cursor().hotSpot(),
            QPoint(int(cursor.hotspot.x() / dpr), int(cursor.hotspot.y() / dpr)));

        // Selecting a region shows the crosshair, then the shape again.
        view.setRegionSelecting(true);
        QCOMPARE(view.cursor().shape(), Qt::CrossCursor);
        view.setRegionSelecting(false);
        QCOMPARE(view.cursor().shape(), Qt::BitmapCursor);

        // No connection, no remote shape: the arrow.
        vnc.close();
        QCOMPARE(view.cursor().shape(), Qt::ArrowCursor);

        // The largest shape the client takes (256 wide), fitted 4x: capped
        // at 512 device pixels, aspect and hotspot kept.
        const QString widePath = dir.path() + QStringLiteral("/wide.sock");
        const QList<quint32> pixels(256 * 2, 0x00ffffffu);
        const QList<bool> opaque(256 * 2, true);
        FakeRfbServer wide(widePath, 0,
            FakeRfbServer::updateOf({FakeRfbServer::richCursor(128, 1, 256, 2, pixels, opaque)}));
        QVERIFY(wide.isListening());
        view.setScaleMode(FramebufferView::ScaleMode::Fit);
        view.resize(256, 192);
        vnc.open(widePath);
        QTRY_COMPARE_WITH_TIMEOUT(view.cursor().shape(), Qt::BitmapCursor, 60000);
        QCOMPARE(view.frameRect(), QRectF(0, 0, 256, 192));
        pixmap = view.cursor().pixmap();
        QCOMPARE(pixmap.size(), QSize(512, 4));
        QCOMPARE(view.cursor().hotSpot(), QPoint(qRound(256 / dpr), qRound(2 / dpr)));
        vnc.close();
    }

    // A click reaches the server at the framebuffer pixel under it, fitted
    // (2x) and 1:1 (device pixels, so half a logical pixel each at a device
    // pixel ratio of 2): the PointerEvent messages the server reads.
    void pointerEventsAreExact()
    {
        QTemporaryDir dir(QStringLiteral("/tmp/nixtide-fbv-XXXXXX"));
        QVERIFY(dir.isValid());
        const QString path = dir.path() + QStringLiteral("/pointer.sock");
        FakeRfbServer server(path, 0);
        QVERIFY(server.isListening());
        VncConnection vnc;
        FramebufferView view;
        view.setConnection(&vnc);
        view.setMinimumSize(1, 1);
        view.resize(128, 96);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const double dpr = view.devicePixelRatioF();
        vnc.open(path);
        QTRY_VERIFY_WITH_TIMEOUT(vnc.updatesReceived() > 3, 60000);
        QTest::mouseClick(&view, Qt::LeftButton, {}, QPoint(64, 48));
        QVERIFY(view.hasInputGrab());

        const auto pointerEvent = [](int mask, int x, int y) {
            QByteArray message(1, '\x05');
            message += char(mask);
            for (const int v : {x, y})
                message += QByteArray(1, char(v >> 8)) + char(v & 0xff);
            return message;
        };
        // Fit: two logical pixels per framebuffer pixel, (10, 20) at (21, 41).
        QTest::mousePress(&view, Qt::LeftButton, {}, QPoint(21, 41));
        QTRY_VERIFY_WITH_TIMEOUT(server.received().contains(pointerEvent(1, 10, 20)), 60000);
        QTest::mouseRelease(&view, Qt::LeftButton, {}, QPoint(21, 41));

        // 1:1: the 64x48 frame is centred at its size in device pixels.
        view.setScaleMode(FramebufferView::ScaleMode::OneToOne);
        const QPointF origin((128 - 64 / dpr) / 2, (96 - 48 / dpr) / 2);
        QCOMPARE(view.frameRect(), QRectF(origin, QSizeF(64 / dpr, 48 / dpr)));
        const QPoint at = (origin + QPointF(30, 40) / dpr).toPoint();
        QTest::mousePress(&view, Qt::RightButton, {}, at);
        QTRY_VERIFY_WITH_TIMEOUT(server.received().contains(pointerEvent(4, 30, 40)), 60000);
        QTest::mouseRelease(&view, Qt::RightButton, {}, at);
        vnc.close();
    }

    void showsScalesAndForwardsKeys()
    {
        QTemporaryDir dir(QStringLiteral("/tmp/nixtide-fbv-XXXXXX"));
        QVERIFY(dir.isValid());
        VncConnection vnc;
        FramebufferView view;
        view.setConnection(&vnc);
        view.resize(700, 500);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));

        // Before any VM: the placeholder.
        vnc.open(dir.path() + QStringLiteral("/vnc.sock"));
        QApplication::processEvents();
        QCOMPARE(view.grab().toImage().pixelColor(5, 5), QColor(0x20, 0x20, 0x20));

        // The guest starts paused and runs once the view is connected, so
        // the view goes through the resize to the guest's mode.
        TestGuest guest(dir.path());
        QVERIFY(guest.start(true));
        QTRY_COMPARE_WITH_TIMEOUT(vnc.state(), VncConnection::State::Connected, kGuestDeadlineMs);
        guest.monitor("cont");
        QTRY_COMPARE_WITH_TIMEOUT(vnc.frameSize(), QSize(640, 400), kGuestDeadlineMs);

        // 640x400 fitted into 700x500 keeps 16:10: 700x437.5, centred.
        const QRectF target = view.frameRect();
        QCOMPARE(target.width(), 700.0);
        QCOMPARE(target.height(), 437.5);
        QCOMPARE(target.top(), 31.25);
        QCOMPARE(view.toFramebuffer(QPointF(350, 31.25 + 437.5 * 0.75)), QPoint(320, 300));
        QCOMPARE(view.toFramebuffer(QPointF(0, 0)), QPoint(0, 0));

        QTRY_VERIFY_WITH_TIMEOUT(
            view.grabFrame().pixelColor(320, 100).lightness() > 0, kGuestDeadlineMs);
        QImage shown = view.grab().toImage();
        QCOMPARE(shown.pixelColor(350, 5), QColor(Qt::black)); // letterbox band
        // The animated top half is drawn: not the letterbox black somewhere.
        QTRY_VERIFY_WITH_TIMEOUT(
            view.grab().toImage().pixelColor(350, 100).lightness() > 0, kGuestDeadlineMs);

        // Click grabs input (border drawn), then a key reaches the guest.
        QSignalSpy grabbed(&view, &FramebufferView::inputGrabChanged);
        QTest::mouseClick(&view, Qt::LeftButton, {}, QPoint(350, 250));
        QVERIFY(view.hasInputGrab());
        QCOMPARE(grabbed.count(), 1);
        const QColor border = view.grab().toImage().pixelColor(0, 250);
        QCOMPARE(border, view.palette().color(QPalette::Highlight));
        // Black until a key arrives (after the guest's first fill; see
        // vnc.client).
        QTRY_COMPARE_WITH_TIMEOUT(qGray(view.grabFrame().pixel(320, 300)), 0, kGuestDeadlineMs);
        QTest::keyClick(&view, Qt::Key_B, Qt::NoModifier);
        QTRY_VERIFY_WITH_TIMEOUT(qGray(view.grabFrame().pixel(320, 300)) > 0, kGuestDeadlineMs);
        // ... and the widget shows that colour in the bottom half.
        const QRgb bottom = view.grabFrame().pixel(320, 300);
        QTRY_VERIFY_WITH_TIMEOUT(view.grab().toImage().pixel(350, 400) == bottom, kGuestDeadlineMs);

        // Ctrl+Alt releases the grab.
        QTest::keyPress(&view, Qt::Key_Control, Qt::ControlModifier);
        QTest::keyPress(&view, Qt::Key_Alt, Qt::ControlModifier | Qt::AltModifier);
        QVERIFY(!view.hasInputGrab());

        // A snapshot stays as it was while the screen goes on changing.
        const QImage snapshot = view.grabFrame();
        const QImage copy = snapshot.copy();
        QTest::qWait(300);
        QCOMPARE(snapshot, copy);

        // 1:1 puts the frame at its own size in device pixels: on a
        // screen with a device pixel ratio of 2 (vnc.view-hidpi runs this
        // with QT_SCALE_FACTOR=2) that is half as many logical pixels.
        const double dpr = view.devicePixelRatioF();
        QCOMPARE(dpr, qEnvironmentVariable("QT_SCALE_FACTOR", QStringLiteral("1")).toDouble());
        view.setScaleMode(FramebufferView::ScaleMode::OneToOne);
        QCOMPARE(view.frameRect().size(), QSizeF(640 / dpr, 400 / dpr));
        QCOMPARE(view.sizeHint(), QSize(qRound(640 / dpr), qRound(400 / dpr)));
        // Every framebuffer pixel is reached, and from where it is drawn:
        // the centre of pixel (x, y) maps back to (x, y) in both views.
        for (const auto mode :
            {FramebufferView::ScaleMode::OneToOne, FramebufferView::ScaleMode::Fit}) {
            view.setScaleMode(mode);
            const QRectF drawn = view.frameRect();
            for (const QPoint pixel :
                {QPoint(0, 0), QPoint(1, 1), QPoint(320, 200), QPoint(639, 399), QPoint(17, 333)}) {
                const QPointF centre(drawn.left() + (pixel.x() + 0.5) * drawn.width() / 640,
                    drawn.top() + (pixel.y() + 0.5) * drawn.height() / 400);
                QCOMPARE(view.toFramebuffer(centre), pixel);
            }
        }
        // The picture at 1:1 is the frame, pixel for pixel, in device pixels.
        view.setScaleMode(FramebufferView::ScaleMode::OneToOne);
        view.resize(qCeil(640 / dpr), qCeil(400 / dpr));
        QTRY_COMPARE_WITH_TIMEOUT(view.frameRect().topLeft(), QPointF(0, 0), 10000);
        const QImage still = view.grabFrame();
        const QImage painted = view.grab().toImage();
        QCOMPARE(painted.devicePixelRatio(), dpr);
        // The bottom half only changes with a key: compare it.
        QCOMPARE(QColor(painted.pixel(100, 300)), QColor(still.pixel(100, 300)));
        QCOMPARE(QColor(painted.pixel(639, 399)), QColor(still.pixel(639, 399)));

        // The VM stops: "not running" again.
        guest.kill();
        QTRY_VERIFY_WITH_TIMEOUT(vnc.state() != VncConnection::State::Connected, kGuestDeadlineMs);
        QApplication::processEvents();
        QCOMPARE(view.grab().toImage().pixelColor(5, 5), QColor(0x20, 0x20, 0x20));
    }
};

QTEST_MAIN(TestFramebufferView)
#include "tst_framebufferview.moc"
