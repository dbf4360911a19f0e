// How late the first change of a guest screen that stood still reaches
// nixtide. QEMU's VNC server looks for changes less and less often while
// nothing changes (up to every 3 s) and only input from a client (key,
// pointer) resets that; FramebufferView keeps it awake while it is visible
// (VncClientThread's keep-alive). The guest is the still variant of the
// boot-sector test guest (tests/vnc/testguest.h): a key typed through QEMU's
// monitor, which the VNC server does not see, paints the bottom half of the
// screen. Per round: the screen stays still for the idle time, then a key;
// prints the milliseconds from the key to the connection's update with the
// new colour and to the view's next paint. The guest itself takes up to
// ~20 ms (its polling loop) of that.
// Usage: bench_idlescreen [rounds] [idle seconds] [--no-keep-alive]
#include "../tests/vnc/testguest.h"
#include "core/vnc/vncconnection.h"
#include "ui/vnc/framebufferview.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <vector>

using namespace nixtide;

namespace {

class PaintWatcher : public QObject
{
public:
    std::function<void()> painted;
    bool eventFilter(QObject *, QEvent *event) override
    {
        if (event->type() == QEvent::Paint)
            painted();
        return false;
    }
};

// Runs the event loop until `done` holds or `ms` pass.
bool runUntil(const std::function<bool()> &done, int ms)
{
    QElapsedTimer timer;
    timer.start();
    while (!done() && timer.elapsed() < ms)
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    return done();
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values.empty() ? 0 : values[values.size() / 2];
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM",
        qgetenv("QT_QPA_PLATFORM").isEmpty() ? "offscreen" : qgetenv("QT_QPA_PLATFORM"));
    QApplication app(argc, argv);
    const QStringList args = app.arguments();
    const bool keepAlive = !args.contains(QStringLiteral("--no-keep-alive"));
    QStringList numbers = args.mid(1);
    numbers.removeAll(QStringLiteral("--no-keep-alive"));
    const int rounds = numbers.size() > 0 ? numbers[0].toInt() : 10;
    const int idleSeconds = numbers.size() > 1 ? numbers[1].toInt() : 5;

    QTemporaryDir dir(QStringLiteral("/tmp/nixtide-bench-XXXXXX"));
    testing::TestGuest guest(dir.path(), testing::Screen::Still);
    if (!guest.start(false)) {
        std::fprintf(stderr, "cannot start qemu-system-x86_64\n");
        return 1;
    }
    // Keeps the event loop turning without touching the VNC connection.
    QTimer ticker;
    ticker.start(5);
    QElapsedTimer clock;
    clock.start();
    VncConnection vnc;
    FramebufferView view;
    PaintWatcher paints;
    view.installEventFilter(&paints);
    view.setConnection(&vnc);
    view.resize(640, 400);
    view.show();
    vnc.open(guest.socketPath());

    const QPoint probe(320, 300); // in the bottom half
    QRgb shown = 0;
    bool typed = false;
    int changesWhileStill = 0;
    qint64 changedAt = -1;
    qint64 paintedAt = -1;
    QObject::connect(&vnc, &VncConnection::frameUpdated, [&](const QRect &rect) {
        if (!rect.contains(probe) || vnc.frame().pixel(probe) == shown)
            return;
        if (!typed) {
            // Not the key's doing: counted, and the round starts from it.
            ++changesWhileStill;
            shown = vnc.frame().pixel(probe);
        } else if (changedAt < 0) {
            changedAt = clock.nsecsElapsed();
        }
    });
    paints.painted = [&] {
        if (changedAt >= 0 && paintedAt < 0)
            paintedAt = clock.nsecsElapsed();
    };

    // The guest in its 640x400 mode with a black bottom half (QEMU can show
    // the text screen's bytes as pixels until the guest's first fill).
    if (!runUntil(
            [&] {
                return vnc.frameSize() == QSize(640, 400) && qGray(vnc.frame().pixel(probe)) == 0;
            },
            testing::kGuestDeadlineMs)) {
        std::fprintf(stderr, "guest did not reach its black 640x400 screen: %s\n",
            qPrintable(vnc.stateReason()));
        return 1;
    }
    if (!keepAlive)
        vnc.setKeepAlive(false); // the view turned it on when shown

    changesWhileStill = 0; // the boot's own changes are no concern
    std::printf(
        "keep-alive %s, %d s still before each key\n", keepAlive ? "on" : "off", idleSeconds);
    std::vector<double> toUpdate;
    std::vector<double> toPaint;
    for (int round = 0; round < rounds; ++round) {
        shown = vnc.frame().pixel(probe);
        typed = false;
        changedAt = -1;
        paintedAt = -1;
        runUntil([] { return false; }, idleSeconds * 1000);
        const qint64 typedAt = clock.nsecsElapsed();
        typed = true;
        // Keys a, b, c...: each paints another colour of the VGA palette.
        guest.monitor("sendkey " + QByteArray(1, char('a' + round % 26)));
        if (!runUntil([&] { return paintedAt >= 0; }, 10000)) {
            std::printf("round %d: no change seen within 10 s\n", round + 1);
            continue;
        }
        toUpdate.push_back(static_cast<double>(changedAt - typedAt) / 1e6);
        toPaint.push_back(static_cast<double>(paintedAt - typedAt) / 1e6);
        std::printf("round %d: update after %.0f ms, painted after %.0f ms (colour %06x)\n",
            round + 1, toUpdate.back(), toPaint.back(), vnc.frame().pixel(probe) & 0xffffff);
    }
    if (!toUpdate.empty()) {
        std::printf("update: median %.0f ms, max %.0f ms; painted: median %.0f ms, max %.0f ms "
                    "(%zu rounds)\n",
            median(toUpdate), *std::max_element(toUpdate.begin(), toUpdate.end()), median(toPaint),
            *std::max_element(toPaint.begin(), toPaint.end()), toUpdate.size());
    }
    std::printf("changes of the screen while it should stand still: %d\n", changesWhileStill);
    return 0;
}
