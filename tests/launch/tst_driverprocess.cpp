#include "core/launch/driverprocess.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/stat.h>
#include <unistd.h>

using nixtide::DriverLaunchOptions;
using nixtide::DriverProcess;

namespace {

// A process that exists and is not a zombie (an orphan may wait a moment
// for init to reap it; that one is gone for our purpose).
bool isAlive(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return false;
    const QByteArray text = stat.readAll();
    const qsizetype close = text.lastIndexOf(')');
    return close > 0 && text.mid(close + 2, 1) != "Z";
}

qint64 groupOf(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray text = stat.readAll();
    const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
    return fields.value(2).toLongLong(); // state ppid pgrp
}

bool waitAllDead(const QList<qint64> &pids, int ms)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < ms) {
        if (std::none_of(pids.begin(), pids.end(), isAlive))
            return true;
        QTest::qWait(50);
    }
    return std::none_of(pids.begin(), pids.end(), isAlive);
}

} // namespace

// Real process trees: a fake driver (shell) that starts grandchildren the way
// the test driver starts QEMU and vde_switch (no new session), prints their
// pids and waits.
class TestDriverProcess : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_tree;
    QString m_stubborn;
    QString m_env;
    QString m_printer;
    QString m_workdir;

    static QString script(const QString &path, const QByteArray &text)
    {
        QFile file(path);
        file.open(QIODevice::WriteOnly);
        file.write(text);
        file.close();
        file.setPermissions(file.permissions() | QFileDevice::ExeOwner);
        return path;
    }

    static QList<qint64> collectPids(QSignalSpy &lines, int count)
    {
        QList<qint64> pids;
        QElapsedTimer timer;
        timer.start();
        while (pids.size() < count && timer.elapsed() < 10000) {
            if (lines.isEmpty() && !lines.wait(10000))
                break;
            const QString line = lines.takeFirst().at(0).toString();
            if (line.startsWith(QLatin1String("PID ")))
                pids.append(line.mid(4).toLongLong());
        }
        return pids;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_tree = script(m_dir.path() + "/tree-driver",
            "#!/bin/sh\n"
            "sleep 1000 & echo PID $!\n"
            "sh -c 'sleep 1001 & echo PID $!; wait' &\n"
            "echo PID $!\n"
            "echo PID $$\n"
            "wait\n");
        m_stubborn = script(m_dir.path() + "/stubborn-driver",
            "#!/bin/sh\n"
            "trap '' TERM\n"
            "sh -c \"trap '' TERM; sleep 1002 & echo PID \\$!; wait\" &\n"
            "echo PID $$\n"
            "while :; do sleep 1; done\n");
        m_env = script(m_dir.path() + "/env-driver",
            "#!/bin/sh\n"
            "echo SOCKET=$NIXTIDE_AGENT_SOCKET\n"
            "echo PYTHONPATH=$PYTHONPATH\n"
            "echo TMPDIR=$TMPDIR\n"
            "echo XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR\n"
            "echo ARGS=\"$*\"\n"
            "echo oops >&2\n"
            "printf 'no newline'\n"
            "exit 3\n");
        // Prints, then blocks the way a script stopped at a breakpoint does.
        // Works where newer drivers do: $XDG_RUNTIME_DIR before $TMPDIR.
        m_workdir = script(m_dir.path() + "/workdir-driver",
            "#!/bin/sh\n"
            "dir=${XDG_RUNTIME_DIR:-$TMPDIR}\n"
            "mkdir -p \"$dir/vde1.ctl\" \"$dir/shared-xchg\" \"$dir/vm-state-m\"\n"
            "echo WORKDIR=$dir\n"
            "if [ \"$1\" = wait ]; then exec sleep 600; fi\n");
        m_printer = script(m_dir.path() + "/print-driver",
            "#!/usr/bin/python3\n"
            "import sys, time\n"
            "print('printed before the stop')\n"
            "sys.stderr.write('stopped\\n')\n"
            "time.sleep(600)\n");
    }

    void environmentAndPrivateDir()
    {
        DriverProcess driver;
        QSignalSpy out(&driver, &DriverProcess::stdoutLine);
        QSignalSpy err(&driver, &DriverProcess::stderrLine);
        QSignalSpy finished(&driver, &DriverProcess::finished);
        DriverLaunchOptions options;
        options.driverPath = m_env;
        options.extraArguments = {"--keep-vm-state", "--junit-xml", "/x y.xml"};
        options.agentDir = "/opt/agent";
        options.environment.insert("PYTHONPATH", "/nix/site");
        QString error;
        QVERIFY2(driver.start(options, &error), qPrintable(error));
        const QString dir = driver.privateDir();
        struct stat st {};
        QVERIFY(::stat(QFile::encodeName(dir).constData(), &st) == 0);
        QCOMPARE(st.st_mode & 0777, 0700u);
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.at(0).at(0).toInt(), 3);
        QCOMPARE(finished.at(0).at(1).toBool(), false);
        QStringList lines;
        for (const auto &l : out)
            lines << l.at(0).toString();
        QCOMPARE(lines,
            (QStringList {"SOCKET=" + dir + "/agent.sock", "PYTHONPATH=/opt/agent/inject:/nix/site",
                "TMPDIR=" + dir + "/tmp", "XDG_RUNTIME_DIR=" + dir + "/tmp",
                "ARGS=--keep-vm-state --junit-xml /x y.xml", "no newline"}));
        QCOMPARE(err.size(), 1);
        QVERIFY(driver.agentSocketPath().size() < 108);
        QVERIFY(driver.recentOutput().contains("oops"));
    }

    // A driver (or a converter it runs) that reads stdin gets end-of-file,
    // not an open pipe nobody writes to.
    void stdinIsEndOfFile()
    {
        const QString reader = script(m_dir.path() + "/stdin-driver",
            "#!/bin/sh\n"
            "if read line; then echo \"GOT $line\"; else echo EOF; fi\n");
        DriverProcess driver;
        QSignalSpy out(&driver, &DriverProcess::stdoutLine);
        QSignalSpy finished(&driver, &DriverProcess::finished);
        DriverLaunchOptions options;
        options.driverPath = reader;
        QString error;
        QVERIFY2(driver.start(options, &error), qPrintable(error));
        QVERIFY(finished.wait(60000));
        QCOMPARE(out.size(), 1);
        QCOMPARE(out.at(0).at(0).toString(), QStringLiteral("EOF"));
    }

    // The driver's working directory (VLAN sockets, vm-state-*, the shared
    // directory) is the run's own even when the session has an
    // $XDG_RUNTIME_DIR, and goes with the run.
    void sessionRuntimeDirIsNotShared()
    {
        QTemporaryDir session;
        QString privateDir;
        {
            DriverProcess driver;
            QSignalSpy out(&driver, &DriverProcess::stdoutLine);
            QSignalSpy finished(&driver, &DriverProcess::finished);
            DriverLaunchOptions options;
            options.driverPath = m_workdir;
            options.environment.insert("XDG_RUNTIME_DIR", session.path());
            QString error;
            QVERIFY2(driver.start(options, &error), qPrintable(error));
            privateDir = driver.privateDir();
            QVERIFY(finished.wait(10000));
            QCOMPARE(out.at(0).at(0).toString(), "WORKDIR=" + privateDir + "/tmp");
        }
        QCOMPARE(
            QDir(session.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot), QStringList());
        QVERIFY(!QFileInfo::exists(privateDir));
    }

    // The private directory goes even while another remover (the group's
    // watchdog) empties it at the same time: the watchdog's `rm -rf` is
    // started on a full directory just before the object goes.
    void privateDirGoesWhileSomethingElseRemovesIt()
    {
        for (int round = 0; round < 20; ++round) {
            QString path;
            QProcess remover;
            {
                nixtide::PrivateDir dir;
                QString error;
                QVERIFY2(dir.create(m_dir.path(), QStringLiteral("nixtide-"), &error),
                    qPrintable(error));
                path = dir.path();
                for (int d = 0; d < 20; ++d) {
                    QVERIFY(QDir(path).mkpath(QStringLiteral("tmp/d%1").arg(d)));
                    for (int f = 0; f < 20; ++f) {
                        QFile file(path + QStringLiteral("/tmp/d%1/f%2").arg(d).arg(f));
                        QVERIFY(file.open(QIODevice::WriteOnly));
                    }
                }
                remover.start(QStringLiteral("rm"), {QStringLiteral("-rf"), path});
                QVERIFY(remover.waitForStarted());
            }
            QVERIFY2(!QFileInfo::exists(path), qPrintable(path));
            QVERIFY(remover.waitForFinished(30000));
        }
    }

    // --keep-vm-state: vm-state-* stays in the directory given, the run's
    // sockets and shared directory do not, and one run uses it at a time.
    void keptStateDirKeepsOnlyTheState()
    {
        QTemporaryDir session;
        const QString kept = m_dir.path() + "/kept";
        QVERIFY(QDir().mkpath(kept + "/vde2.ctl")); // a killed run's
        DriverLaunchOptions options;
        options.driverPath = m_workdir;
        options.extraArguments = {"wait"};
        options.vmStateDir = kept;
        options.environment.insert("XDG_RUNTIME_DIR", session.path());
        {
            DriverProcess driver;
            QSignalSpy out(&driver, &DriverProcess::stdoutLine);
            QSignalSpy finished(&driver, &DriverProcess::finished);
            QString error;
            QVERIFY2(driver.start(options, &error), qPrintable(error));
            QTRY_COMPARE_WITH_TIMEOUT(out.size(), 1, 10000);
            QCOMPARE(out.at(0).at(0).toString(), "WORKDIR=" + kept);
            QVERIFY(!QFileInfo::exists(kept + "/vde2.ctl"));

            DriverProcess second;
            QVERIFY(!second.start(options, &error));
            QVERIFY2(
                error.contains(kept) && error.contains("in use by another run"), qPrintable(error));
            QVERIFY(QFileInfo::exists(kept + "/vde1.ctl"));

            driver.stop();
            QVERIFY(finished.wait(5000));
        }
        QCOMPARE(QDir(kept).entryList(QDir::AllEntries | QDir::NoDotAndDotDot),
            QStringList {"vm-state-m"});
        QCOMPARE(
            QDir(session.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot), QStringList());
        // The next run takes it again.
        DriverProcess again;
        QSignalSpy finished(&again, &DriverProcess::finished);
        options.extraArguments.clear();
        QString error;
        QVERIFY2(again.start(options, &error), qPrintable(error));
        QVERIFY(finished.wait(10000));
        QCOMPARE(QDir(kept).entryList(QDir::AllEntries | QDir::NoDotAndDotDot),
            QStringList {"vm-state-m"});
    }

    void pythonOutputArrivesWhileTheScriptBlocks()
    {
        DriverProcess driver;
        QSignalSpy out(&driver, &DriverProcess::stdoutLine);
        QSignalSpy err(&driver, &DriverProcess::stderrLine);
        QSignalSpy finished(&driver, &DriverProcess::finished);
        DriverLaunchOptions options;
        options.driverPath = m_printer;
        // Whatever the environment nixtide was started from says.
        options.environment = QProcessEnvironment::systemEnvironment();
        options.environment.remove(QStringLiteral("PYTHONUNBUFFERED"));
        QString error;
        QVERIFY2(driver.start(options, &error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(err.size(), 1, 10000);
        // The print came before the stderr line: with stdout block-buffered
        // into the pipe it would only come when the process ends.
        QTRY_COMPARE_WITH_TIMEOUT(out.size(), 1, 2000);
        QCOMPARE(out.at(0).at(0).toString(), QStringLiteral("printed before the stop"));
        QVERIFY(finished.isEmpty());
        driver.stop();
        QVERIFY(finished.wait(5000));
    }

    void ownProcessGroupAndStop()
    {
        DriverProcess driver;
        QSignalSpy out(&driver, &DriverProcess::stdoutLine);
        QSignalSpy finished(&driver, &DriverProcess::finished);
        DriverLaunchOptions options;
        options.driverPath = m_tree;
        QString error;
        QVERIFY2(driver.start(options, &error), qPrintable(error));
        const QList<qint64> pids = collectPids(out, 4);
        QCOMPARE(pids.size(), 4);
        for (qint64 pid : pids) {
            QVERIFY(isAlive(pid));
            QCOMPARE(groupOf(pid), driver.processId());
        }
        QVERIFY(groupOf(driver.processId()) != ::getpgrp());
        driver.stop();
        QVERIFY(finished.wait(5000));
        QVERIFY(finished.at(0).at(1).toBool()); // killed by SIGTERM
        QVERIFY(waitAllDead(pids, 3000));
    }

    void stopEscalatesToKill()
    {
        DriverProcess driver;
        QSignalSpy out(&driver, &DriverProcess::stdoutLine);
        QSignalSpy finished(&driver, &DriverProcess::finished);
        DriverLaunchOptions options;
        options.driverPath = m_stubborn;
        options.stopGraceMs = 500;
        QString error;
        QVERIFY2(driver.start(options, &error), qPrintable(error));
        const QList<qint64> pids = collectPids(out, 2);
        QCOMPARE(pids.size(), 2);
        QElapsedTimer timer;
        timer.start();
        driver.stop();
        QVERIFY(finished.wait(5000));
        QVERIFY(timer.elapsed() >= 450);
        QVERIFY(waitAllDead(pids, 2000));
    }

    // The promise that matters: kill -9 of nixtide leaves nothing behind.
    void killNineOfParentLeavesNothing()
    {
        QProcess nixtide;
        nixtide.start(QCoreApplication::applicationDirPath() + "/test_launch_helper", {m_stubborn});
        QVERIFY(nixtide.waitForStarted());
        QList<qint64> pids;
        QElapsedTimer timer;
        timer.start();
        QByteArray output;
        while (pids.size() < 3 && timer.elapsed() < 10000) {
            nixtide.waitForReadyRead(200);
            output += nixtide.readAllStandardOutput();
            pids.clear();
            static const QRegularExpression pidLine(
                "^(?:PID|DRIVER) (\\d+)$", QRegularExpression::MultilineOption);
            auto it = pidLine.globalMatch(QString::fromUtf8(output));
            while (it.hasNext())
                pids.append(it.next().captured(1).toLongLong());
        }
        QVERIFY2(pids.size() == 3, output.constData());
        for (qint64 pid : pids)
            QVERIFY(isAlive(pid));
        ::kill(pid_t(nixtide.processId()), SIGKILL);
        QVERIFY(nixtide.waitForFinished(2000));
        // The stubborn tree ignores SIGTERM: only the watchdog's SIGKILL and
        // the driver's death signal can end it, within the 3 s promised.
        QVERIFY2(waitAllDead(pids, 3000), "a process of the driver's group survived kill -9");
        // Its private directory (the agent's socket) is swept up too.
        const QString privateDir = QString::fromUtf8(output)
                                       .section(QStringLiteral("SOCKET="), 1, 1)
                                       .section(QLatin1Char('\n'), 0, 0);
        QVERIFY2(privateDir.startsWith(QStringLiteral("/")), output.constData());
        QTRY_VERIFY_WITH_TIMEOUT(!QFileInfo::exists(privateDir), 3000);
    }
};

QTEST_GUILESS_MAIN(TestDriverProcess)
#include "tst_driverprocess.moc"
