// The debug engine end to end from C++: DebugSession drives DapClient
// against the agent inside the demo's real driver, booting a real QEMU
// guest. resources/demo/single.nix is built by real Nix through
// TestResolver; breakpoints are .nix lines.
#include "common/guesttesting.h"
#include "core/session/debugsession.h"
#include "core/session/testresolver.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace nixtide;
using namespace nixtide::testing;

namespace {

// Waits, spinning the event loop, for a callback-style result.
template <typename T> struct Result
{
    bool done = false;
    bool ok = false;
    T value {};
    QString error;
    TypedCallback<T> callback()
    {
        return [this](bool success, const T &v, const QString &e) {
            done = true;
            ok = success;
            value = v;
            error = e;
        };
    }
    bool wait(int ms = 120000)
    {
        QElapsedTimer t;
        t.start();
        while (!done && t.elapsed() < ms)
            QTest::qWait(20);
        return done;
    }
};

} // namespace

class TestDebugSession : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_state;
    QString m_nixFile;

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<LaunchPlan>();
        QVERIFY(m_state.isValid());
        qputenv("XDG_STATE_HOME", m_state.path().toUtf8());
        m_nixFile = qEnvironmentVariable("NIXTIDE_SOURCE_DIR", QStringLiteral(NIXTIDE_SOURCE_DIR))
            + QStringLiteral("/resources/demo/single.nix");
    }

    void breakpointEvaluateNextContinue()
    {
        const LaunchPlan plan = resolveLaunchPlan(m_nixFile, QStringLiteral("driver"));
        QVERIFY2(!plan.bundle.driverPath.isEmpty(), "the demo test did not build");
        QCOMPARE(plan.sourcePath, m_nixFile);
        QVERIFY(!plan.lineMap.isEmpty());
        const int hostnameLine
            = lineContaining(m_nixFile, QStringLiteral("hostname = machine.succeed"));
        QVERIFY(hostnameLine > 0);

        DebugSession session;
        QSignalSpy states(&session, &DebugSession::stateChanged);
        QSignalSpy stopped(&session, &DebugSession::stopped);
        QSignalSpy verified(&session, &DebugSession::breakpointsAnswered);
        QSignalSpy finished(&session, &DebugSession::finished);
        QSignalSpy exited(&session, &DebugSession::agentExited);
        QSignalSpy serial(&session, &DebugSession::serialReceived);
        session.setBreakpoints(m_nixFile, {SourceBreakpoint {hostnameLine, QString()}});
        QElapsedTimer clock;
        clock.start();
        QVERIFY2(session.start(plan), qPrintable(session.error()));
        QCOMPARE(session.state(), DebugSession::State::Starting);
        QCOMPARE(session.machines().value(0).name, QStringLiteral("machine"));

        QVERIFY(verified.wait(60000));
        QCOMPARE(verified.at(0).at(0).toString(), m_nixFile);
        QVERIFY(verified.at(0).at(1).value<QList<BreakpointAnswer>>().value(0).verified);

        QVERIFY(stopped.wait(180000));
        qInfo("start to breakpoint: %.1f s", double(clock.elapsed()) / 1000.0);
        QCOMPARE(stopped.at(0).at(0).toString(), QStringLiteral("breakpoint"));
        QCOMPARE(session.state(), DebugSession::State::Stopped);
        QCOMPARE(session.stackFrames().value(0).path, m_nixFile);
        QCOMPARE(session.stackFrames().value(0).line, hostnameLine);

        // Variables on demand: scopes, then the Driver scope's variables
        // (what the driver gives the script, apart from its own names).
        Result<QList<Scope>> scopes;
        session.scopes(session.stackFrames().at(0).id, scopes.callback());
        QVERIFY(scopes.wait());
        QVERIFY2(scopes.ok, qPrintable(scopes.error));
        int ref = 0;
        for (const Scope &scope : scopes.value) {
            if (scope.name == QLatin1String("Driver"))
                ref = scope.variablesReference;
        }
        QVERIFY(ref > 0);
        Result<QList<Variable>> variables;
        session.variables(ref, variables.callback());
        QVERIFY(variables.wait());
        QStringList names;
        for (const Variable &v : variables.value)
            names << v.name;
        QVERIFY2(
            names.contains("machine") && names.contains("start_all"), qPrintable(names.join(',')));

        Result<EvaluateResult> hostname;
        session.evaluate(QStringLiteral("machine.succeed(\"hostname\")"), 0, hostname.callback());
        QVERIFY(hostname.wait());
        QVERIFY2(hostname.ok, qPrintable(hostname.error));
        QCOMPARE(hostname.value.result, QStringLiteral("'machine\\n'"));

        QCOMPARE(session.machines().value(0).state, QStringLiteral("up"));
        QVERIFY(!session.serialData(QStringLiteral("machine")).isEmpty());
        QVERIFY(!serial.isEmpty());
        bool sawNested = false;
        for (const LogEntry &entry : session.logEntries())
            sawNested |= entry.nested && entry.message.contains("waiting for unit")
                && entry.durationSeconds > 0;
        QVERIFY(sawNested);

        session.next();
        QVERIFY(stopped.wait(60000));
        QCOMPARE(stopped.at(1).at(0).toString(), QStringLiteral("step"));
        QCOMPARE(session.stackFrames().value(0).line, hostnameLine + 1);

        Result<EvaluateResult> value;
        session.evaluate(QStringLiteral("hostname"), 0, value.callback());
        QVERIFY(value.wait());
        QCOMPARE(value.value.result, QStringLiteral("'machine'"));

        const QString privateDir = QFileInfo(session.agentSocketPath()).path();
        QVERIFY(!qemuUnder(privateDir).isEmpty());
        session.continueExecution();
        QVERIFY(finished.wait(180000));
        QCOMPARE(exited.value(0).value(0).toInt(), 0);
        QCOMPARE(finished.at(0).at(0).toInt(), 0);
        QCOMPARE(session.state(), DebugSession::State::Terminated);
        QCOMPARE(states.last().at(0).value<DebugSession::State>(), DebugSession::State::Terminated);
        // The watchdog sweeps the driver's process group after it ended.
        QTRY_COMPARE_WITH_TIMEOUT(qemuUnder(privateDir), QStringList(), 30000);

        // The run record holds the whole run.
        QFile result(session.runRecordDir() + QStringLiteral("/result.json"));
        QVERIFY(result.open(QIODevice::ReadOnly));
        const QJsonObject outcome = QJsonDocument::fromJson(result.readAll()).object();
        QCOMPARE(outcome.value("status").toString(), QStringLiteral("passed"));
        QCOMPARE(outcome.value("exitCode").toInt(), 0);
        // The serial log is every byte the console got, in order: the
        // boot's CR LF line ends, the shell's prompt.
        QByteArray received;
        for (const QList<QVariant> &args : std::as_const(serial)) {
            if (args.at(0).toString() == QLatin1String("machine"))
                received += args.at(1).toByteArray();
        }
        QFile serialLog(session.runRecordDir() + QStringLiteral("/serial-machine.log"));
        QVERIFY(serialLog.open(QIODevice::ReadOnly));
        const QByteArray logged = serialLog.readAll();
        QCOMPARE(logged.size(), received.size());
        QVERIFY(logged == received);
        QVERIFY(logged.contains("Run /init as init process\r\n"));
        QVERIFY(logged.contains("[root@machine:~]# "));
        QVERIFY(!QDir(session.runRecordDir() + QStringLiteral("/screenshots")).isEmpty());
    }

    // A failing script stops with reason exception and the VM stays up for
    // inspection; terminate() then ends the driver and its QEMU.
    void exceptionStopKeepsVmThenTerminate()
    {
        const QString failing = QFileInfo(m_nixFile).path() + QStringLiteral("/failing.nix");
        const LaunchPlan plan = resolveLaunchPlan(failing, QStringLiteral("driver"));
        QVERIFY2(!plan.bundle.driverPath.isEmpty(), "the demo test did not build");
        DebugSession session;
        QSignalSpy stopped(&session, &DebugSession::stopped);
        QSignalSpy finished(&session, &DebugSession::finished);
        QVERIFY2(session.start(plan), qPrintable(session.error()));
        QVERIFY(stopped.wait(180000));
        QCOMPARE(session.stopReason(), QStringLiteral("exception"));
        const int failingLine = lineContaining(failing, QStringLiteral("this-command-fails"));
        int userFrame = 0;
        for (const StackFrame &frame : session.stackFrames()) {
            if (frame.path == failing && frame.line == failingLine)
                userFrame = frame.id;
        }
        QVERIFY(userFrame != 0);
        Result<ExceptionInfo> info;
        session.exceptionInfo(info.callback());
        QVERIFY(info.wait());
        QVERIFY2(info.value.description.contains("this-command-fails"),
            qPrintable(info.value.exceptionId + QStringLiteral(": ") + info.value.description));
        QCOMPARE(session.machines().value(0).state, QStringLiteral("up"));
        const QString privateDir = QFileInfo(session.agentSocketPath()).path();
        QCOMPARE(qemuUnder(privateDir).size(), 1);
        // The VM still answers while the script is stopped.
        Result<EvaluateResult> alive;
        session.evaluate(
            QStringLiteral("machine.succeed('echo still-up')"), userFrame, alive.callback());
        QVERIFY(alive.wait());
        QVERIFY2(alive.ok, qPrintable(alive.error));
        QCOMPARE(alive.value.result, QStringLiteral("'still-up\\n'"));
        QElapsedTimer clock;
        clock.start();
        session.terminate();
        QVERIFY(finished.wait(30000));
        qInfo("terminate to driver exit: %.1f s", double(clock.elapsed()) / 1000.0);
        QTRY_COMPARE_WITH_TIMEOUT(qemuUnder(privateDir), QStringList(), 30000);
        QCOMPARE(session.state(), DebugSession::State::Terminated);
        // Ended after the exception that fails it: the record says failed.
        QCOMPARE(recordedStatus(session), QStringLiteral("failed"));
    }

    // Ended at its first line, the script has no result: the record says
    // stopped, not the failure the driver's exit code would suggest.
    void terminateBeforeAResultIsRecordedAsStopped()
    {
        LaunchPlan plan = resolveLaunchPlan(m_nixFile, QStringLiteral("driver"));
        QVERIFY2(!plan.bundle.driverPath.isEmpty(), "the demo test did not build");
        plan.stopOnEntry = true;
        DebugSession session;
        QSignalSpy stopped(&session, &DebugSession::stopped);
        QSignalSpy finished(&session, &DebugSession::finished);
        QVERIFY2(session.start(plan), qPrintable(session.error()));
        QVERIFY(stopped.wait(180000));
        QCOMPARE(session.stopReason(), QStringLiteral("entry"));
        session.terminate();
        QVERIFY(finished.wait(30000));
        QCOMPARE(recordedStatus(session), QStringLiteral("stopped"));
    }

private:
    static QString recordedStatus(const DebugSession &session)
    {
        QFile result(session.runRecordDir() + QStringLiteral("/result.json"));
        if (!result.open(QIODevice::ReadOnly))
            return QStringLiteral("(no %1)").arg(result.fileName());
        return QJsonDocument::fromJson(result.readAll())
            .object()
            .value(QStringLiteral("status"))
            .toString();
    }
};

QTEST_GUILESS_MAIN(TestDebugSession)
#include "tst_debugsession.moc"
