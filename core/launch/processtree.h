#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include <sys/types.h>

namespace nixtide {

// A process as /proc knows it: the start time tells a process from a later
// one that got the same pid.
struct ProcessIdentity
{
    pid_t pid = 0;
    quint64 startTime = 0; // clock ticks after boot (/proc/PID/stat field 22)
    bool leadsGroup = false; // its own process group: its children are in it
    bool operator==(const ProcessIdentity &other) const = default;
};

// A process as /proc shows it now.
struct ProcessStatus
{
    ProcessIdentity identity;
    QString name; // the kernel's name for it (comm): at most 15 bytes of the program's name
    bool zombie = false; // it has ended; its parent has not reaped it yet
};

// The descendants of a process, remembered so that they can be ended after
// it dies. Needed where a child puts its own children in sessions of their
// own (Nix's builders call setsid()): killing the child's process group does
// not reach them, and once the child is gone they belong to init.
class ProcessTree
{
public:
    // Every living descendant of `root` (not `root` itself), read from /proc.
    static QList<ProcessIdentity> descendants(pid_t root);
    // The same with each one's name and whether it has ended (zombies
    // included).
    static QList<ProcessStatus> descendantStatuses(pid_t root);
    // Its argv; empty when the process is gone or a zombie.
    static QStringList commandLineOf(pid_t pid);
    // Sends `signal` to each process that is still the one remembered, and
    // to the group it leads (a builder's own children); returns how many
    // were signalled.
    static int signalIfUnchanged(const QList<ProcessIdentity> &processes, int signal);
    static quint64 startTimeOf(pid_t pid); // 0 when there is no such process
    // No such process, or a zombie: it ended, whether or not its parent
    // (e.g. QProcess, on its next turn) has noticed yet.
    static bool hasEnded(pid_t pid);
};

} // namespace nixtide
