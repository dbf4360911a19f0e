// The OCR workers (nixtide-ocr, tesseract kept loaded) with the real
// tesseract: kept between readings; replaced when one is killed from
// outside; killed at their deadline when they hang; a missing program, a
// program that is no worker and a bad request named in the error; a
// worker ends when its input ends (nixtide gone) or its pool goes; and
// ScreenOcr starts workers before a reading when asked, and ends its idle
// workers after its idle timeout.
#include "core/ocr/ocrworker.h"
#include "core/ocr/screenocr.h"
#include "core/paths.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFont>
#include <QGuiApplication>
#include <QPainter>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <memory>

using namespace nixtide;

namespace {

// A white image of `size` with each text black in its rectangle, aligned
// there by `alignment`.
QImage textImage(
    const QSize &size, Qt::Alignment alignment, const QList<std::pair<QRect, QString>> &texts)
{
    QImage image(size, QImage::Format_RGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    QFont font(QStringLiteral("DejaVu Sans"));
    font.setPixelSize(28);
    painter.setFont(font);
    painter.setPen(Qt::black);
    for (const auto &[where, text] : texts)
        painter.drawText(where, int(alignment), text);
    return image;
}

QImage sign(const QString &text)
{
    return textImage({640, 120}, Qt::AlignCenter, {{QRect(0, 0, 640, 120), text}});
}

QByteArray smallPgm()
{
    QByteArray pgm("P5\n4 2\n255\n");
    pgm.append(8, '\xff');
    return pgm;
}

// Whether the process `pid` is gone: reaped, not a zombie.
bool isGone(pid_t pid)
{
    return ::kill(pid, 0) != 0 && errno == ESRCH;
}

} // namespace

class TestOcrWorker : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    QString script(const QString &name, const QByteArray &body)
    {
        const QString path = m_dir.filePath(name);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            return {};
        file.write("#!/bin/sh\n" + body);
        file.close();
        file.setPermissions(file.permissions() | QFileDevice::ExeOwner);
        return path;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(
            QFileInfo(DataPaths::ocrWorker()).isExecutable(), qPrintable(DataPaths::ocrWorker()));
    }

    void aWorkerIsKeptBetweenReadings()
    {
        OcrWorkerPool workers(DataPaths::ocrWorker());
        const OcrReading first = ScreenOcr::read(
            sign(QStringLiteral("Hello kept worker")), {}, nullptr, workers, 2.0, 1);
        QVERIFY2(first.error.isEmpty(), qPrintable(first.error));
        QCOMPARE(first.lines(), QStringList {QStringLiteral("Hello kept worker")});
        const OcrReading second = ScreenOcr::read(
            sign(QStringLiteral("Second reading here")), {}, nullptr, workers, 2.0, 1);
        QVERIFY2(second.error.isEmpty(), qPrintable(second.error));
        QCOMPARE(second.lines(), QStringList {QStringLiteral("Second reading here")});
        QCOMPARE(workers.startedCount(), 1);
        QCOMPARE(workers.idleCount(), 1);
    }

    void aWorkerKilledWhileIdleIsReplaced()
    {
        OcrWorkerPool workers(DataPaths::ocrWorker());
        const OcrReading before = ScreenOcr::read(
            sign(QStringLiteral("Before the kill")), {}, nullptr, workers, 2.0, 1);
        QVERIFY2(before.error.isEmpty(), qPrintable(before.error));
        QString error;
        std::unique_ptr<OcrWorker> worker = workers.take(&error);
        QVERIFY2(worker, qPrintable(error));
        QCOMPARE(worker->readCount(), 1);
        const pid_t pid = worker->pid();
        workers.give(std::move(worker));
        QCOMPARE(workers.idleCount(), 1);
        // Killed, and read again at once: the pool may still take it for
        // alive (the signal is not handled yet).
        QCOMPARE(::kill(pid, SIGKILL), 0);

        const OcrReading reading
            = ScreenOcr::read(sign(QStringLiteral("After the kill")), {}, nullptr, workers, 2.0, 1);
        QVERIFY2(reading.error.isEmpty(), qPrintable(reading.error));
        QCOMPARE(reading.lines(), QStringList {QStringLiteral("After the kill")});
        QCOMPARE(workers.startedCount(), 2);
        QVERIFY(isGone(pid));
    }

    void aHangingWorkerIsKilledAtItsDeadline()
    {
        const QString hanging
            = script(QStringLiteral("hanging"), "echo 'ready 0'\nexec sleep 600\n");
        QString error;
        std::unique_ptr<OcrWorker> worker = OcrWorker::start(hanging, 30000, &error);
        QVERIFY2(worker, qPrintable(error));
        const pid_t pid = worker->pid();
        QByteArray tsv;
        QCOMPARE(worker->recognise(smallPgm(), 1500, &tsv, &error), OcrWorker::Outcome::TimedOut);
        QVERIFY2(error.contains(QStringLiteral("no answer within 1.5 s")), qPrintable(error));
        QVERIFY2(error.contains(hanging), qPrintable(error));
        QVERIFY(!worker->isUsable());
        QVERIFY(isGone(pid));
    }

