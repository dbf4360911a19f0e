// Long sessions in one GUI window (issue 15, "long sessions"): do nixtide's
// file descriptors, threads and memory stay flat?
//
//   bench_longsession restarts [N]    single.nix stopped at a breakpoint, then
//                                     N restarts of the script on the live VM
//                                     (Ctrl+F5 with nothing to rebuild)
//   bench_longsession serial [MIN]    bench/long-session.nix: 3 VMs printing
//                                     to their serial consoles for MIN minutes
//
// Prints a row per sample: elapsed seconds, open fds, threads, RSS (MiB) of
// this process (the whole IDE: window, session, VNC threads), and in serial
// mode the bytes each machine sent and the bytes nixtide keeps of them.
// Run under Xvfb or with QT_QPA_PLATFORM=offscreen, with NIXTIDE_SOURCE_DIR
// set (and NIXTIDE_DEMO_GUEST, as the tests do).
#include "core/session/debugsession.h"
#include "ui/editor/editorarea.h"
#include "ui/editor/scripteditor.h"
#include "ui/mainwindow.h"
#include "ui/window/debugactions.h"
#include "ui/window/sessioncontroller.h"
#include "ui/window/sessionstate.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QSettings>
#include <QTemporaryDir>
#include <QTimer>

#include <cstdio>
#include <functional>

using namespace nixtide;

namespace {

bool runUntil(const std::function<bool()> &done, qint64 ms)
{
    QElapsedTimer timer;
    timer.start();
    // Something to wake the loop even when nothing else happens.
    QTimer tick;
    tick.start(100);
    while (!done() && timer.elapsed() < ms)
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    return done();
}

struct Usage
{
    int fds = 0;
    int threads = 0;
    double rssMiB = 0;
};

Usage usage()
{
    Usage u;
    u.fds = int(QDir(QStringLiteral("/proc/self/fd"))
            .entryList(QDir::NoDotAndDotDot | QDir::AllEntries)
            .size());
    QFile status(QStringLiteral("/proc/self/status"));
    if (status.open(QIODevice::ReadOnly)) {
        for (const QByteArray &line : status.readAll().split('\n')) {
            if (line.startsWith("Threads:"))
                u.threads = line.mid(8).trimmed().toInt();
            else if (line.startsWith("VmRSS:"))
                u.rssMiB = line.mid(6).trimmed().split(' ').value(0).toDouble() / 1024.0;
        }
    }
    return u;
}

int lineContaining(const QString &path, const QString &text)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> lines = file.readAll().split('\n');
    for (int i = 0; i < lines.size(); ++i) {
        if (lines.at(i).contains(text.toUtf8()))
            return i + 1;
    }
    return 0;
}

void printRow(double seconds, const QString &extra = {})
{
    const Usage u = usage();
    std::printf("%8.1f %5d %7d %8.2f %s\n", seconds, u.fds, u.threads, u.rssMiB, qPrintable(extra));
    std::fflush(stdout);
}

