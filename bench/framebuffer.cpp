// Frames per second a FramebufferView shows for a guest whose screen changes
// continuously, and what it costs: CPU seconds per second of this process
// (VNC worker + GUI painting) and of QEMU. The guest is the boot-sector test
// guest (tests/vnc/testguest.h): half of a 640x400 screen repainted ~50
// times a second, or with --wide half of a 1280x800 one.
// Usage: bench_framebuffer [seconds] [view WxH] [--wide]
#include "../tests/vnc/testguest.h"
#include "core/vnc/vncconnection.h"
#include "ui/vnc/framebufferview.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QTimer>

#include <cstdio>
#include <sys/resource.h>
#include <unistd.h>

using namespace nixtide;

namespace {

double processCpuSeconds()
{
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

double pidCpuSeconds(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray line = stat.readAll();
    const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat(5); 12 and 13 after the name.
    return (fields.value(11).toDouble() + fields.value(12).toDouble())
        / static_cast<double>(sysconf(_SC_CLK_TCK));
}

class PaintCounter : public QObject
{
public:
    int paints = 0;
    bool eventFilter(QObject *, QEvent *event) override
    {
        if (event->type() == QEvent::Paint)
            ++paints;
        return false;
    }
};

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM",
        qgetenv("QT_QPA_PLATFORM").isEmpty() ? "offscreen" : qgetenv("QT_QPA_PLATFORM"));
    QApplication app(argc, argv);
    QStringList args = app.arguments().mid(1);
    const bool wide = args.removeAll(QStringLiteral("--wide")) > 0;
    const QSize guestSize = wide ? QSize(1280, 800) : QSize(640, 400);
    const int seconds = args.size() > 0 ? args[0].toInt() : 10;
    QSize viewSize = guestSize;
    if (args.size() > 1) {
        const QStringList wh = args[1].split(QLatin1Char('x'));
        viewSize = QSize(wh.value(0).toInt(), wh.value(1).toInt());
    }

    QTemporaryDir dir(QStringLiteral("/tmp/nixtide-bench-XXXXXX"));
    testing::TestGuest guest(dir.path(), wide ? testing::Screen::Wide : testing::Screen::Animated);
    if (!guest.start(false)) {
        std::fprintf(stderr, "cannot start qemu-system-x86_64\n");
        return 1;
    }
    VncConnection vnc;
    FramebufferView view;
    PaintCounter counter;
    view.installEventFilter(&counter);
    view.setConnection(&vnc);
    view.resize(viewSize);
    view.show();
    vnc.open(guest.socketPath());

    // Warm up until the guest runs in its own mode.
    QElapsedTimer warm;
    warm.start();
    while (vnc.frameSize() != guestSize && warm.elapsed() < 30000)
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 100);
    if (vnc.frameSize() != guestSize) {
        std::fprintf(stderr, "guest did not reach %dx%d: %s\n", guestSize.width(),
            guestSize.height(), qPrintable(vnc.stateReason()));
        return 1;
    }
    for (int i = 0; i < 10; ++i)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 100);

    const quint64 updates0 = vnc.updatesReceived();
    const int paints0 = counter.paints;
    const double cpu0 = processCpuSeconds();
    const double qemu0 = pidCpuSeconds(guest.pid());
    QElapsedTimer wall;
    wall.start();
    QTimer::singleShot(seconds * 1000, &app, &QCoreApplication::quit);
    app.exec();
    const double elapsed = static_cast<double>(wall.elapsed()) / 1000.0;
    const double updates = static_cast<double>(vnc.updatesReceived() - updates0);
    std::printf("view %dx%d of a %dx%d guest screen, %.1f s\n", viewSize.width(), viewSize.height(),
        guestSize.width(), guestSize.height(), elapsed);
    std::printf("framebuffer updates received: %.1f /s\n", updates / elapsed);
    std::printf("frames painted:               %.1f /s\n", (counter.paints - paints0) / elapsed);
    std::printf("nixtide CPU (worker + GUI):   %.3f s/s\n", (processCpuSeconds() - cpu0) / elapsed);
    std::printf("QEMU CPU (guest + VNC server): %.3f s/s\n",
        (pidCpuSeconds(guest.pid()) - qemu0) / elapsed);
    return 0;
}
