#include "core/session/debugsession.h"
#include "core/session/runrecorder.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace nixtide;

namespace {

QList<QJsonObject> logLines(const QString &dir)
{
    QFile file(dir + QStringLiteral("/log.jsonl"));
    QList<QJsonObject> lines;
    if (!file.open(QIODevice::ReadOnly))
        return lines;
    while (!file.atEnd())
        lines.append(QJsonDocument::fromJson(file.readLine()).object());
    return lines;
}

QByteArray contents(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

// The recorder on its own: a session that never starts, its signals emitted
// by hand, the record's files read back.
class TestRunRecorder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everySignalIsRecorded()
    {
        QTemporaryDir base;
        QFile source(base.path() + QStringLiteral("/test.nix"));
        QVERIFY(source.open(QIODevice::WriteOnly));
        source.write("{ }\n");
        source.close();

        DebugSession session;
        RunRecorder recorder(&session);
        QString error;
        QVERIFY2(recorder.open(base.path() + QStringLiteral("/runs"), QStringLiteral("t"),
                     source.fileName(), &error),
            qPrintable(error));
        const QString dir = recorder.dir();

        Q_EMIT session.driverOutputLine(QStringLiteral("driver says"), true);
        Q_EMIT session.output(QStringLiteral("stdout"), QStringLiteral("printed\n"));
        const QJsonObject begin {{QStringLiteral("id"), 3}, {QStringLiteral("message"), "boot"}};
        Q_EMIT session.eventReceived(QStringLiteral("nixtide/logBegin"), begin);
        Q_EMIT session.serialReceived(QStringLiteral("m"), QByteArray("tty\r\n\xff"));
        Q_EMIT session.driverStuck(QStringLiteral("vde_switch exited"));
        Q_EMIT session.errorOccurred(QStringLiteral("it broke"));
        Q_EMIT session.stopped(QStringLiteral("breakpoint"), QString());

        QFile shot(base.path() + QStringLiteral("/screen.png"));
        QVERIFY(shot.open(QIODevice::WriteOnly));
        shot.write("PNG");
        shot.close();
        const QJsonObject shotBody {{QStringLiteral("machine"), "m"}};
        const QString shotCopy
            = recorder.keepScreenshot(QStringLiteral("m"), shot.fileName(), shotBody);
        QCOMPARE(shotCopy, dir + QStringLiteral("/screenshots/m-screen.png"));
        const QJsonObject ocrBody {{QStringLiteral("image"), "/driver/ocr-1.png"}};
        const QString ocrCopy
            = recorder.keepOcrImage(QStringLiteral("/driver/ocr-1.png"), shot.fileName(), ocrBody);
        QCOMPARE(ocrCopy, dir + QStringLiteral("/ocr/ocr-1.png"));
        QCOMPARE(contents(ocrCopy), QByteArray("PNG"));

        Q_EMIT session.resultChanged(QStringLiteral("failed"));

        QCOMPARE(contents(dir + QStringLiteral("/driver.log")), QByteArray("driver says\n"));
        QCOMPARE(contents(dir + QStringLiteral("/serial-m.log")), QByteArray("tty\r\n\xff"));

        const QList<QJsonObject> lines = logLines(dir);
        QCOMPARE(lines.size(), 7);
        QCOMPARE(lines[0],
            (QJsonObject {{QStringLiteral("event"), "output"},
                {QStringLiteral("category"), "stdout"}, {QStringLiteral("output"), "printed\n"}}));
        QCOMPARE(lines[1],
            (QJsonObject {
                {QStringLiteral("event"), "nixtide/logBegin"}, {QStringLiteral("body"), begin}}));
        QCOMPARE(lines[2],
            (QJsonObject {{QStringLiteral("event"), "nixtide/driverStuck"},
                {QStringLiteral("message"), "vde_switch exited"}}));
        QCOMPARE(lines[3],
            (QJsonObject {
                {QStringLiteral("event"), "error"}, {QStringLiteral("message"), "it broke"}}));
        // No stack: the stop is recorded without a place.
        QCOMPARE(lines[4],
            (QJsonObject {{QStringLiteral("event"), "stopped"},
                {QStringLiteral("reason"), "breakpoint"}, {QStringLiteral("path"), ""},
                {QStringLiteral("line"), 0}}));
        QCOMPARE(lines[5],
            (QJsonObject {{QStringLiteral("event"), "nixtide/screenshot"},
                {QStringLiteral("body"), shotBody}, {QStringLiteral("copy"), shotCopy}}));
        QCOMPARE(lines[6],
            (QJsonObject {{QStringLiteral("event"), "nixtide/ocr"},
                {QStringLiteral("body"), ocrBody}, {QStringLiteral("copy"), ocrCopy}}));

        const QJsonObject result
            = QJsonDocument::fromJson(contents(dir + QStringLiteral("/result.json"))).object();
        QCOMPARE(result.value(QStringLiteral("status")).toString(), QStringLiteral("failed"));
        QCOMPARE(result.value(QStringLiteral("state")).toString(), QStringLiteral("idle"));
        QCOMPARE(result.value(QStringLiteral("exitCode")).toInt(), -1);
        QVERIFY(result.contains(QStringLiteral("finishedAt")));
        // sha256 of "{ }\n".
        QCOMPARE(result.value(QStringLiteral("sourceSha256")).toString().size(), 64);
    }

    // Without open() nothing is written and nothing is copied: the session
    // of a plan without a record keeps such a recorder.
    void unopenedWritesNothing()
    {
        QTemporaryDir base;
        DebugSession session;
        RunRecorder recorder(&session);
        Q_EMIT session.output(QStringLiteral("stdout"), QStringLiteral("x"));
        Q_EMIT session.resultChanged(QStringLiteral("passed"));
        QVERIFY(recorder.dir().isEmpty());
        QVERIFY(recorder.keepScreenshot(QStringLiteral("m"), base.path(), {}).isEmpty());
        QVERIFY(QDir(base.path()).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestRunRecorder)
#include "tst_runrecorder.moc"
