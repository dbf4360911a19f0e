#pragma once

#include <QObject>
#include <QProcess>
#include <QThread>

#include <memory>
#include <utility>

namespace nixtide {

namespace detail {
// Deletes the thread once it has ended; at the application's end, waits a
// little for the worker threads still running and deletes those that end
// (see worker.cpp). Made for one QCoreApplication per process, as nixtide
// and its tests have: the end of the first one cancels for good.
void adoptWorkerThread(QThread *thread);
// Adopted threads not yet deleted.
int liveWorkerThreads();
} // namespace detail

// True once the application is ending: blocking work on a worker thread
// (a `nix eval`, mypy) stops early so that its thread, temporary files and
// child process end with the application.
bool workersCancelled();
// QProcess::waitForFinished(timeoutMs) that also gives up (false) when
// the application is ending.
bool waitForFinishedOrExit(QProcess &process, int timeoutMs);

// Runs `work` (a blocking call such as a `nix eval`) on a thread of its own
// and hands its result to `done` on `context`'s thread, unless `context` is
// gone by then. The thread is deleted when it ends, so a closed dialog or a
// destroyed resolver never waits for Nix.
template <typename Work, typename Done> void runOnWorker(QObject *context, Work work, Done done)
{
    using Result = decltype(work());
    auto result = std::make_shared<Result>();
    QThread *thread = QThread::create([work = std::move(work), result] { *result = work(); });
    QObject::connect(thread, &QThread::finished, context,
        [done = std::move(done), result]() mutable { done(std::move(*result)); });
    detail::adoptWorkerThread(thread);
    thread->start();
}

} // namespace nixtide