int fail(const char *why)
{
    std::fprintf(stderr, "bench_longsession: %s\n", why);
    return 2;
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    const QString mode = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QStringLiteral("restarts");
    const QString source = qEnvironmentVariable("NIXTIDE_SOURCE_DIR");
    if (source.isEmpty())
        return fail("set NIXTIDE_SOURCE_DIR to the source tree");
    QTemporaryDir dir;
    qputenv("XDG_STATE_HOME", dir.filePath(QStringLiteral("state")).toUtf8());
    QSettings settings(dir.filePath(QStringLiteral("nixtide.conf")), QSettings::IniFormat);
    MainWindow window(&settings, dir.filePath(QStringLiteral("recovery")));
    window.editorArea()->setRestorePrompt([](const QString &) { return false; });
    auto *controller = new SessionController(&window);
    controller->setRecordBase(dir.filePath(QStringLiteral("runs")));
    window.resize(1400, 900);
    window.show();
    QElapsedTimer clock;
    clock.start();
    std::printf("%8s %5s %7s %8s\n", "seconds", "fds", "threads", "rss_MiB");

    if (mode == QLatin1StringView("restarts")) {
        const int count = argc > 2 ? QByteArray(argv[2]).toInt() : 50;
        const QString test = source + QStringLiteral("/resources/demo/single.nix");
        const int line = lineContaining(test, QStringLiteral("hostname = machine.succeed"));
        QString error;
        if (line <= 0 || !window.openTest(test, &error))
            return fail("cannot open single.nix");
        window.editorArea()->editorFor(test)->setBreakpoint(line);
        window.debugActions()->runContinue->trigger();
        if (!runUntil([&] { return controller->state() == SessionState::Stopped; }, 900000))
            return fail("the first run did not stop at its breakpoint");
        DebugSession *session = controller->session();
        printRow(clock.elapsed() / 1000.0, QStringLiteral("stopped; restarts follow"));
        const Usage first = usage();
        for (int i = 1; i <= count; ++i) {
            int stops = 0;
            const auto c = QObject::connect(session, &DebugSession::stopped, [&stops] { ++stops; });
            window.debugActions()->restartScript->trigger();
            const bool stopped = runUntil([&] { return stops > 0; }, 300000);
            QObject::disconnect(c);
            if (!stopped || controller->session() != session)
                return fail("a restart did not stop at the breakpoint in the same session");
            if (i % 10 == 0 || i == 1)
                printRow(clock.elapsed() / 1000.0, QStringLiteral("restart %1").arg(i));
        }
        const Usage last = usage();
        std::printf("after %d restarts: fds %+d, threads %+d, rss %+.2f MiB\n", count,
            last.fds - first.fds, last.threads - first.threads, last.rssMiB - first.rssMiB);
    } else if (mode == QLatin1StringView("serial")) {
        const double minutes = argc > 2 ? QByteArray(argv[2]).toDouble() : 10.0;
        const QString test = source + QStringLiteral("/bench/long-session.nix");
        QString error;
        if (!window.openTest(test, &error))
            return fail(qPrintable(error));
        qputenv("NIXTIDE_BENCH_MINUTES", QByteArray::number(minutes));
        window.debugActions()->runContinue->trigger();
        if (!runUntil(
                [&] {
                    return controller->session() && controller->session()->machines().size() == 3
                        && !controller->session()->serialData(QStringLiteral("c")).isEmpty();
                },
                900000))
            return fail("the three machines did not come up");
        DebugSession *session = controller->session();
        QHash<QString, qint64> received;
        QObject::connect(session, &DebugSession::serialReceived,
            [&received](const QString &machine, const QByteArray &bytes) {
                received[machine] += bytes.size();
            });
        const Usage first = usage();
        const qint64 end = clock.elapsed() + qint64(minutes * 60000);
        const auto alive = [controller] {
            return controller->state() == SessionState::Starting
                || controller->state() == SessionState::Running;
        };
        while (clock.elapsed() < end && alive()) {
            runUntil([] { return false; }, 30000);
            QStringList kept;
            for (const QString &m : {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")})
                kept.append(QStringLiteral("%1: %2 MB in, %3 MB kept")
                        .arg(m)
                        .arg(received.value(m) / 1e6, 0, 'f', 1)
                        .arg(session->serialData(m).size() / 1e6, 0, 'f', 1));
            printRow(clock.elapsed() / 1000.0, kept.join(QStringLiteral("; ")));
        }
        if (!alive())
            return fail(qPrintable(QStringLiteral("the run ended early: %1")
                    .arg(sessionStateText(controller->state()))));
        const Usage last = usage();
        std::printf("after %.0f minutes: fds %+d, threads %+d, rss %+.2f MiB\n", minutes,
            last.fds - first.fds, last.threads - first.threads, last.rssMiB - first.rssMiB);
    } else {
        return fail("usage: bench_longsession restarts [N] | serial [MINUTES]");
    }
    window.debugActions()->stop->trigger();
    runUntil([&] { return controller->state() == SessionState::Terminated; }, 120000);
    return 0;
}
