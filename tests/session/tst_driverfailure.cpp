// A driver that cannot be executed at all (its script's interpreter is
// missing, so execve fails and QProcess never sends finished()) must still
// end the session: DebugSession reaches Terminated with an error and a
// result, and `nixtide run` exits 2 naming the file within seconds.
#include "core/bundle/driverbundle.h"
#include "core/session/debugsession.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace nixtide;

namespace {

void write(const QString &path, const QByteArray &bytes, bool executable = false)
{
    QFile file(path);
    QVERIFY2(file.open(QIODevice::WriteOnly), qPrintable(path));
    file.write(bytes);
    file.close();
    if (executable)
        file.setPermissions(file.permissions() | QFileDevice::ExeOwner);
}

} // namespace

class TestDriverFailure : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    QString m_bundleDir;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        qputenv("XDG_STATE_HOME", (m_tmp.path() + QStringLiteral("/state")).toUtf8());
        qputenv("XDG_RUNTIME_DIR", m_tmp.path().toUtf8());
        // An environment-era bundle whose wrapper names an interpreter that
        // does not exist (a garbage-collected bash store path, say): it is
        // readable, executable, and cannot be run.
        m_bundleDir = m_tmp.path() + QStringLiteral("/nixos-test-driver-broken");
        QVERIFY(QDir().mkpath(m_bundleDir + QStringLiteral("/bin")));
        write(m_bundleDir + QStringLiteral("/bin/nixos-test-driver"),
            "#!/nonexistent/bin/bash\nexport startScripts='/x/bin/run-m-vm'\nexec /x \"$@\"\n",
            true);
        write(m_bundleDir + QStringLiteral("/test-script"), "start_all()\n");
    }

    void sessionTerminatesWithError()
    {
        QString error;
        const std::optional<DriverBundle> bundle = DriverBundle::read(m_bundleDir, &error);
        QVERIFY2(bundle, qPrintable(error));
        LaunchPlan plan;
        plan.bundle = *bundle;
        plan.recordBase = m_tmp.path() + QStringLiteral("/runs");

        DebugSession session;
        QSignalSpy finished(&session, &DebugSession::finished);
        QSignalSpy errors(&session, &DebugSession::errorOccurred);
        QVERIFY2(session.start(plan), qPrintable(session.error()));
        QVERIFY(finished.wait(10000));
        QCOMPARE(session.state(), DebugSession::State::Terminated);
        QVERIFY2(session.error().contains(bundle->driverPath), qPrintable(session.error()));
        QCOMPARE(errors.size(), 1);

        QFile result(session.runRecordDir() + QStringLiteral("/result.json"));
        QVERIFY2(result.open(QIODevice::ReadOnly), qPrintable(result.fileName()));
        const QJsonObject record = QJsonDocument::fromJson(result.readAll()).object();
        QCOMPARE(record.value(QStringLiteral("status")).toString(), QStringLiteral("error"));
        QCOMPARE(record.value(QStringLiteral("state")).toString(), QStringLiteral("terminated"));
        QVERIFY(record.value(QStringLiteral("error")).toString().contains(bundle->driverPath));
    }

    void runExitsTwo()
    {
        const QString binary = qEnvironmentVariable("NIXTIDE_BINARY");
        if (binary.isEmpty())
            QSKIP("NIXTIDE_BINARY is not set (run under ctest)");
        QProcess run;
        run.setProcessChannelMode(QProcess::MergedChannels);
        QElapsedTimer timer;
        timer.start();
        run.start(binary, {QStringLiteral("run"), m_bundleDir});
        QVERIFY2(run.waitForFinished(20000), "nixtide run did not end after a failed execve");
        const QString output = QString::fromUtf8(run.readAll());
        QCOMPARE(run.exitStatus(), QProcess::NormalExit);
        QVERIFY2(run.exitCode() == 2, qPrintable(output));
        QVERIFY2(output.contains(m_bundleDir + QStringLiteral("/bin/nixos-test-driver")),
            qPrintable(output));
        QVERIFY2(timer.elapsed() < 15000, qPrintable(output));
    }
};

QTEST_GUILESS_MAIN(TestDriverFailure)
#include "tst_driverfailure.moc"
