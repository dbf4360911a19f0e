#pragma once

#include <QByteArray>
#include <QDeadlineTimer>
#include <QString>

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
    // Starts `program` and waits for it to say it is ready (its model
    // loaded). Null, with *error saying why, if it does not within
    // timeoutMs.
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
    // TimedOut the worker is no longer usable.
    Outcome recognise(const QByteArray &pgm, int timeoutMs, QByteArray *tsv, QString *error);
    // How many images it has read: a kept worker has read some.
    int readCount() const { return m_read; }

    // Still running and in step with its requests.
    bool isUsable();
    pid_t pid() const { return m_pid; }

private:
    OcrWorker(pid_t pid, int socket, QString program);
    // One answer: its kind ("ready", "tsv", "error") and body.
    Outcome readAnswer(const QDeadlineTimer &deadline, int timeoutMs, QByteArray *kind,
        QByteArray *body, QString *error);
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

    // An idle worker, or a new one (null and *error if it cannot start).
    std::unique_ptr<OcrWorker> take(QString *error);
    // Back to the idle ones, when it is still usable.
    void give(std::unique_ptr<OcrWorker> worker);
    // Starts workers until `count` are idle (blocking: a worker thread's).
    void warm(int count);
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
    std::vector<std::unique_ptr<OcrWorker>> m_idle;
    int m_started = 0;
};

} // namespace nixtide
