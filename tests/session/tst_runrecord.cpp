#include "core/session/runrecord.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using nixtide::RunRecord;

class TestRunRecord : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void layoutAndIncrementalWrites()
    {
        QTemporaryDir base;
        RunRecord record;
        QString error;
        QVERIFY2(
            record.open(base.path(), QStringLiteral("my test/../x"), &error), qPrintable(error));
        QVERIFY(record.dir().startsWith(base.path() + QStringLiteral("/my_test_.._x/")));
        // Private to the user, whatever the umask made of them.
        const auto privateMode = QFileDevice::ReadOwner | QFileDevice::WriteOwner
            | QFileDevice::ExeOwner | QFileDevice::ReadUser | QFileDevice::WriteUser
            | QFileDevice::ExeUser;
        QCOMPARE(QFileInfo(record.dir()).permissions(), privateMode);
        QCOMPARE(
            QFileInfo(base.path() + QStringLiteral("/my_test_.._x")).permissions(), privateMode);

        RunRecord second;
        QVERIFY(second.open(base.path(), QStringLiteral("my test/../x"), &error));
        QVERIFY(second.dir() != record.dir()); // same millisecond still two records

        record.appendLog({{QStringLiteral("event"), QStringLiteral("a")}});
        // Readable at once, before anything else happens: a crash here
        // must not lose the line.
        QFile log(record.dir() + QStringLiteral("/log.jsonl"));
        QVERIFY(log.open(QIODevice::ReadOnly));
        QCOMPARE(log.readAll(), QByteArray("{\"event\":\"a\"}\n"));
        record.appendLog({{QStringLiteral("event"), QStringLiteral("b")}});
        QCOMPARE(log.readAll(), QByteArray("{\"event\":\"b\"}\n"));

        // Every byte, as it came: no decoding, no line ends added.
        record.appendSerial(QStringLiteral("server/1"), QByteArray("boot \xff\r"));
        record.appendSerial(QStringLiteral("server/1"), QByteArray("\nok\x1b[0m# "));
        QFile serial(record.dir() + QStringLiteral("/serial-server_1.log"));
        QVERIFY(serial.open(QIODevice::ReadOnly));
        QCOMPARE(serial.readAll(), QByteArray("boot \xff\r\nok\x1b[0m# "));

        QFile shot(base.path() + QStringLiteral("/shot.png"));
        QVERIFY(shot.open(QIODevice::WriteOnly));
        shot.write("PNG");
        shot.close();
        const QString first = record.addScreenshot(QStringLiteral("m"), shot.fileName());
        const QString again = record.addScreenshot(QStringLiteral("m"), shot.fileName());
        QVERIFY(!first.isEmpty() && !again.isEmpty() && first != again);
        // A repeated name is numbered before its suffix, so it stays a .png.
        QVERIFY2(first.endsWith(QStringLiteral("/screenshots/m-shot.png")), qPrintable(first));
        QVERIFY2(again.endsWith(QStringLiteral("/screenshots/m-shot-1.png")), qPrintable(again));
        QFile::remove(shot.fileName()); // the driver's copy goes away with its directory
        QVERIFY(QFile::exists(first));
    }

    void resultIsReplacedAtomically()
    {
        QTemporaryDir base;
        RunRecord record;
        QString error;
        QVERIFY(record.open(base.path(), QStringLiteral("t"), &error));
        QVERIFY(record.writeResult({{QStringLiteral("status"), QStringLiteral("running")}}));
        QVERIFY(record.writeResult({{QStringLiteral("status"), QStringLiteral("passed")},
            {QStringLiteral("exitCode"), 0}}));
        QFile result(record.dir() + QStringLiteral("/result.json"));
        QVERIFY(result.open(QIODevice::ReadOnly));
        const QJsonDocument doc = QJsonDocument::fromJson(result.readAll());
        QCOMPARE(doc.object().value(QStringLiteral("status")).toString(), QStringLiteral("passed"));
        // No temporary file left next to it.
        QCOMPARE(
            QDir(record.dir()).entryList(QDir::Files), QStringList {QStringLiteral("result.json")});
    }

    void unwritableBaseIsAnError()
    {
        RunRecord record;
        QString error;
        QVERIFY(!record.open(QStringLiteral("/proc/nixtide-cannot"), QStringLiteral("t"), &error));
        QVERIFY(error.contains(QStringLiteral("/proc/nixtide-cannot")));
        QVERIFY(!record.isOpen());
        QVERIFY(!record.writeResult({}));
    }
};

QTEST_GUILESS_MAIN(TestRunRecord)
#include "tst_runrecord.moc"