    // A kept worker whose socket is gone, though its process is not (the
    // state the pool cannot see from outside): the reading goes to a new
    // worker, without an error.
    void aKeptWorkerThatWentIsReplacedInTheReading()
    {
        const QString once = script(QStringLiteral("once"),
            "echo 'ready 0'\nread magic\nread width height\nread maxval\n"
            "head -c $((width * height)) >/dev/null\nprintf 'tsv 0\\n'\n"
            "exec sleep 600 0<&- 1>&-\n");
        OcrWorkerPool workers(once);
        const OcrReading first
            = ScreenOcr::read(sign(QStringLiteral("One")), {}, nullptr, workers, 2.0, 1);
        QVERIFY2(first.error.isEmpty(), qPrintable(first.error));
        QCOMPARE(workers.startedCount(), 1);
        QCOMPARE(workers.idleCount(), 1);
        const OcrReading second
            = ScreenOcr::read(sign(QStringLiteral("Two")), {}, nullptr, workers, 2.0, 1);
        QVERIFY2(second.error.isEmpty(), qPrintable(second.error));
        QCOMPARE(workers.startedCount(), 2);
    }

    // Wider than the worker takes at twice the size: enlarged less.
    void aWideRegionIsEnlargedWithinTheWorkersLimit()
    {
        const QImage wide = textImage({9000, 80}, Qt::AlignVCenter,
            {{QRect(10, 0, 800, 80), QStringLiteral("Left end")},
                {QRect(8190, 0, 800, 80), QStringLiteral("Right end")}});
        OcrWorkerPool workers(DataPaths::ocrWorker());
        const OcrReading reading = ScreenOcr::read(wide, {}, nullptr, workers, 2.0, 1);
        QVERIFY2(reading.error.isEmpty(), qPrintable(reading.error));
        QStringList words;
        for (const OcrWord &word : reading.words)
            words.append(word.text);
        QVERIFY2(words.contains(QStringLiteral("Left")) && words.contains(QStringLiteral("Right")),
            qPrintable(words.join(QLatin1Char(' '))));
        // In the screen's coordinates still.
        for (const OcrWord &word : reading.words) {
            if (word.text == QLatin1String("Right"))
                QVERIFY2(word.box.left() > 8100, qPrintable(QString::number(word.box.left())));
        }
    }

    void whatCannotRunIsNamed()
    {
        const QString missing = m_dir.filePath(QStringLiteral("no-such-worker"));
        OcrWorkerPool workers(missing);
        const OcrReading reading
            = ScreenOcr::read(sign(QStringLiteral("Nobody reads")), {}, nullptr, workers, 2.0, 1);
        QVERIFY2(reading.error.contains(missing), qPrintable(reading.error));
        QVERIFY(reading.words.isEmpty());

        const QString chatty = script(QStringLiteral("chatty"), "echo hello there\n");
        QString error;
        QVERIFY(!OcrWorker::start(chatty, 30000, &error));
        QVERIFY2(error.contains(QStringLiteral("answered out of protocol: \"hello there\"")),
            qPrintable(error));

        const QString quitter = script(QStringLiteral("quitter"), "exit 3\n");
        QVERIFY(!OcrWorker::start(quitter, 30000, &error));
        QVERIFY2(error.contains(QStringLiteral("exited with status 3 (closed its output)")),
            qPrintable(error));
    }

    void aBadRequestIsAnsweredAndEndsTheWorker()
    {
        QString error;
        std::unique_ptr<OcrWorker> worker = OcrWorker::start(DataPaths::ocrWorker(), 30000, &error);
        QVERIFY2(worker, qPrintable(error));
        QByteArray tsv;
        QCOMPARE(worker->recognise("GIF89a and so on", 30000, &tsv, &error),
            OcrWorker::Outcome::Refused);
        QVERIFY2(error.contains(QStringLiteral("a request must be a binary PGM (P5)")),
            qPrintable(error));
        // It ends after a request it cannot follow: not kept.
        QVERIFY(!worker->isUsable());

        worker = OcrWorker::start(DataPaths::ocrWorker(), 30000, &error);
        QVERIFY2(worker, qPrintable(error));
        QCOMPARE(worker->recognise("P5\n99999 2\n255\n", 30000, &tsv, &error),
            OcrWorker::Outcome::Refused);
        QVERIFY2(error.contains(QStringLiteral("bad PGM header: width 99999")), qPrintable(error));
    }

