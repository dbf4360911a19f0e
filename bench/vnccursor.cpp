// Whether a real QEMU hands nixtide's VNC client a cursor shape: connects a
// VncConnection to a VNC unix socket and waits for cursorChanged with a
// non-empty image. QEMU sends one only when the guest's display device has
// a hardware cursor (virtio-gpu, qxl) and the guest uses it; a software
// cursor is just pixels of the frame. Driven by a test script that boots a
// guest with `-vnc unix:SOCKET` and moves its pointer meanwhile.
// Usage: bench_vnccursor SOCKET [seconds]
// Prints each shape's size, hotspot and opaque pixels, the time and the
// frame updates by then, and stops at the first shape with an opaque pixel.
// Exits 0 with such a shape, 3 with only transparent ones, 1 with none.
#include "core/vnc/vncconnection.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTimer>

#include <algorithm>
#include <cstdio>

using namespace nixtide;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 2) {
        std::fprintf(stderr, "usage: %s SOCKET [seconds]\n", argv[0]);
        return 2;
    }
    const int seconds = args.size() > 2 ? args.at(2).toInt() : 120;
    QElapsedTimer clock;
    clock.start();
    VncConnection vnc;
    int shapes = 0;
    int mostOpaque = 0;
    double firstShape = -1;
    QObject::connect(
        &vnc, &VncConnection::cursorChanged, [&](const QImage &shape, const QPoint &hotspot) {
            if (shape.isNull() || shape.size().isEmpty())
                return;
            int opaque = 0;
            for (int y = 0; y < shape.height(); ++y) {
                for (int x = 0; x < shape.width(); ++x)
                    opaque += qAlpha(shape.pixel(x, y)) > 0 ? 1 : 0;
            }
            ++shapes;
            mostOpaque = std::max(mostOpaque, opaque);
            if (firstShape < 0)
                firstShape = clock.elapsed() / 1000.0;
            std::printf("cursor shape %dx%d, hotspot (%d, %d), %d opaque pixels, after %.1f s "
                        "and %llu frame updates\n",
                shape.width(), shape.height(), hotspot.x(), hotspot.y(), opaque,
                clock.elapsed() / 1000.0, static_cast<unsigned long long>(vnc.updatesReceived()));
            std::fflush(stdout);
            // A shape QEMU made all transparent (it keeps only fully opaque
            // pixels) may be followed by a visible one: keep waiting.
            if (opaque > 0)
                app.quit();
        });
    // While the view is not there, the keep-alive keeps QEMU's updates coming.
    vnc.setKeepAlive(true);
    vnc.open(args.at(1));
    QTimer::singleShot(seconds * 1000, &app, [&] { app.quit(); });
    app.exec();
    std::printf("%d cursor shapes in %.1f s (the first after %.1f s), at most %d opaque pixels; "
                "%llu frame updates\n",
        shapes, clock.elapsed() / 1000.0, firstShape, mostOpaque,
        static_cast<unsigned long long>(vnc.updatesReceived()));
    if (shapes == 0)
        return 1;
    return mostOpaque > 0 ? 0 : 3;
}
