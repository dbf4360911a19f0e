#include "core/launch/processtree.h"

#include <QDir>
#include <QFile>
#include <QHash>

#include <csignal>

namespace nixtide {

namespace {

struct StatFields
{
    QString name;
    char state = 0;
    pid_t ppid = 0;
    pid_t pgid = 0;
    quint64 startTime = 0;
};

// /proc/PID/stat: "pid (comm) state ppid … starttime …"; comm may hold
// spaces and parentheses, so fields are counted from the last ')'.
bool readStat(pid_t pid, StatFields *fields)
{
    QFile file(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return false;
    const QByteArray line = file.readAll();
    const qsizetype open = line.indexOf('(');
    const qsizetype close = line.lastIndexOf(')');
    if (open < 0 || close < open)
        return false;
    const QList<QByteArray> rest = line.mid(close + 2).split(' ');
    // rest[0] is field 3 (state): ppid is field 4, pgid 5, starttime 22.
    if (rest.size() < 20)
        return false;
    fields->name = QString::fromLocal8Bit(line.mid(open + 1, close - open - 1));
    fields->state = rest.at(0).isEmpty() ? char(0) : rest.at(0).at(0);
    fields->ppid = pid_t(rest.at(1).toLongLong());
    fields->pgid = pid_t(rest.at(2).toLongLong());
    fields->startTime = rest.at(19).toULongLong();
    return true;
}

} // namespace

quint64 ProcessTree::startTimeOf(pid_t pid)
{
    StatFields fields;
    return readStat(pid, &fields) ? fields.startTime : 0;
}

bool ProcessTree::hasEnded(pid_t pid)
{
    StatFields fields;
    return !readStat(pid, &fields) || fields.state == 'Z' || fields.state == 'X';
}

QList<ProcessIdentity> ProcessTree::descendants(pid_t root)
{
    QList<ProcessIdentity> found;
    for (const ProcessStatus &status : descendantStatuses(root))
        found.append(status.identity);
    return found;
}

QList<ProcessStatus> ProcessTree::descendantStatuses(pid_t root)
{
    QHash<pid_t, QList<ProcessStatus>> children;
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs);
    for (const QString &entry : entries) {
        bool isPid = false;
        const pid_t pid = pid_t(entry.toLongLong(&isPid));
        StatFields fields;
        if (isPid && readStat(pid, &fields))
            children[fields.ppid].append({{pid, fields.startTime, fields.pgid == pid}, fields.name,
                fields.state == 'Z' || fields.state == 'X'});
    }
    QList<ProcessStatus> found;
    QList<pid_t> queue {root};
    while (!queue.isEmpty()) {
        for (const ProcessStatus &child : children.value(queue.takeFirst())) {
            found.append(child);
            queue.append(child.identity.pid);
        }
    }
    return found;
}

QStringList ProcessTree::commandLineOf(pid_t pid)
{
    QFile file(QStringLiteral("/proc/%1/cmdline").arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QByteArray text = file.readAll();
    if (text.endsWith('\0'))
        text.chop(1);
    QStringList arguments;
    if (text.isEmpty())
        return arguments;
    for (const QByteArray &argument : text.split('\0'))
        arguments.append(QString::fromLocal8Bit(argument));
    return arguments;
}

int ProcessTree::signalIfUnchanged(const QList<ProcessIdentity> &processes, int signal)
{
    int signalled = 0;
    for (const ProcessIdentity &process : processes) {
        if (process.startTime == 0 || startTimeOf(process.pid) != process.startTime)
            continue;
        if (process.leadsGroup)
            ::kill(-process.pid, signal);
        if (::kill(process.pid, signal) == 0)
            ++signalled;
    }
    return signalled;
}

} // namespace nixtide
