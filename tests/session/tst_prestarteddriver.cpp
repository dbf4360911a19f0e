// PrestartedDriver: the demo's real driver (resources/demo/single.nix and
// failing.nix, built by real Nix) started before its plan is confirmed.
// Adopted, it is the very process the DebugSession runs, the script runs
// only then and what it printed before is passed on; refused (another
// build), its process group ends with it. No guest boots: the adopted
// script is a print.
#include "common/guesttesting.h"
#include "core/session/debugsession.h"
#include "core/session/prestarteddriver.h"

#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace nixtide;
using namespace nixtide::testing;

namespace {

QString demoTest(const QString &name)
{
    return qEnvironmentVariable("NIXTIDE_SOURCE_DIR", QStringLiteral(NIXTIDE_SOURCE_DIR))
        + QStringLiteral("/resources/demo/") + name;
}

bool processExists(qint64 pid)
{
    return pid > 0 && QFileInfo::exists(QStringLiteral("/proc/%1").arg(pid));
}

} // namespace

class TestPrestartedDriver : public QObject
{
    Q_OBJECT

    QTemporaryDir m_state;
    LaunchPlan m_single;

    // single.nix whose script is only a print: the adopted driver runs it.
    LaunchPlan printing(const QString &text) const
    {
        LaunchPlan plan = m_single;
        plan.scriptText = QStringLiteral("print(%1)\n").arg(text);
        plan.record = false;
        return plan;
    }

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<LaunchPlan>();
        QVERIFY(m_state.isValid());
        qputenv("XDG_STATE_HOME", m_state.path().toUtf8());
        m_single
            = resolveLaunchPlan(demoTest(QStringLiteral("single.nix")), QStringLiteral("driver"));
        QVERIFY2(!m_single.bundle.driverPath.isEmpty(), "the demo test did not build");
    }

    // Taken before and after its agent listens: both ways the session's
    // driver is the one started early, the script runs once adopted, and
    // the driver's earlier lines reach the session.
    void adoptedDriverIsTheOneStartedEarly_data()
    {
        QTest::addColumn<bool>("afterAgentListens");
        QTest::newRow("taken at once") << false;
        QTest::newRow("taken once the agent listens") << true;
    }

    void adoptedDriverIsTheOneStartedEarly()
    {
        QFETCH(bool, afterAgentListens);
        PrestartedDriver early;
        QString error;
        QVERIFY2(early.start(m_single, &error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(early.processId() > 0, 30000);
        const qint64 pid = early.processId();
        QVERIFY(processExists(pid));
        if (afterAgentListens)
            QTRY_VERIFY_WITH_TIMEOUT(early.agentConnected(), 60000);
        else
            QVERIFY(!early.agentConnected()); // Python has not even started
        const LaunchPlan plan = printing(QStringLiteral("'adopted early'"));
        QString why;
        std::optional<PrestartedDriver::Handover> handover = early.take(plan, &why);
        QVERIFY2(handover, qPrintable(why));
        QVERIFY(handover->host);
        QCOMPARE(early.processId(), 0); // nothing left to it

        DebugSession session;
        QString printed;
        connect(&session, &DebugSession::driverOutputLine, &session,
            [&printed](const QString &line, bool) { printed += line + u'\n'; });
        QVERIFY2(session.start(plan, std::move(handover)), qPrintable(session.error()));
        QCOMPARE(session.driverProcessId(), pid);
        QTRY_COMPARE_WITH_TIMEOUT(session.state(), DebugSession::State::Terminated, 120000);
        QVERIFY2(session.exitCode() == 0, qPrintable(session.driverOutput()));
        QVERIFY2(printed.contains(QStringLiteral("adopted early\n")), qPrintable(printed));
        // Its first lines, printed before the session listened, came too.
        QVERIFY2(printed.contains(QStringLiteral("start vlan")), qPrintable(printed));
        QTRY_VERIFY_WITH_TIMEOUT(!processExists(pid), 30000);
    }

    // Another build (the test was edited): refused with the reason, and the
    // early driver ends with its owner, having run no script.
    void otherBuildIsRefusedAndTheDriverEnds()
    {
        const LaunchPlan failing
            = resolveLaunchPlan(demoTest(QStringLiteral("failing.nix")), QStringLiteral("driver"));
        QVERIFY2(!failing.bundle.driverPath.isEmpty(), "the failing demo did not build");
        QVERIFY(failing.bundle.driverPath != m_single.bundle.driverPath);
        auto early = std::make_unique<PrestartedDriver>();
        QString error;
        QVERIFY2(early->start(m_single, &error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(early->processId() > 0, 30000);
        const qint64 pid = early->processId();
        QVERIFY(processExists(pid));
        QString why;
        QVERIFY(!early->take(failing, &why));
        QCOMPARE(why, QStringLiteral("the test's build changed"));
        // Same bundle, other options: refused too.
        LaunchPlan withArgument = m_single;
        withArgument.extraDriverArguments = {QStringLiteral("--interactive")};
        QVERIFY(!early->take(withArgument, &why));
        QCOMPARE(why, QStringLiteral("this run starts it with other options"));
        QVERIFY(processExists(pid)); // still its owner's, until it goes
        early.reset();
        QTRY_VERIFY_WITH_TIMEOUT(!processExists(pid), 30000);
    }

    // A driver that ended before Nix answered is not handed over.
    void endedDriverIsNotHandedOver()
    {
        PrestartedDriver early;
        QString error;
        QVERIFY2(early.start(m_single, &error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(early.processId() > 0, 30000);
        const qint64 pid = early.processId();
        QVERIFY(pid > 0); // never kill(0): that is this test's own group
        QCOMPARE(::kill(pid_t(pid), SIGKILL), 0);
        // Its end has been seen here (the pid may be reaped before that).
        QTRY_VERIFY_WITH_TIMEOUT(!early.isRunning(), 30000);
        QVERIFY(!processExists(pid));
        QString why;
        QVERIFY(!early.take(m_single, &why));
        QCOMPARE(why, QStringLiteral("it ended"));
    }

    // What ending a process group does not undo is not started early.
    void remoteOrKeptStateIsNotStartedEarly()
    {
        QString error;
        LaunchPlan kept = m_single;
        kept.keepVmState = true;
        QVERIFY(!PrestartedDriver().start(kept, &error));
        QVERIFY(error.contains(QStringLiteral("kept VM state")));
        LaunchPlan remote = m_single;
        remote.host = QStringLiteral("ssh://root@127.0.0.1:1");
        QVERIFY(!PrestartedDriver().start(remote, &error));
        QVERIFY(error.contains(QStringLiteral("local run")));
    }
};

QTEST_MAIN(TestPrestartedDriver)
#include "tst_prestarteddriver.moc"
