// Throughput of serial-like output through TerminalScreen + a visible
// TerminalView, and the longest stall of the GUI event loop while absorbing
// it. Output arrives in 64 KiB chunks, one per event-loop turn, as reads
// from a console socket would. Usage: bench_terminal [megabytes]
#include "core/terminal/terminalscreen.h"
#include "ui/terminal/terminalview.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QTimer>

#include <cstdio>
#include <functional>

using namespace nixtide;

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM",
        qgetenv("QT_QPA_PLATFORM").isEmpty() ? "offscreen" : qgetenv("QT_QPA_PLATFORM"));
    QApplication app(argc, argv);
    const qint64 megabytes = argc > 1 ? std::atoll(argv[1]) : 20;
    const qint64 total = megabytes * 1024 * 1024;

    // Boot-log-like lines, some coloured like systemd's status markers.
    QByteArray pattern;
    for (int i = 0; pattern.size() < 64 * 1024; ++i) {
        if (i % 7 == 0)
            pattern += "[  \x1b[0;32mOK\x1b[0m  ] Started unit number " + QByteArray::number(i)
                + ".service\r\n";
        else
            pattern += "[    " + QByteArray::number(i * 0.0173, 'f', 6)
                + "] virtio_net virtio1 eth1: renamed from eth0, link up at 1000 Mbps full "
                  "duplex\r\n";
    }
    const QByteArray chunk = pattern.left(64 * 1024);

    TerminalScreen screen(25, 80);
    TerminalView view;
    view.setScreen(&screen);
    view.resize(view.sizeHint());
    view.show();

    qint64 fed = 0;
    qint64 longestStall = 0;
    QElapsedTimer sinceTick;
    sinceTick.start();
    // A 1 ms timer that measures how late it runs: the GUI's stalls.
    QTimer ticker;
    ticker.setInterval(1);
    QObject::connect(&ticker, &QTimer::timeout, [&] {
        longestStall = std::max(longestStall, sinceTick.elapsed());
        sinceTick.restart();
    });
    ticker.start();

    QElapsedTimer wall;
    wall.start();
    std::function<void()> feedOne = [&] {
        screen.feed(chunk);
        fed += chunk.size();
        if (fed >= total) {
            QTimer::singleShot(50, &app, &QCoreApplication::quit); // let the last paint happen
            return;
        }
        QTimer::singleShot(0, feedOne);
    };
    QTimer::singleShot(0, feedOne);
    app.exec();
    const double seconds = static_cast<double>(wall.elapsed() - 50) / 1000.0;
    std::printf("absorbed %lld MiB in %.2f s: %.1f MiB/s\n", megabytes, seconds,
        static_cast<double>(fed) / 1024.0 / 1024.0 / seconds);
    std::printf("longest GUI stall: %lld ms (chunks of 64 KiB)\n", longestStall);
    std::printf("scrollback lines held: %d\n", screen.scrollbackLines());
    return 0;
}
