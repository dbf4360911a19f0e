// runOnWorker: the result reaches a living context on its thread and not a
// destroyed one, and every worker thread's object is deleted: once it ends,
// and at the application's end for one still finishing then. The last test
// leave a worker thread that no event loop deletes, one waiting for a
// child process and one ended; main() checks that the application's end
// deleted both and that the child is gone.
#include "core/worker.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QPointer>
#include <QProcess>
#include <QSemaphore>
#include <QTest>

#include <cstdio>
#include <memory>

using namespace nixtide;

namespace {

qint64 sleepingChild = 0; // of processWaitGivesUpWhenTheApplicationEnds()

int threadCount()
{
    return int(QDir(QStringLiteral("/proc/self/task"))
            .entryList(QDir::Dirs | QDir::NoDotAndDotDot)
            .size());
}

} // namespace

class TestWorker : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void resultReachesTheContextsThread()
    {
        QObject context;
        QThread *doneOn = nullptr;
        QThread *workedOn = nullptr;
        int answer = 0;
        runOnWorker(
            &context,
            [&workedOn] {
                workedOn = QThread::currentThread();
                return 42;
            },
            [&](int value) {
                doneOn = QThread::currentThread();
                answer = value;
            });
        QTRY_COMPARE_WITH_TIMEOUT(answer, 42, 30000);
        QCOMPARE(doneOn, QThread::currentThread());
        QVERIFY(workedOn && workedOn != QThread::currentThread());
        QTRY_COMPARE_WITH_TIMEOUT(detail::liveWorkerThreads(), 0, 30000);
    }

    void destroyedContextGetsNothingAndTheThreadGoes()
    {
        auto context = std::make_unique<QObject>();
        QSemaphore go;
        bool called = false;
        runOnWorker(
            context.get(),
            [&go] {
                go.acquire();
                return 1;
            },
            [&called](int) { called = true; });
        QCOMPARE(detail::liveWorkerThreads(), 1);
        context.reset();
        go.release();
        QTRY_COMPARE_WITH_TIMEOUT(detail::liveWorkerThreads(), 0, 30000);
        QVERIFY(!called);
    }

    // A worker waiting for a child process as the application ends: the
    // wait gives up, the child is killed and the thread ends in time to be
    // deleted (main() checks both).
    void processWaitGivesUpWhenTheApplicationEnds()
    {
        static QObject context;
        static QSemaphore started;
        runOnWorker(
            &context,
            [] {
                QProcess sleeper;
                sleeper.start(QStringLiteral("sleep"), {QStringLiteral("600")});
                sleeper.waitForStarted();
                sleepingChild = sleeper.processId();
                started.release();
                if (!waitForFinishedOrExit(sleeper, 600000)) {
                    sleeper.kill();
                    sleeper.waitForFinished();
                }
                return 0;
            },
            [](int) {});
        started.acquire();
        QVERIFY(sleepingChild > 0);
        QVERIFY(!workersCancelled());
    }

    // Ended, with no event loop running again to delete it: the
    // application's end does (see the file's comment).
    void threadEndedAsTheApplicationEndsIsDeleted()
    {
        static QObject context;
        const int before = threadCount();
        const int live = detail::liveWorkerThreads();
        runOnWorker(
            &context, [] { return std::make_shared<QByteArray>(1024, 'x'); },
            [](const std::shared_ptr<QByteArray> &) {});
        // The thread is gone from the process (not a wait for a time).
        QElapsedTimer waited;
        waited.start();
        while (threadCount() > before && waited.elapsed() < 30000)
            QThread::yieldCurrentThread();
        QCOMPARE(threadCount(), before);
        QCOMPARE(detail::liveWorkerThreads(), live + 1); // its object is not deleted yet
    }
};

// QTEST_GUILESS_MAIN, and after the application's end the check that it
// deleted the thread the last test left.
int main(int argc, char **argv)
{
    int status = 0;
    {
        QCoreApplication app(argc, argv);
        TestWorker test;
        status = QTest::qExec(&test, argc, argv);
    }
    if (sleepingChild > 0 && QDir(QStringLiteral("/proc/%1").arg(sleepingChild)).exists()) {
        std::fprintf(
            stderr, "FAIL!  : the worker's child %lld outlived the application\n", sleepingChild);
        return 1;
    }
    if (const int left = detail::liveWorkerThreads(); left != 0) {
        std::fprintf(
            stderr, "FAIL!  : %d worker thread(s) not deleted at the application's end\n", left);
        return 1;
    }
    return status;
}

#include "tst_worker.moc"
