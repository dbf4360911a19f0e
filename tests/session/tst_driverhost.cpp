// DriverHost, the one composition of driver, agent connection and launch
// plan: the demo's real driver (resources/demo/single.nix, built by real
// Nix) with the agent answering over its real socket and the kept state
// directory applied; a driver whose agent never listens; a host that is not
// one; and the plan's --script loading and restart arguments. No guest
// boots: the agent holds the script until configurationDone, never sent.
#include "common/guesttesting.h"
#include "common/testfiles.h"
#include "core/dap/dapclient.h"
#include "core/dap/daptransport.h"
#include "core/session/driverhost.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace nixtide;
using namespace nixtide::testing;

namespace {

QString sourceDir()
{
    return qEnvironmentVariable("NIXTIDE_SOURCE_DIR", QStringLiteral(NIXTIDE_SOURCE_DIR));
}

// The environment variable `name` of the running process `pid`.
QString environOf(qint64 pid, const QByteArray &name)
{
    QFile file(QStringLiteral("/proc/%1/environ").arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    for (const QByteArray &entry : file.readAll().split('\0')) {
        if (entry.startsWith(name + '='))
            return QString::fromUtf8(entry.mid(name.size() + 1));
    }
    return {};
}

// The command line of the running process `pid`.
QStringList argumentsOf(qint64 pid)
{
    QFile file(QStringLiteral("/proc/%1/cmdline").arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QStringList arguments;
    for (const QByteArray &argument : file.readAll().split('\0'))
        arguments.append(QString::fromUtf8(argument));
    return arguments;
}

// A bundle in `dir` whose driver is a shell script ending in `body`: no
// Python, so no agent ever listens.
std::optional<LaunchPlan> shellDriverPlan(const QString &dir, const QString &body, QString *error)
{
    const QString driver = dir + QStringLiteral("/bin/nixos-test-driver");
    if (!QDir().mkpath(dir + QStringLiteral("/bin"))
        || !writeFile(driver,
            QByteArrayLiteral("#!/bin/sh\nexport startScripts='/x/bin/run-m-vm'\n") + body.toUtf8())
        || !QFile::setPermissions(driver, QFile::permissions(driver) | QFileDevice::ExeOwner)
        || !writeFile(dir + QStringLiteral("/test-script"), QByteArrayLiteral("start_all()\n"))) {
        *error = QStringLiteral("cannot write a driver in ") + dir;
        return std::nullopt;
    }
    const std::optional<DriverBundle> bundle = DriverBundle::read(dir, error);
    if (!bundle)
        return std::nullopt;
    LaunchPlan plan;
    plan.bundle = *bundle;
    return plan;
}

} // namespace

class TestDriverHost : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_tmp;

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<LaunchPlan>();
        QVERIFY(m_tmp.isValid());
        qputenv("XDG_STATE_HOME", (m_tmp.path() + QStringLiteral("/state")).toUtf8());
    }

    void demoDriverAgentAnswersWithKeptState()
    {
        const QString nixFile = sourceDir() + QStringLiteral("/resources/demo/single.nix");
        LaunchPlan plan = resolveLaunchPlan(nixFile, QStringLiteral("driver"));
        QVERIFY2(!plan.bundle.driverPath.isEmpty(), "the demo test did not build");
        plan.keepVmState = true;
        plan.vmStateDir = m_tmp.path() + QStringLiteral("/kept");

        DriverHost host;
        QSignalSpy connected(&host, &DriverHost::agentConnected);
        QSignalSpy failed(&host, &DriverHost::agentFailed);
        QSignalSpy finished(&host, &DriverHost::finished);
        QString error;
        QVERIFY2(host.start(plan, &error), qPrintable(error));
        QVERIFY(host.isRunning());
        QCOMPARE(host.vmStateDir(), plan.vmStateDir);
        QVERIFY(connected.wait(120000));
        QVERIFY(failed.isEmpty());

        // The kept directory is the driver's TMPDIR and runtime dir, and the
        // driver was told to keep its machines' state.
        const qint64 pid = host.processId();
        QVERIFY(pid > 0);
        QCOMPARE(environOf(pid, "TMPDIR"), plan.vmStateDir);
        QCOMPARE(environOf(pid, "XDG_RUNTIME_DIR"), plan.vmStateDir);
        QVERIFY2(argumentsOf(pid).contains(plan.keepStateOption()),
            qPrintable(argumentsOf(pid).join(u' ')));
        QVERIFY(host.agentSocketPath().startsWith(host.runDir() + QLatin1Char('/')));

        // The agent on the other end answers initialize with its own file.
        std::unique_ptr<LocalSocketTransport> transport = host.takeTransport();
        QVERIFY(transport);
        QVERIFY(!host.takeTransport());
        DapClient client(transport.get());
        std::optional<DapResponse> answer;
        client.postRequest(QStringLiteral("initialize"),
            {{QStringLiteral("adapterID"), QStringLiteral("nixtide")}},
            [&answer](const DapResponse &r) { answer = r; });
        QTRY_VERIFY_WITH_TIMEOUT(answer.has_value(), 60000);
        QVERIFY2(answer->success, qPrintable(answer->message));
        QFile capabilities(
            sourceDir() + QStringLiteral("/core/agent/nixtide_agent/capabilities.json"));
        QVERIFY(capabilities.open(QIODevice::ReadOnly));
        QCOMPARE(answer->body, QJsonDocument::fromJson(capabilities.readAll()).object());

        host.stop();
        QVERIFY(finished.wait(60000));
        QVERIFY(!host.isRunning());
        QVERIFY(failed.isEmpty());
    }

