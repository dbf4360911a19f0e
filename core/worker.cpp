#include "core/worker.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QList>
#include <QSet>

#include <algorithm>
#include <atomic>
#include <mutex>

namespace nixtide {

namespace {
std::atomic<bool> cancelled = false;
} // namespace

bool workersCancelled()
{
    return cancelled.load();
}

bool waitForFinishedOrExit(QProcess &process, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (!workersCancelled()) {
        const qint64 left = deadline.remainingTime(); // -1: no deadline
        if (process.waitForFinished(int(left < 0 ? 100 : std::min<qint64>(left, 100))))
            return true;
        if (deadline.hasExpired() || process.state() == QProcess::NotRunning)
            return false;
    }
    return false;
}

} // namespace nixtide

namespace nixtide::detail {

namespace {

std::mutex liveMutex;
QSet<QThread *> live; // adopted and not yet deleted

// A reading or an evaluation that ends as the application does would
// otherwise leave its thread's object (and what its work holds) to a
// deferred delete that never comes. Work that waits for a process gives up
// (workersCancelled()); threads still busy after a moment are left to the
// process's end: quitting never waits for Nix.
void joinAtExit()
{
    cancelled = true;
    QList<QThread *> threads;
    {
        const std::lock_guard lock(liveMutex);
        threads = live.values();
    }
    QDeadlineTimer deadline(2000);
    for (QThread *thread : std::as_const(threads)) {
        if (thread->wait(deadline))
            delete thread; // its pending deferred delete goes with it
    }
}

} // namespace

void adoptWorkerThread(QThread *thread)
{
    {
        const std::lock_guard lock(liveMutex);
        static const bool routine = (qAddPostRoutine(joinAtExit), true);
        Q_UNUSED(routine);
        live.insert(thread);
    }
    QObject::connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    QObject::connect(thread, &QObject::destroyed, [thread] {
        const std::lock_guard lock(liveMutex);
        live.remove(thread);
    });
}

int liveWorkerThreads()
{
    const std::lock_guard lock(liveMutex);
    return int(live.size());
}

} // namespace nixtide::detail
