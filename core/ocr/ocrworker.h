#pragma once

#include <QByteArray>
#include <QDeadlineTimer>
#include <QString>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <sys/types.h>
#include <vector>

namespace nixtide {

// One nixtide-ocr process (app/ocrworker.cpp: tesseract with its model
// loaded), kept for many readings. Plain POSIX and blocking with
// deadlines, not QProcess: a worker is used from whichever thread reads a
// screen, and a QProcess belongs to the thread that made it.
class OcrWorker
{
public:
    // The largest width or height of an image the worker takes (its own
    // limit, app/ocrworker.cpp).
    static constexpr int kLargestSide = 16384;

    // Starts `program` without waiting for it (null and *error if it
    // cannot be run).
    static std::unique_ptr<OcrWorker> spawn(const QString &program, QString *error);
    // Waits for it to say it is ready (its model loaded).
    bool waitReady(int timeoutMs, QString *error);
    // Both: null, with *error saying why, if it is not ready in time.
    static std::unique_ptr<OcrWorker> start(const QString &program, int timeoutMs, QString *error);
    // Ends the process (it holds no state worth a goodbye) and reaps it.
    ~OcrWorker();
    OcrWorker(const OcrWorker &) = delete;
    OcrWorker &operator=(const OcrWorker &) = delete;

    enum class Outcome {
        Read, // *tsv holds the answer
        Refused, // the worker answered with an error (*error)
        Ended, // it was gone, or went, before answering
        TimedOut, // no answer within the time: it was killed
    };
    // Sends a binary PGM and waits for tesseract's TSV. After Ended or
    // TimedOut, and after a refusal the worker ends with, it is no longer
    // usable.
    Outcome recognise(const QByteArray &pgm, int timeoutMs, QByteArray *tsv, QString *error);
    // How many images it has read.
    int readCount() const { return m_read; }

    // Still running and in step with its requests.
    bool isUsable();
    // Sends SIGKILL without waiting: the destructor reaps it.
    void kill();
    pid_t pid() const { return m_pid; }

private:
    OcrWorker(pid_t pid, int socket, QString program);
    // One answer: its kind ("ready", "tsv", "error", "fatal") and body.
    Outcome readAnswer(const QDeadlineTimer &deadline, int timeoutMs, QByteArray *kind,
        QByteArray *body, QString *error);
    // The process, gone from the socket, given a moment to exit so that its
    // status can be told.
    bool reapWithin(int ms, int *status);
    Outcome fail(Outcome outcome, const QString &what, QString *error);
    void end();

    pid_t m_pid;
    int m_socket;
    QString m_program;
    QByteArray m_buffer;
    int m_read = 0;
};

// Idle workers kept between readings, shared by the threads that read the
// parts of a screen side by side. Thread-safe.
class OcrWorkerPool
{
public:
    explicit OcrWorkerPool(QString program, int timeoutMs = 30000);
    ~OcrWorkerPool();

    // An idle worker, one being started by startReserved() as soon as it is ready,
    // or a new one (null and *error if it cannot start). *fromIdle: it was
    // kept (it may have gone meanwhile).
    std::unique_ptr<OcrWorker> take(QString *error, bool *fromIdle = nullptr);
    // Back to the idle ones, when it is still usable.
    void give(std::unique_ptr<OcrWorker> worker);

    // Warming up in two steps, so that a reading asked for at once waits
    // for these workers instead of starting more: reserve() counts the
    // workers missing for `count` (idle or starting) as starting and
    // returns that number; startReserved(n) starts them (blocking: a
    // worker thread's) and makes each idle as soon as it is ready.
    int reserve(int count);
    void startReserved(int count);
    // Ends the idle workers (each holds its model: some 40 MB).
    void clear();

    int idleCount() const;
    int startedCount() const;
    const QString &program() const { return m_program; }
    int timeoutMs() const { return m_timeoutMs; }

private:
    const QString m_program;
    const int m_timeoutMs;
    mutable std::mutex m_mutex;
    std::condition_variable m_changed; // a worker became idle, or a start ended
    std::vector<std::unique_ptr<OcrWorker>> m_idle;
    int m_starting = 0;
    int m_started = 0;
};

} // namespace nixtide
