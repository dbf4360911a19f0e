// Throughput of serial output through the serial console as nixtide feeds
// it (SerialConsole: ScrollbackKeeper, EmulationFeed, a visible QTermWidget),
// and the longest stall of the GUI event loop meanwhile.
// Output is handed over in 64 KiB chunks, one per event-loop turn, as DAP
// events would bring it: by default while less than 256 KiB waits for the
// terminal, so every byte goes through the emulation (its own rate); with
// --flood, every turn, as a session hands over a guest's output however
// far the terminal is behind, so lines that would only scroll out of the
// history are skipped (EmulationFeed::setKeptLines).
// The clock stops when nothing waits any more. CPU seconds (user and
// system) are printed too: on a busy machine the wall clock measures the
// others.
// Usage: bench_terminal [--flood] [megabytes]
#include "ui/machines/serialconsole.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QTimer>
#include <qtermwidget.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <functional>
#include <sched.h>
#include <set>
#include <sys/resource.h>

using namespace nixtide;

namespace {

struct CpuTime
{
    double user = 0;
    double system = 0;
    long pageFaults = 0;
};

CpuTime cpuTime()
{
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    const auto seconds = [](const timeval &t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return {seconds(usage.ru_utime), seconds(usage.ru_stime), usage.ru_minflt + usage.ru_majflt};
}

// CPU milliseconds of the GUI thread: a gap between ticks that it did not
// spend computing was another process's turn on a busy machine, or a wait.
double threadCpuMs()
{
    timespec t {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

// Milliseconds the GUI thread was runnable but waited for a CPU (the
// kernel's schedstat): tells the busy machine's share from a blocking call.
double runQueueMs()
{
    std::FILE *file = std::fopen("/proc/thread-self/schedstat", "r");
    if (!file)
        return 0;
    unsigned long long running = 0;
    unsigned long long waiting = 0;
    const int read = std::fscanf(file, "%llu %llu", &running, &waiting);
    std::fclose(file);
    return read == 2 ? static_cast<double>(waiting) / 1e6 : 0;
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM",
        qgetenv("QT_QPA_PLATFORM").isEmpty() ? "offscreen" : qgetenv("QT_QPA_PLATFORM"));
    QApplication app(argc, argv);
    const bool flood = argc > 1 && qstrcmp(argv[1], "--flood") == 0;
    const int sizeArgument = flood ? 2 : 1;
    const qint64 megabytes = argc > sizeArgument ? std::atoll(argv[sizeArgument]) : 20;
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

    SerialConsole console;
    console.resize(900, 400);
    console.show();

    qint64 fed = 0;
    qint64 received = 0;
    qint64 longestStall = 0;
    double longestBusyStall = 0;
    double cpuAtTick = threadCpuMs();
    double queuedAtTick = runQueueMs();
    double queuedInLongestStall = 0;
    std::set<int> cpusSeen;
    QElapsedTimer wall;
    QElapsedTimer sinceTick;
    sinceTick.start();
    // A 1 ms timer that measures how late it runs: the GUI's stalls.
    QTimer ticker;
    ticker.setInterval(1);
    QObject::connect(&ticker, &QTimer::timeout, [&] {
        const double queued = runQueueMs();
        if (sinceTick.elapsed() > longestStall) {
            longestStall = sinceTick.elapsed();
            queuedInLongestStall = queued - queuedAtTick;
        }
        queuedAtTick = queued;
        sinceTick.restart();
        const double cpu = threadCpuMs();
        longestBusyStall = std::max(longestBusyStall, cpu - cpuAtTick);
        cpuAtTick = cpu;
        cpusSeen.insert(sched_getcpu());
        if (fed >= total && console.pendingBytes() == 0 && wall.isValid())
            app.quit();
    });

    CpuTime cpuAtStart;
    int columnsAtStart = 0;
    qint64 wallAtEnd = 0;
    // The pattern is ASCII: one character received per byte fed.
    QObject::connect(console.terminal(), &QTermWidget::receivedData,
        [&](const QString &text) { received += text.size(); });
    QObject::connect(&app, &QCoreApplication::aboutToQuit, [&] { wallAtEnd = wall.elapsed(); });
    std::function<void()> feedOne = [&] {
        if (flood || console.pendingBytes() < 256 * 1024) {
            console.appendSerial(chunk);
            fed += chunk.size();
        }
        if (fed < total)
            QTimer::singleShot(0, feedOne);
    };
    // Start once the window is up, so the first paint is not counted.
    QTimer::singleShot(200, [&] {
        sinceTick.restart();
        cpuAtTick = threadCpuMs();
        queuedAtTick = runQueueMs();
        ticker.start();
        wall.start();
        columnsAtStart = console.terminal()->screenColumnsCount();
        cpuAtStart = cpuTime();
        feedOne();
    });
    app.exec();
    const double seconds = static_cast<double>(wallAtEnd) / 1000.0;
    const CpuTime cpuAtEnd = cpuTime();
    const double user = cpuAtEnd.user - cpuAtStart.user;
    const double system = cpuAtEnd.system - cpuAtStart.system;
    const double cpu = user + system;
    const auto absorbed = static_cast<double>(fed);
    std::printf("absorbed %lld MiB in %.2f s: %.1f MiB/s (%.1f MB/s)%s\n", megabytes, seconds,
        absorbed / 1024.0 / 1024.0 / seconds, absorbed / 1e6 / seconds,
        flood ? ", handed over as it came" : ", handed over as the terminal took it");
    std::printf("through the emulation: %.1f MB; skipped as beyond the history: %.1f MB\n",
        static_cast<double>(received) / 1e6, static_cast<double>(console.skippedBytes()) / 1e6);
    std::printf("CPU time meanwhile: %.2f s (user %.2f s, system %.2f s): %.1f MB per CPU "
                "second; %ld page faults\n",
        cpu, user, system, absorbed / 1e6 / cpu, cpuAtEnd.pageFaults - cpuAtStart.pageFaults);
    std::printf("longest GUI stall: %lld ms wall clock (%.0f ms of it waiting for a CPU); the GUI "
                "thread computed %.0f ms at most between two ticks (chunks of 64 KiB)\n",
        longestStall, queuedInLongestStall, longestBusyStall);
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    std::printf("scrollback lines held: %d, peak resident memory %ld MiB\n",
        console.terminal()->historyLinesCount(), usage.ru_maxrss / 1024);
    // On a virtual machine one CPU can run the same code markedly slower
    // than another (2026-11-30): say where the GUI thread ran.
    QStringList cpus;
    for (const int seen : cpusSeen)
        cpus << QString::number(seen);
    std::printf("screen %dx%d (%d columns at the start); the GUI thread ran on CPU %s\n",
        console.terminal()->screenColumnsCount(), console.terminal()->screenLinesCount(),
        columnsAtStart, qPrintable(cpus.join(QLatin1Char(' '))));
    return 0;
}
