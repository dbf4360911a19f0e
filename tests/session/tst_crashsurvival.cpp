// What happens to a session when something under it dies: QEMU killed from
// outside (the other machine keeps working, the killed one says crashed),
// the driver killed (the session ends and says so, its VMs go with it).
// Real demo tests built by real Nix, real QEMU guests, DebugSession as the
// IDE and `nixtide run` use it.
#include "common/guesttesting.h"
#include "core/session/debugsession.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <unistd.h>

using namespace nixtide;
using namespace nixtide::testing;

namespace {

constexpr int kVmDeadlineMs = 240000;

QString demo(const QString &file)
{
    return qEnvironmentVariable("NIXTIDE_SOURCE_DIR") + QStringLiteral("/resources/demo/") + file;
}

QString machineState(const DebugSession &session, const QString &name)
{
    for (const MachineInfo &machine : session.machines()) {
        if (machine.name == name)
            return machine.state;
    }
    return {};
}

// The pid of the QEMU under `dir` whose `-name` is `machine`, or 0.
qint64 qemuPid(const QString &dir, const QString &machine)
{
    const QRegularExpression name(QStringLiteral("-name '?%1'?( |$)").arg(machine));
    for (const QString &line : qemuUnder(dir)) {
        if (name.match(line).hasMatch())
            return line.section(QLatin1Char(' '), 0, 0).toLongLong();
    }
    return 0;
}

// This process and its descendants (the driver, QEMU, vde_switch…).
QList<qint64> sessionProcesses()
{
    QHash<qint64, qint64> parents;
    for (const QString &entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        bool isPid = false;
        const qint64 pid = entry.toLongLong(&isPid);
        QFile stat(QStringLiteral("/proc/%1/stat").arg(entry));
        if (!isPid || !stat.open(QIODevice::ReadOnly))
            continue;
        const QByteArray line = stat.readAll();
        parents.insert(pid, line.mid(line.lastIndexOf(')') + 2).split(' ').value(1).toLongLong());
    }
    QList<qint64> found {QCoreApplication::applicationPid()};
    for (qsizetype i = 0; i < found.size(); ++i) {
        for (auto it = parents.cbegin(); it != parents.cend(); ++it) {
            if (it.value() == found.at(i))
                found.append(it.key());
        }
    }
    return found;
}

// Socket inode -> "pid comm" for every socket the session's processes hold.
QHash<QString, QString> sessionSockets()
{
    QHash<QString, QString> sockets;
    for (const qint64 pid : sessionProcesses()) {
        QFile comm(QStringLiteral("/proc/%1/comm").arg(pid));
        const QString name = comm.open(QIODevice::ReadOnly)
            ? QString::fromUtf8(comm.readAll().trimmed())
            : QString();
        const QString fdDir = QStringLiteral("/proc/%1/fd").arg(pid);
        for (const QString &fd : QDir(fdDir).entryList(QDir::Files | QDir::System)) {
            // readlink itself: QFile::symLinkTarget makes "socket:[N]" a path
            // under fdDir.
            char target[64] = {};
            const QByteArray link = QFile::encodeName(fdDir + u'/' + fd);
            if (::readlink(link.constData(), target, sizeof target - 1) < 0)
                continue;
            const QByteArray text(target);
            if (text.startsWith("socket:[") && text.endsWith(']'))
                sockets.insert(QString::fromLatin1(text.mid(8).chopped(1)),
                    QString::number(pid) + u' ' + name);
        }
    }
    return sockets;
}

// Lines of /proc/net/{tcp,tcp6,udp,udp6} for sockets in `sockets` that
// listen (TCP state 0A) or are bound to a port (UDP).
QStringList internetListeners(const QHash<QString, QString> &sockets)
{
    QStringList found;
    for (const char *table : {"tcp", "tcp6", "udp", "udp6"}) {
        QFile file(QStringLiteral("/proc/net/") + QLatin1StringView(table));
        if (!file.open(QIODevice::ReadOnly))
            continue;
        const QList<QByteArray> lines = file.readAll().split('\n');
        for (const QByteArray &raw : lines.mid(1)) {
            const QList<QByteArray> f = raw.simplified().split(' ');
            if (f.size() < 10 || !sockets.contains(QString::fromLatin1(f.at(9))))
                continue;
            const bool tcp = QByteArray(table).startsWith("tcp");
            if (!tcp || f.at(3) == "0A")
                found.append(QStringLiteral("%1 %2 (%3)")
                        .arg(QLatin1StringView(table), QString::fromLatin1(f.at(1)),
                            sockets.value(QString::fromLatin1(f.at(9)))));
        }
    }
    return found;
}

// How many of `sockets` are unix sockets (listed in /proc/net/unix).
qsizetype unixSockets(const QHash<QString, QString> &sockets)
{
    QFile file(QStringLiteral("/proc/net/unix"));
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    qsizetype count = 0;
    const QList<QByteArray> lines = file.readAll().split('\n');
    for (const QByteArray &raw : lines.mid(1)) {
        const QList<QByteArray> f = raw.simplified().split(' ');
        if (f.size() >= 7 && sockets.contains(QString::fromLatin1(f.at(6))))
            ++count;
    }
    return count;
}

} // namespace

