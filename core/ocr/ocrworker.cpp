#include "core/ocr/ocrworker.h"

#include <QProcessEnvironment>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace nixtide {

namespace {

// Waits until `fd` is ready for `events` or the deadline passes.
bool waitFor(int fd, short events, const QDeadlineTimer &deadline)
{
    for (;;) {
        pollfd entry {fd, events, 0};
        const int ready = ::poll(&entry, 1, int(deadline.remainingTime()));
        if (ready > 0)
            return true;
        if (ready == 0 || errno != EINTR)
            return false;
    }
}

QString exitDescription(int status)
{
    if (WIFSIGNALED(status))
        return QStringLiteral("was killed by signal %1").arg(WTERMSIG(status));
    return QStringLiteral("exited with status %1").arg(WEXITSTATUS(status));
}

// How long a worker that closed its socket is given to exit: it is on its
// way out, and its status says why.
constexpr int kExitGraceMs = 2000;

} // namespace

std::unique_ptr<OcrWorker> OcrWorker::spawn(const QString &program, QString *error)
{
    int ends[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0) {
        *error = QStringLiteral("cannot make a socket for %1: %2").arg(program, qt_error_string());
        return nullptr;
    }
    // The child's standard input and output are its end of the socket;
    // our end stays close-on-exec, so no other child (QEMU, the driver)
    // inherits it and the worker sees its input end with nixtide. Nothing
    // else of ours goes with it (a library's descriptor that lacks
    // close-on-exec, say); its standard error is ours, for what the
    // recogniser or a sanitizer has to say.
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, ends[1], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, ends[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
    // Nor the mask of the thread that starts it, nor an ignored SIGPIPE.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t none, pipe;
    sigemptyset(&none);
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setsigdefault(&attributes, &pipe);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    // One OpenMP thread: several workers share the cores already, and
    // tesseract's own threads only wait for each other on a busy machine.
    // The OpenMP runtime reads it when it loads: it must be in the
    // environment the process starts with.
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("OMP_THREAD_LIMIT"), QStringLiteral("1"));
    std::vector<QByteArray> strings;
    for (const QString &entry : environment.toStringList())
        strings.push_back(entry.toLocal8Bit());
    std::vector<char *> envp;
    for (QByteArray &entry : strings)
        envp.push_back(entry.data());
    envp.push_back(nullptr);
    QByteArray path = program.toLocal8Bit();
    char *argv[] = {path.data(), nullptr};

    pid_t pid = -1;
    const int spawned
        = ::posix_spawnp(&pid, path.constData(), &actions, &attributes, argv, envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    ::close(ends[1]);
    if (spawned != 0) {
        ::close(ends[0]);
        *error = QStringLiteral("cannot run %1: %2").arg(program, qt_error_string(spawned));
        return nullptr;
    }
    return std::unique_ptr<OcrWorker>(new OcrWorker(pid, ends[0], program));
}

bool OcrWorker::waitReady(int timeoutMs, QString *error)
{
    QByteArray kind, body;
    if (readAnswer(QDeadlineTimer(timeoutMs), timeoutMs, &kind, &body, error) != Outcome::Read)
        return false;
    if (kind == "ready")
        return true;
    *error = QStringLiteral("%1 did not start: %2").arg(m_program, QString::fromUtf8(body));
    end();
    return false;
}

std::unique_ptr<OcrWorker> OcrWorker::start(const QString &program, int timeoutMs, QString *error)
{
    std::unique_ptr<OcrWorker> worker = spawn(program, error);
    if (!worker || !worker->waitReady(timeoutMs, error))
        return nullptr;
    return worker;
}

OcrWorker::OcrWorker(pid_t pid, int socket, QString program)
    : m_pid(pid)
    , m_socket(socket)
    , m_program(std::move(program))
{ }

OcrWorker::~OcrWorker()
{
    end();
}

void OcrWorker::kill()
{
    if (m_pid > 0)
        ::kill(m_pid, SIGKILL);
}

void OcrWorker::end()
{
    if (m_socket >= 0) {
        ::close(m_socket);
        m_socket = -1;
    }
    if (m_pid > 0) {
        ::kill(m_pid, SIGKILL);
        while (::waitpid(m_pid, nullptr, 0) < 0 && errno == EINTR) { }
        m_pid = -1;
    }
}

bool OcrWorker::isUsable()
{
    if (m_pid <= 0 || m_socket < 0)
        return false;
    int status = 0;
    if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
        m_pid = -1; // reaped: gone from outside
        end();
        return false;
    }
    return true;
}