    // nixtide gone (crashed, killed): its end of the socket closes, and the
    // worker ends by itself.
    void aWorkerEndsWithItsInput()
    {
        QProcess process;
        process.start(DataPaths::ocrWorker(), {});
        QVERIFY(process.waitForStarted(30000));
        QByteArray said;
        while (!said.contains('\n') && process.waitForReadyRead(60000))
            said += process.readAllStandardOutput();
        QCOMPARE(said, QByteArray("ready 0\n"));
        process.closeWriteChannel();
        QVERIFY(process.waitForFinished(60000));
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(process.exitCode(), 0);
    }

    // The model missing: the worker says so on its answer stream, and only
    // that (what tesseract prints goes to standard error).
    void aWorkerWithoutItsModelSaysSo()
    {
        QProcess process;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("TESSDATA_PREFIX"),
            m_dir.path()); // no models (a missing one is ignored)
        process.setProcessEnvironment(environment);
        process.start(DataPaths::ocrWorker(), {});
        QVERIFY(process.waitForStarted(30000));
        process.closeWriteChannel();
        QVERIFY(process.waitForFinished(60000));
        QCOMPARE(process.exitCode(), 1);
        const QByteArray said = process.readAllStandardOutput();
        const QByteArray message
            = "tesseract could not load its English model (is tesseract-ocr-eng installed?)";
        QCOMPARE(said, "fatal " + QByteArray::number(message.size()) + '\n' + message);
    }

    void aPoolEndsItsWorkers()
    {
        pid_t pid = 0;
        {
            OcrWorkerPool workers(DataPaths::ocrWorker());
            QString error;
            std::unique_ptr<OcrWorker> worker = workers.take(&error);
            QVERIFY2(worker, qPrintable(error));
            pid = worker->pid();
            workers.give(std::move(worker));
            QVERIFY(!isGone(pid));
        }
        QVERIFY(isGone(pid));
    }

    void screenOcrPreparesWorkers()
    {
        ScreenOcr ocr;
        ocr.prepare();
        const int count = std::min(2, std::max(1, QThread::idealThreadCount()));
        QTRY_COMPARE_WITH_TIMEOUT(ocr.workers().idleCount(), count, 120000);
        QCOMPARE(ocr.workers().startedCount(), count);
        QSignalSpy finished(&ocr, &ScreenOcr::finished);
        ocr.recognise(sign(QStringLiteral("Model loaded already")));
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 120000);
        const auto reading = finished.first().first().value<OcrReading>();
        QVERIFY2(reading.error.isEmpty(), qPrintable(reading.error));
        QCOMPARE(reading.lines(), QStringList {QStringLiteral("Model loaded already")});
        QCOMPARE(ocr.workers().startedCount(), count);
    }

    // Read Text on, and a click at once: the reading waits for the workers
    // being started instead of starting more.
    void aReadingAtOnceWaitsForThePreparedWorkers()
    {
        ScreenOcr ocr;
        ocr.prepare();
        QSignalSpy finished(&ocr, &ScreenOcr::finished);
        ocr.recognise(sign(QStringLiteral("Straight away")));
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 120000);
        const auto reading = finished.first().first().value<OcrReading>();
        QVERIFY2(reading.error.isEmpty(), qPrintable(reading.error));
        QCOMPARE(reading.lines(), QStringList {QStringLiteral("Straight away")});
        QCOMPARE(
            ocr.workers().startedCount(), std::min(2, std::max(1, QThread::idealThreadCount())));
    }

    void screenOcrEndsIdleWorkers()
    {
        // The worker names itself in the images it dumps.
        QTemporaryDir dumps;
        QVERIFY(dumps.isValid());
        qputenv("NIXTIDE_OCR_DUMP", dumps.path().toLocal8Bit());
        ScreenOcr ocr;
        ocr.setIdleWorkersTimeout(500);
        QSignalSpy finished(&ocr, &ScreenOcr::finished);
        ocr.recognise(sign(QStringLiteral("Idle soon")));
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 120000);
        qunsetenv("NIXTIDE_OCR_DUMP");
        const auto reading = finished.first().first().value<OcrReading>();
        QVERIFY2(reading.error.isEmpty(), qPrintable(reading.error));
        QCOMPARE(reading.lines(), QStringList {QStringLiteral("Idle soon")});
        const QStringList names = QDir(dumps.path()).entryList({QStringLiteral("input-*.pgm")});
        QCOMPARE(names.size(), 1);
        const pid_t pid = names.first().section(QLatin1Char('-'), 1, 1).toInt();
        QVERIFY(pid > 0);
        QTRY_VERIFY_WITH_TIMEOUT(isGone(pid), 60000);
        QCOMPARE(ocr.workers().idleCount(), 0);
    }
};

int main(int argc, char **argv)
{
    // Painting text needs a GUI application (its fonts), not a window.
    QGuiApplication app(argc, argv);
    TestOcrWorker test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_ocrworker.moc"