class TestCrashSurvival : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_state;

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<LaunchPlan>();
        QVERIFY(m_state.isValid());
        qputenv("XDG_STATE_HOME", m_state.path().toUtf8());
        QVERIFY2(qEnvironmentVariableIsSet("NIXTIDE_SOURCE_DIR"), "run under ctest");
    }

    void qemuKilledFromOutsideOthersKeepWorking()
    {
        const QString vlan = demo(QStringLiteral("vlan.nix"));
        const LaunchPlan plan = resolveLaunchPlan(vlan, QStringLiteral("driver"));
        QVERIFY2(!plan.bundle.driverPath.isEmpty(), "the demo test did not build");
        const int line = lineContaining(vlan, QStringLiteral("with subtest(\"the client sends"));
        QVERIFY(line > 0);

        DebugSession session;
        QSignalSpy stopped(&session, &DebugSession::stopped);
        QSignalSpy finished(&session, &DebugSession::finished);
        session.setBreakpoints(vlan, {SourceBreakpoint {line, QString()}});
        QVERIFY2(session.start(plan), qPrintable(session.error()));
        QVERIFY(stopped.wait(kVmDeadlineMs));
        QCOMPARE(machineState(session, QStringLiteral("server")), QStringLiteral("up"));
        QCOMPARE(machineState(session, QStringLiteral("client")), QStringLiteral("up"));
        const QString privateDir = QFileInfo(session.agentSocketPath()).path();
        // Who can connect: the session's sockets are unix sockets, nothing
        // of it listens on TCP (or sits on a UDP port).
        const QHash<QString, QString> sockets = sessionSockets();
        const qsizetype local = unixSockets(sockets);
        qInfo("the session's processes hold %lld sockets, %lld of them unix sockets",
            qint64(sockets.size()), qint64(local));
        QStringList holders = sockets.values();
        holders.removeDuplicates();
        qInfo("held by: %s", qPrintable(holders.join(QStringLiteral(", "))));
        // The agent's, and each VM's VNC, monitor, QMP and shell at least:
        // the count shows the scan saw the session's sockets at all.
        QVERIFY2(local >= 5, qPrintable(QString::number(local)));
        const QStringList listeners = internetListeners(sockets);
        QVERIFY2(listeners.isEmpty(), qPrintable(listeners.join(u'\n')));

        const qint64 server = qemuPid(privateDir, QStringLiteral("server"));
        QVERIFY2(server > 0, qPrintable(qemuUnder(privateDir).join(u'\n')));

        QCOMPARE(::kill(pid_t(server), SIGKILL), 0);
        QTRY_COMPARE_WITH_TIMEOUT(
            machineState(session, QStringLiteral("server")), QStringLiteral("crashed"), 60000);
        QCOMPARE(session.state(), DebugSession::State::Stopped);
        QCOMPARE(machineState(session, QStringLiteral("client")), QStringLiteral("up"));
        bool ok = false;
        const QString echoed
            = evaluate(session, QStringLiteral("client.succeed(\"echo still-here\")"), &ok);
        QVERIFY2(ok, qPrintable(echoed));
        QCOMPARE(echoed, QStringLiteral("'still-here\\n'"));

        session.terminate();
        QVERIFY(finished.wait(120000));
        QTRY_COMPARE_WITH_TIMEOUT(qemuUnder(privateDir), QStringList(), 30000);
    }

    void driverKilledEndsTheSessionAndItsVms()
    {
        const QString single = demo(QStringLiteral("single.nix"));
        const LaunchPlan plan = resolveLaunchPlan(single, QStringLiteral("driver"));
        QVERIFY2(!plan.bundle.driverPath.isEmpty(), "the demo test did not build");
        const int line = lineContaining(single, QStringLiteral("hostname = machine.succeed"));
        QVERIFY(line > 0);

        DebugSession session;
        QSignalSpy stopped(&session, &DebugSession::stopped);
        QSignalSpy finished(&session, &DebugSession::finished);
        QSignalSpy errors(&session, &DebugSession::errorOccurred);
        session.setBreakpoints(single, {SourceBreakpoint {line, QString()}});
        QVERIFY2(session.start(plan), qPrintable(session.error()));
        QVERIFY(stopped.wait(kVmDeadlineMs));
        const QString privateDir = QFileInfo(session.agentSocketPath()).path();
        QVERIFY(!qemuUnder(privateDir).isEmpty());
        bool ok = false;
        const qint64 driver
            = evaluate(session, QStringLiteral("__import__('os').getpid()"), &ok).toLongLong();
        QVERIFY(ok && driver > 0);

        QCOMPARE(::kill(pid_t(driver), SIGKILL), 0);
        QVERIFY(finished.wait(60000));
        QCOMPARE(finished.at(0).at(1).toBool(), true); // crashed: killed by a signal
        QCOMPARE(session.state(), DebugSession::State::Terminated);
        // Said, not only implied by a state: the session's error and its
        // signal name the kill.
        QVERIFY2(session.error().contains(QStringLiteral("killed by signal %1").arg(SIGKILL)),
            qPrintable(session.error()));
        QCOMPARE(errors.size(), 1);
        QCOMPARE(errors.at(0).at(0).toString(), session.error());
        QTRY_COMPARE_WITH_TIMEOUT(qemuUnder(privateDir), QStringList(), 30000);
        // The run record says how it ended.
        QFile result(session.runRecordDir() + QStringLiteral("/result.json"));
        QVERIFY(result.open(QIODevice::ReadOnly));
        const QByteArray outcome = result.readAll();
        QVERIFY2(!outcome.contains("\"passed\"") && !outcome.contains("\"running\""),
            outcome.constData());
        QVERIFY2(outcome.contains("killed by signal"), outcome.constData());
    }
};

QTEST_GUILESS_MAIN(TestCrashSurvival)
#include "tst_crashsurvival.moc"