bool OcrWorker::reapWithin(int ms, int *status)
{
    if (m_pid <= 0)
        return false;
    // A pidfd is readable once the process has exited: no polling loop.
    // (The system call itself: glibc's <sys/pidfd.h> lacks C linkage for C++.)
    const int process = int(::syscall(SYS_pidfd_open, m_pid, 0));
    if (process >= 0) {
        waitFor(process, POLLIN, QDeadlineTimer(ms));
        ::close(process);
    }
    if (::waitpid(m_pid, status, WNOHANG) != m_pid)
        return false;
    m_pid = -1;
    return true;
}

OcrWorker::Outcome OcrWorker::fail(Outcome outcome, const QString &what, QString *error)
{
    int status = 0;
    // A worker gone from the socket (a crash, a refusal it ends with) has
    // its status told; one that timed out is killed without waiting.
    if (outcome == Outcome::Ended && reapWithin(kExitGraceMs, &status))
        *error = QStringLiteral("%1 %2 (%3)").arg(m_program, exitDescription(status), what);
    else
        *error = QStringLiteral("%1: %2").arg(m_program, what);
    end();
    return outcome;
}

// Read: an answer of any kind in *kind and *body.
OcrWorker::Outcome OcrWorker::readAnswer(const QDeadlineTimer &deadline, int timeoutMs,
    QByteArray *kind, QByteArray *body, QString *error)
{
    if (m_socket < 0) {
        *error = QStringLiteral("%1 is not running").arg(m_program);
        return Outcome::Ended;
    }
    qsizetype headerEnd = -1;
    qint64 size = -1;
    for (;;) {
        if (headerEnd < 0 && (headerEnd = m_buffer.indexOf('\n')) >= 0) {
            const QList<QByteArray> words = m_buffer.left(headerEnd).split(' ');
            bool ok = words.size() == 2;
            size = ok ? words.at(1).toLongLong(&ok) : -1;
            if (!ok || size < 0 || size > (qint64(1) << 30))
                return fail(Outcome::Ended,
                    QStringLiteral("answered out of protocol: \"%1\"")
                        .arg(QString::fromUtf8(m_buffer.left(qMin(headerEnd, 80)))),
                    error);
            *kind = words.at(0);
        }
        if (headerEnd >= 0 && m_buffer.size() - headerEnd - 1 >= size) {
            *body = m_buffer.mid(headerEnd + 1, size);
            m_buffer.remove(0, headerEnd + 1 + size);
            return Outcome::Read;
        }
        // Still running when the time is up: end() kills it.
        if (!waitFor(m_socket, POLLIN, deadline))
            return fail(Outcome::TimedOut,
                QStringLiteral("no answer within %1 s").arg(timeoutMs / 1000.0), error);
        char chunk[65536];
        const ssize_t got = ::recv(m_socket, chunk, sizeof chunk, 0);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return fail(Outcome::Ended, QStringLiteral("closed its output"), error);
        m_buffer.append(chunk, got);
    }
}

