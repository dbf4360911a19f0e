#include "core/launch/vlanswitchwatch.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using nixtide::VlanSwitchWatch;

// Real processes: a fake driver (sh) starts a fake switch, a shell under the
// name vde_switch with a switch's arguments, the way a driver starts
// vde_switch; the test kills the switch as it would die.
class TestVlanSwitchWatch : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_switch;

    // The driver prints the switch's pid, then either never reaps it (exec
    // sleep: as a driver waiting on the switch's stdout) or reaps it
    // (`wait`, as a driver that noticed).
    std::unique_ptr<QProcess> startDriver(int vlan, bool reaps, qint64 *switchPid)
    {
        auto driver = std::make_unique<QProcess>();
        const QString ctl = m_dir.path() + QStringLiteral("/vde%1.ctl").arg(vlan);
        driver->start(QStringLiteral("/bin/sh"),
            {QStringLiteral("-c"),
                // Its stdin is the driver's (never written): the switch
                // waits there, as a real one waits for console commands.
                QStringLiteral(
                    "exec 3<&0; \"$0\" -c 'read line' -s \"$1\" --dirmode 0700 <&3 3<&- & "
                    "echo $!; %1")
                    .arg(reaps ? QStringLiteral("wait; exec sleep 600")
                               : QStringLiteral("exec sleep 600")),
                m_switch, ctl});
        if (!driver->waitForStarted(5000) || !driver->waitForReadyRead(5000))
            return nullptr;
        *switchPid = driver->readLine().trimmed().toLongLong();
        // $! is the forked shell: a switch only once it has executed.
        if (!waitForName(*switchPid, "vde_switch"))
            return nullptr;
        // A driver that never reaps must be past its shell, which could
        // still reap a switch killed before the exec.
        const bool ready = reaps || waitForName(driver->processId(), "sleep");
        return ready ? std::move(driver) : nullptr;
    }

    // Until the kernel names process `pid` after the file it executed.
    static bool waitForName(qint64 pid, const QByteArray &name)
    {
        const QString comm = QStringLiteral("/proc/%1/comm").arg(pid);
        return QTest::qWaitFor(
            [&] {
                QFile file(comm);
                return file.open(QIODevice::ReadOnly) && file.readAll() == name + '\n';
            },
            10000);
    }

    static bool waitUntilGone(qint64 pid)
    {
        return QTest::qWaitFor(
            [pid] { return !QFile::exists(QStringLiteral("/proc/%1").arg(pid)); }, 10000);
    }

    // Ended, and not reaped by its parent.
    static bool waitUntilZombie(qint64 pid)
    {
        return QTest::qWaitFor(
            [pid] {
                QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
                return stat.open(QIODevice::ReadOnly) && stat.readAll().contains(") Z ");
            },
            10000);
    }

    static void end(QProcess *driver)
    {
        driver->kill();
        driver->waitForFinished(5000);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // The kernel names a process after the file it executed: a link
        // called vde_switch makes a shell look like a switch in /proc.
        m_switch = m_dir.path() + QStringLiteral("/vde_switch");
        QVERIFY(QFile::link(QStringLiteral("/bin/sh"), m_switch));
    }

    void namesTheVlanOfASwitchThatDiesWhileWatched()
    {
        qint64 pid = 0;
        auto driver = startDriver(3, false, &pid);
        QVERIFY(driver);
        QVERIFY(pid > 0);
        VlanSwitchWatch watch;
        watch.setInterval(50);
        QSignalSpy exited(&watch, &VlanSwitchWatch::switchExited);
        // The numbers would say 1 for the first switch: the command line wins.
        watch.begin(driver->processId(), {1, 3});
        QVERIFY(watch.isWatching());
        // A few polls see it alive: nothing to say yet.
        QTRY_VERIFY_WITH_TIMEOUT(watch.polls() >= 3, 10000);
        QCOMPARE(exited.size(), 0);
        ::kill(pid_t(pid), SIGKILL);
        QTRY_COMPARE_WITH_TIMEOUT(exited.size(), 1, 10000);
        QCOMPARE(exited.at(0).at(0).toInt(), 3);
        QCOMPARE(exited.at(0).at(1).toLongLong(), pid);
        // Once only, however long it stays a zombie.
        const int polls = watch.polls();
        QTRY_VERIFY_WITH_TIMEOUT(watch.polls() >= polls + 4, 10000);
        QCOMPARE(exited.size(), 1);
        end(driver.get());
    }

    void aSwitchSeenOnlyDeadIsNamedByStartOrder()
    {
        qint64 pid = 0;
        auto driver = startDriver(9, false, &pid);
        QVERIFY(driver);
        ::kill(pid_t(pid), SIGKILL);
        // A zombie has no command line left: the first switch is the
        // lowest VLAN number the driver was given.
        QVERIFY(waitUntilZombie(pid));
        VlanSwitchWatch watch;
        QSignalSpy exited(&watch, &VlanSwitchWatch::switchExited);
        watch.begin(driver->processId(), {7, 4, 7});
        QTRY_COMPARE_WITH_TIMEOUT(exited.size(), 1, 10000);
        QCOMPARE(exited.at(0).at(0).toInt(), 4);
        QCOMPARE(exited.at(0).at(1).toLongLong(), pid);
        end(driver.get());
    }

    void aSwitchItsDriverReapedIsTheDriversToReport()
    {
        qint64 pid = 0;
        auto driver = startDriver(2, true, &pid);
        QVERIFY(driver);
        VlanSwitchWatch watch;
        // Only begin()'s own poll until the driver has reaped the switch:
        // a poll between the kill and the reaping would rightly see a
        // zombie nobody noticed yet.
        watch.setInterval(24 * 3600 * 1000);
        QSignalSpy exited(&watch, &VlanSwitchWatch::switchExited);
        watch.begin(driver->processId(), {2});
        QCOMPARE(watch.polls(), 1);
        ::kill(pid_t(pid), SIGKILL);
        QVERIFY(waitUntilGone(pid));
        QCOMPARE(watch.polls(), 1);
        watch.setInterval(20);
        QTRY_VERIFY_WITH_TIMEOUT(watch.polls() >= 5, 10000);
        QCOMPARE(exited.size(), 0);
        end(driver.get());
    }

    void saysNothingOnceEnded()
    {
        qint64 pid = 0;
        auto driver = startDriver(1, false, &pid);
        QVERIFY(driver);
        VlanSwitchWatch watch;
        watch.setInterval(20);
        QSignalSpy exited(&watch, &VlanSwitchWatch::switchExited);
        watch.begin(driver->processId(), {1});
        watch.end();
        QVERIFY(!watch.isWatching());
        const int polls = watch.polls();
        ::kill(pid_t(pid), SIGKILL);
        QVERIFY(waitUntilZombie(pid));
        QCoreApplication::processEvents();
        QCOMPARE(watch.polls(), polls);
        QCOMPARE(exited.size(), 0);
        end(driver.get());
    }
};

QTEST_GUILESS_MAIN(TestVlanSwitchWatch)
#include "tst_vlanswitchwatch.moc"
