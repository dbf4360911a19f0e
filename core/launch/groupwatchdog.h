#pragma once

#include <QByteArray>

#include <sys/types.h>

namespace nixtide {

// Kills a process group when nixtide goes away, however it goes away.
//
// A small /bin/sh process, detached from nixtide (its own session, reparented
// to init by a double fork so nixtide never has to reap it), reads a pipe whose
// only write end is held by this object (close-on-exec, so no child of
// nixtide inherits it). The first line names the group; end of file, which
// the kernel delivers when nixtide closes the pipe or dies even by SIGKILL,
// makes it SIGTERM the group, wait up to a second, then SIGKILL it.
// PR_SET_PDEATHSIG alone is not enough: it reaches only the driver, not the
// QEMU and vde_switch processes the driver started.
class GroupWatchdog
{
public:
    GroupWatchdog() = default;
    ~GroupWatchdog();
    GroupWatchdog(const GroupWatchdog &) = delete;
    GroupWatchdog &operator=(const GroupWatchdog &) = delete;

    // Starts the watchdog process; it waits for watch() or end of file.
    bool start();
    // Names the process group to kill on release or on nixtide's death, and
    // a directory (under a `nixtide-` name) to remove after it.
    void watch(pid_t processGroup, const QByteArray &removeDir = {});
    // Closes the pipe: the watchdog kills the group (if any) and exits.
    void release();
    bool isActive() const { return m_writeFd >= 0; }

private:
    int m_writeFd = -1;
};

} // namespace nixtide