OcrWorker::Outcome OcrWorker::recognise(
    const QByteArray &pgm, int timeoutMs, QByteArray *tsv, QString *error)
{
    if (m_socket < 0) {
        *error = QStringLiteral("%1 is not running").arg(m_program);
        return Outcome::Ended;
    }
    const QDeadlineTimer deadline(timeoutMs);
    const char *data = pgm.constData();
    qsizetype left = pgm.size();
    while (left > 0) {
        // MSG_NOSIGNAL: a worker that died gives EPIPE, not a SIGPIPE that
        // would end nixtide.
        const ssize_t sent = ::send(m_socket, data, size_t(left), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent > 0) {
            data += sent;
            left -= sent;
            continue;
        }
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (waitFor(m_socket, POLLOUT, deadline))
                continue;
            return fail(Outcome::TimedOut,
                QStringLiteral("took no input for %1 s").arg(timeoutMs / 1000.0), error);
        }
        // It stopped reading: what it said before it did tells why (a
        // refused header, say), else that it is gone.
        break;
    }
    QByteArray kind, body;
    if (const Outcome outcome = readAnswer(deadline, timeoutMs, &kind, &body, error);
        outcome != Outcome::Read)
        return outcome;
    if (kind == "tsv" && left == 0) {
        ++m_read;
        *tsv = body;
        return Outcome::Read;
    }
    if (kind == "error" || kind == "fatal") {
        *error = QStringLiteral("%1: %2").arg(m_program, QString::fromUtf8(body));
        // A fatal answer, or one to an image it stopped reading, ends it:
        // not to be used again.
        if (kind == "fatal" || left > 0)
            end();
        return Outcome::Refused;
    }
    return fail(Outcome::Ended,
        QStringLiteral("answered out of protocol: \"%1\"").arg(QString::fromUtf8(kind.left(80))),
        error);
}

OcrWorkerPool::OcrWorkerPool(QString program, int timeoutMs)
    : m_program(std::move(program))
    , m_timeoutMs(timeoutMs)
{ }

OcrWorkerPool::~OcrWorkerPool()
{
    clear();
}

std::unique_ptr<OcrWorker> OcrWorkerPool::take(QString *error, bool *fromIdle)
{
    {
        std::unique_lock lock(m_mutex);
        const QDeadlineTimer deadline(m_timeoutMs);
        for (;;) {
            while (!m_idle.empty()) {
                std::unique_ptr<OcrWorker> worker = std::move(m_idle.back());
                m_idle.pop_back();
                if (worker->isUsable()) {
                    if (fromIdle)
                        *fromIdle = true;
                    return worker;
                }
            }
            // A worker startReserved() is starting is further on than a new one.
            if (m_starting == 0 || deadline.hasExpired())
                break;
            m_changed.wait_for(lock, std::chrono::milliseconds(deadline.remainingTime()));
        }
        ++m_started;
    }
    if (fromIdle)
        *fromIdle = false;
    // Outside the lock: loading the model takes a while, and the other
    // parts of the same screen start theirs meanwhile.
    return OcrWorker::start(m_program, m_timeoutMs, error);
}

void OcrWorkerPool::give(std::unique_ptr<OcrWorker> worker)
{
    if (!worker || !worker->isUsable())
        return;
    {
        const std::lock_guard lock(m_mutex);
        m_idle.push_back(std::move(worker));
    }
    m_changed.notify_all();
}

int OcrWorkerPool::reserve(int count)
{
    const std::lock_guard lock(m_mutex);
    const int missing = std::max(0, count - int(m_idle.size()) - m_starting);
    m_starting += missing;
    m_started += missing;
    return missing;
}

void OcrWorkerPool::startReserved(int count)
{
    // All spawned first, so that their models load side by side.
    std::vector<std::unique_ptr<OcrWorker>> spawned;
    for (int i = 0; i < count; ++i) {
        QString error; // the reading that needs a worker will say it
        spawned.push_back(OcrWorker::spawn(m_program, &error));
    }
    for (std::unique_ptr<OcrWorker> &worker : spawned) {
        QString error;
        const bool ready = worker && worker->waitReady(m_timeoutMs, &error);
        {
            const std::lock_guard lock(m_mutex);
            --m_starting;
            if (ready)
                m_idle.push_back(std::move(worker));
        }
        m_changed.notify_all();
    }
}

void OcrWorkerPool::clear()
{
    std::vector<std::unique_ptr<OcrWorker>> ending;
    {
        const std::lock_guard lock(m_mutex);
        ending.swap(m_idle);
    }
    // All killed before any is waited for.
    for (const auto &worker : ending)
        worker->kill();
}

int OcrWorkerPool::idleCount() const
{
    const std::lock_guard lock(m_mutex);
    return int(m_idle.size());
}

int OcrWorkerPool::startedCount() const
{
    const std::lock_guard lock(m_mutex);
    return m_started;
}

} // namespace nixtide