    void agentThatNeverListensStopsTheDriver()
    {
        // A driver that is no Python test driver: it runs, and no agent ever
        // listens. The host says so once, then stops it.
        QString error;
        const std::optional<LaunchPlan> plan
            = shellDriverPlan(m_tmp.path() + QStringLiteral("/nixos-test-driver-silent"),
                QStringLiteral("echo not a python driver\nexec sleep 300\n"), &error);
        QVERIFY2(plan, qPrintable(error));

        DriverHost host;
        host.connector().setInterval(20);
        host.connector().setMaxAttempts(10);
        QSignalSpy connected(&host, &DriverHost::agentConnected);
        QSignalSpy failed(&host, &DriverHost::agentFailed);
        QSignalSpy finished(&host, &DriverHost::finished);
        QSignalSpy output(&host, &DriverHost::outputLine);
        QVERIFY2(host.start(*plan, &error), qPrintable(error));
        QVERIFY(host.vmStateDir().isEmpty());
        QVERIFY(finished.wait(30000));
        QCOMPARE(failed.size(), 1);
        const QString message = failed.first().first().toString();
        QVERIFY2(message.contains(host.agentSocketPath()), qPrintable(message));
        QVERIFY(connected.isEmpty());
        // Stopped by the host, not waited out: killed by its SIGTERM.
        QCOMPARE(finished.first().at(1).toBool(), true);
        QVERIFY(!output.isEmpty());
        QCOMPARE(output.first().at(0).toString(), QStringLiteral("not a python driver"));
        QCOMPARE(output.first().at(1).toBool(), false);
        QTest::qWait(200);
        QCOMPARE(failed.size(), 1);
    }

    void hostDestroyedWhileItsDriverRunsSignalsNothing()
    {
        // The host goes with its driver running (a window closed in the
        // middle of a run): the driver is killed and reaped, and its runner
        // reports nothing into a host whose members are being destroyed
        // (UBSan saw the agent connector called there).
        QString error;
        const std::optional<LaunchPlan> plan
            = shellDriverPlan(m_tmp.path() + QStringLiteral("/nixos-test-driver-running"),
                QStringLiteral("echo \"pid $$\"\nexec sleep 300\n"), &error);
        QVERIFY2(plan, qPrintable(error));

        auto host = std::make_unique<DriverHost>();
        host->connector().setInterval(1000);
        host->connector().setMaxAttempts(600);
        QSignalSpy finished(host.get(), &DriverHost::finished);
        QSignalSpy failed(host.get(), &DriverHost::agentFailed);
        QSignalSpy output(host.get(), &DriverHost::outputLine);
        QVERIFY2(host->start(*plan, &error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(!output.isEmpty(), 60000);
        const QString line = output.first().first().toString();
        QVERIFY2(line.startsWith(QStringLiteral("pid ")), qPrintable(line));
        const QString proc = QStringLiteral("/proc/") + line.mid(4);
        QVERIFY(QFileInfo::exists(proc));
        host.reset();
        QCOMPARE(finished.size(), 0);
        QCOMPARE(failed.size(), 0);
        QVERIFY2(!QFileInfo::exists(proc), qPrintable(proc));
    }

    void hostThatIsNoneRefusesToStart()
    {
        LaunchPlan plan;
        plan.host = QStringLiteral("ftp://example.org");
        DriverHost host;
        QString error;
        QVERIFY(!host.start(plan, &error));
        QVERIFY2(error.contains(plan.host), qPrintable(error));
        QVERIFY(!host.isRunning());
    }

    void scriptFileAndRestartArguments()
    {
        const QString script = m_tmp.path() + QStringLiteral("/other.py");
        writeAll(script, QStringLiteral("print('other')\n"));
        LaunchPlan plan;
        plan.sourcePath = QStringLiteral("/src/test.nix");
        plan.lineMap = {3, 4};
        plan.stopOnEntry = true;
        plan.noDebug = true;
        QString error;
        QVERIFY(!plan.loadScript(m_tmp.path() + QStringLiteral("/missing.py"), &error));
        QVERIFY2(
            error.startsWith(m_tmp.path() + QStringLiteral("/missing.py: ")), qPrintable(error));
        QVERIFY(plan.scriptPath.isEmpty());
        QVERIFY2(plan.loadScript(script, &error), qPrintable(error));
        QCOMPARE(plan.scriptPath, script);
        QCOMPARE(plan.scriptText, QStringLiteral("print('other')\n"));
        QCOMPARE(plan.breakpointPath(), script);

        // A restart keeps how the first launch stopped and traced.
        const QJsonObject restart = plan.scriptArguments();
        QCOMPARE(restart,
            (QJsonObject {{QStringLiteral("script"), plan.scriptText},
                {QStringLiteral("scriptPath"), script}}));
        QJsonObject launch = plan.launchArguments();
        QCOMPARE(launch.take(QStringLiteral("stopOnEntry")), QJsonValue(true));
        QCOMPARE(launch.take(QStringLiteral("noDebug")), QJsonValue(true));
        QCOMPARE(launch, restart);
    }
};

QTEST_GUILESS_MAIN(TestDriverHost)
#include "tst_driverhost.moc"
