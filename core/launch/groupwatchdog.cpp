#include "core/launch/groupwatchdog.h"

#include <QByteArray>

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

namespace nixtide {

namespace {

// Waits for the group id and the private directory, then for end of file;
// TERM, up to 1 s grace, KILL, then removes the directory (nixtide, killed,
// could not).
constexpr char kScript[] = "read -r pg || exit 0\n"
                           "read -r dir || dir=\n"
                           "case $pg in ''|*[!0-9]*) exit 0 ;; esac\n"
                           "while read -r _; do :; done\n"
                           "if kill -TERM -$pg 2>/dev/null; then\n"
                           "  i=0\n"
                           "  while [ $i -lt 10 ] && kill -0 -$pg 2>/dev/null; do\n"
                           "    sleep 0.1; i=$((i+1))\n"
                           "  done\n"
                           "  kill -KILL -$pg 2>/dev/null\n"
                           "fi\n"
                           "case $dir in /*/nixtide-*) rm -rf -- \"$dir\" ;; esac\n"
                           "exit 0\n";

} // namespace

GroupWatchdog::~GroupWatchdog()
{
    release();
}

bool GroupWatchdog::start()
{
    if (m_writeFd >= 0)
        return true;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        return false;
    // Everything the child needs is prepared before fork: after fork in a
    // threaded process only async-signal-safe calls are allowed.
    const char *argv[] = {"sh", "-c", kScript, nullptr};
    const pid_t child = ::fork();
    if (child < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        return false;
    }
    if (child == 0) {
        ::setsid(); // no terminal signal (Ctrl-C to nixtide's group) reaches it
        if (::fork() != 0)
            ::_exit(0); // the intermediate exits; init adopts the watchdog
        ::dup2(fds[0], STDIN_FILENO); // dup2 clears close-on-exec on fd 0
        const int devNull = ::open("/dev/null", O_RDWR);
        if (devNull >= 0) {
            ::dup2(devNull, STDOUT_FILENO);
            ::dup2(devNull, STDERR_FILENO);
        }
        ::signal(SIGHUP, SIG_IGN);
        ::signal(SIGINT, SIG_IGN);
        ::signal(SIGPIPE, SIG_IGN);
        ::execv("/bin/sh", const_cast<char *const *>(argv));
        ::_exit(127);
    }
    ::close(fds[0]);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) { }
    m_writeFd = fds[1];
    return true;
}

void GroupWatchdog::watch(pid_t processGroup, const QByteArray &removeDir)
{
    if (m_writeFd < 0 || removeDir.contains('\n'))
        return;
    const QByteArray line = QByteArray::number(processGroup) + '\n' + removeDir + '\n';
    // A pipe write of a few bytes is atomic and never blocks on an empty pipe.
    // If someone killed the watchdog the write fails with EPIPE: keep the
    // SIGPIPE that comes with it from killing nixtide, without changing the
    // process-wide disposition (block it, write, drop the pending signal).
    sigset_t pipeSet;
    sigset_t previous;
    sigemptyset(&pipeSet);
    sigaddset(&pipeSet, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipeSet, &previous);
    const ssize_t written = ::write(m_writeFd, line.constData(), size_t(line.size()));
    if (written < 0 && errno == EPIPE) {
        const timespec zero = {0, 0};
        sigtimedwait(&pipeSet, nullptr, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

void GroupWatchdog::release()
{
    if (m_writeFd >= 0) {
        ::close(m_writeFd);
        m_writeFd = -1;
    }
}

} // namespace nixtide
