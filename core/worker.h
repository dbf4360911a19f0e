#pragma once

#include <QObject>
#include <QThread>

#include <memory>
#include <utility>

namespace nixtide {

// Runs `work` (a blocking call such as a `nix eval`) on a thread of its own
// and hands its result to `done` on `context`'s thread, unless `context` is
// gone by then. The thread deletes itself when it ends, so a closed dialog
// or a destroyed resolver never waits for Nix.
template <typename Work, typename Done> void runOnWorker(QObject *context, Work work, Done done)
{
    using Result = decltype(work());
    auto result = std::make_shared<Result>();
    QThread *thread = QThread::create([work = std::move(work), result] { *result = work(); });
    QObject::connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    QObject::connect(thread, &QThread::finished, context,
        [done = std::move(done), result]() mutable { done(std::move(*result)); });
    thread->start();
}

} // namespace nixtide
