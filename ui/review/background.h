#pragma once

#include <QFutureWatcher>
#include <QObject>
#include <QPromise>
#include <QThreadPool>

#include <functional>
#include <memory>

namespace nixtide {

// Runs `work` (file reads, image decoding, comparisons) on the global
// thread pool and hands its result to `done` on `owner`'s thread. The
// watcher belongs to `owner`: when the owner goes first, `done` never runs.
template <typename T>
void runInBackground(QObject *owner, std::function<T()> work, std::function<void(const T &)> done)
{
    auto promise = std::make_shared<QPromise<T>>();
    auto *watcher = new QFutureWatcher<T>(owner);
    QObject::connect(watcher, &QFutureWatcherBase::finished, owner, [watcher, done] {
        if (watcher->future().resultCount() > 0)
            done(watcher->result());
        watcher->deleteLater();
    });
    watcher->setFuture(promise->future());
    QThreadPool::globalInstance()->start([promise, work] {
        promise->start();
        promise->addResult(work());
        promise->finish();
    });
}

} // namespace nixtide
