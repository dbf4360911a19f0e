// nixtide's own OCR follows a changing screen by reading again only the
// text lines that changed (OcrBandCache), with the real tesseract: a known
// screen of 20 lines in a terminal's font is read once; read again
// unchanged it runs no tesseract; with one line rewritten it runs tesseract
// once on that line alone and serves the other 19 from the cache; scrolled
// by one line it reads the new bottom line only. The OCR workers
// (nixtide-ocr) write each image they are given to a directory
// (NIXTIDE_OCR_DUMP), which counts the readings and keeps the images.
#include "core/ocr/ocrbandcache.h"
#include "core/ocr/screenocr.h"
#include "core/paths.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFont>
#include <QGuiApplication>
#include <QPainter>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <algorithm>
#include <memory>

using namespace nixtide;

namespace {

constexpr int kLineHeight = 24;
constexpr int kTop = 10;

const QStringList kText = {
    QStringLiteral("Welcome to the nixtide demo guest machine"),
    QStringLiteral("Started Network Time Synchronization."),
    QStringLiteral("Reached target System Time Set."),
    QStringLiteral("eth1: link becomes ready at 192.168.1.1"),
    QStringLiteral("Listening on /run/backdoor for the test driver"),
    QStringLiteral("Mounted /tmp/shared on shared (9p)"),
    QStringLiteral("Starting the Wayland compositor weston"),
    QStringLiteral("Finished loading the kernel modules"),
    QStringLiteral("Accepted connection from 10.0.2.2 port 5901"),
    QStringLiteral("The service nginx is running on port 80"),
    QStringLiteral("Removed clear_console from the old PATH"),
    QStringLiteral("Created user alice with home /home/alice"),
    QStringLiteral("Login prompt is ready on tty1"),
    QStringLiteral("Journal started with 4 messages"),
    QStringLiteral("Wrote 2048 bytes to /var/log/test.log"),
    QStringLiteral("Stopped the old session of user bob"),
    QStringLiteral("Checking the file system on /dev/vda"),
    QStringLiteral("Network is online after 3 seconds"),
    QStringLiteral("Mail delivered to postmaster at example.org"),
    QStringLiteral("All services started, the system is ready"),
};

// A 1280x800 terminal: black on white (or light grey on a dark console),
// one line every kLineHeight pixels.
QImage terminal(const QStringList &lines, bool dark = false)
{
    QImage image(1280, 800, QImage::Format_RGB32);
    image.fill(dark ? QColor(0x18, 0x18, 0x18) : QColor(Qt::white));
    QPainter painter(&image);
    QFont font(QStringLiteral("DejaVu Sans Mono"));
    font.setPixelSize(18);
    painter.setFont(font);
    painter.setPen(dark ? QColor(0xdd, 0xdd, 0xdd) : QColor(Qt::black));
    for (int i = 0; i < lines.size(); ++i)
        painter.drawText(QRect(8, kTop + i * kLineHeight, 1264, kLineHeight),
            Qt::AlignLeft | Qt::AlignVCenter, lines.at(i));
    return image;
}

// The rows line `i` of terminal() occupies.
QRect lineRect(int i)
{
    return QRect(0, kTop + i * kLineHeight, 1280, kLineHeight);
}

QStringList textOf(const QList<OcrWord> &words)
{
    QStringList text;
    for (const OcrWord &word : words)
        text.append(word.text);
    return text;
}

} // namespace

class TestScreenOcrCache : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<OcrWorkerPool> m_workers;
    int m_taken = 0; // images takeInputs() has taken away

    QStringList inputNames() const
    {
        return QDir(m_dir.path()).entryList({QStringLiteral("input-*.pgm")}, QDir::Files);
    }

    // How many images the workers were given so far.
    int tesseractRuns() const { return m_taken + int(inputNames().size()); }

    // The images the workers were given since the last call.
    QList<QImage> takeInputs()
    {
        QList<QImage> images;
        QDir dir(m_dir.path());
        for (const QString &name : inputNames()) {
            images.append(QImage(dir.filePath(name)));
            dir.remove(name);
            ++m_taken;
        }
        return images;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // The workers take it from the environment they start with.
        qputenv("NIXTIDE_OCR_DUMP", m_dir.path().toLocal8Bit());
        m_workers = std::make_unique<OcrWorkerPool>(DataPaths::ocrWorker());
        QVERIFY2(QFileInfo(m_workers->program()).isExecutable(), qPrintable(m_workers->program()));
    }

    void cleanupTestCase()
    {
        m_workers.reset();
        qunsetenv("NIXTIDE_OCR_DUMP");
    }

    void oneChangedLineIsReadAlone()
    {
        OcrBandCache cache;
        const QImage first = terminal(kText);
        const OcrReading full = ScreenOcr::read(first, {}, &cache, *m_workers, 2.0, 1);
        QVERIFY2(full.error.isEmpty(), qPrintable(full.error));
        QCOMPARE(tesseractRuns(), 1);
        QCOMPARE(full.bandsRead, int(kText.size()));
        QCOMPARE(full.bandsCached, 0);
        // A reading with the cache gives what one without gives.
        const OcrReading uncached = ScreenOcr::read(first, {}, nullptr, *m_workers, 2.0, 1);
        QCOMPARE(tesseractRuns(), 2);
        QCOMPARE(full.lines(), uncached.lines());
        QCOMPARE(full.lines().size(), kText.size());
        QCOMPARE(full.lines().at(2), kText.at(2));

        // Unchanged: all from the cache, no tesseract.
        const OcrReading again = ScreenOcr::read(first, {}, &cache, *m_workers, 2.0, 1);
        QCOMPARE(tesseractRuns(), 2);
        QCOMPARE(again.bandsRead, 0);
        QCOMPARE(again.bandsCached, int(kText.size()));
        QCOMPARE(again.lines(), full.lines());

        // Line 6 rewritten: tesseract once, on that line only.
        QStringList changed = kText;
        changed[6] = QStringLiteral("Stopping the Wayland compositor labwc");
        takeInputs();
        const OcrReading follow
            = ScreenOcr::read(terminal(changed), {}, &cache, *m_workers, 2.0, 1);
        QVERIFY2(follow.error.isEmpty(), qPrintable(follow.error));
        QCOMPARE(tesseractRuns(), 3);
        QCOMPARE(follow.bandsRead, 1);
        QCOMPARE(follow.bandsCached, int(kText.size()) - 1);
        // Enlarged twice with a margin, but not two lines tall.
        const QList<QImage> given = takeInputs();
        QCOMPARE(given.size(), 1);
        QVERIFY(!given.first().isNull());
        QVERIFY2(given.first().height() < 2 * 2 * kLineHeight,
            qPrintable(QString::number(given.first().height())));
        QStringList expected = full.lines();
        expected[6] = changed.at(6);
        QCOMPARE(follow.lines(), expected);
        const QList<OcrWord> sixth = [&follow] {
            QList<OcrWord> words;
            for (const OcrWord &word : follow.words) {
                if (word.line == 6)
                    words.append(word);
            }
            return words;
        }();
        for (const OcrWord &word : sixth)
            QVERIFY(lineRect(6).contains(word.box.center()));
        QCOMPARE(textOf(sixth).join(QLatin1Char(' ')), changed.at(6));
        // What the cache served is what a reading of the whole screen gives.
        QCOMPARE(follow.lines(),
            ScreenOcr::read(terminal(changed), {}, nullptr, *m_workers, 2.0, 1).lines());
    }

    // A dark console is given to tesseract turned over, dark on light (its
    // models' way round), and reads as the same screen in black on white.
    void darkConsoleIsReadTurnedOver()
    {
        takeInputs();
        const OcrReading dark
            = ScreenOcr::read(terminal(kText, true), {}, nullptr, *m_workers, 2.0, 1);
        QVERIFY2(dark.error.isEmpty(), qPrintable(dark.error));
        const QList<QImage> given = takeInputs();
        QCOMPARE(given.size(), 1);
        const QImage input = given.first().convertToFormat(QImage::Format_Grayscale8);
        QCOMPARE(int(input.constScanLine(0)[0]), 255 - 0x18);
        // Read as well as tesseract reads the screen as it is (it reads
        // "eth1" as "ethl" and "tty1" as "ttyl" either way).
        const QStringList lines = dark.lines();
        QCOMPARE(lines.size(), kText.size());
        int right = 0;
        for (qsizetype i = 0; i < lines.size(); ++i)
            right += lines.at(i) == kText.at(i) ? 1 : 0;
        QVERIFY2(right >= kText.size() - 4, qPrintable(lines.join(QLatin1Char('\n'))));
        // Where the words are is the screen's, as ever.
        for (const OcrWord &word : dark.words)
            QVERIFY(lineRect(word.line).contains(word.box.center()));
    }

    void scrolledLinesComeFromTheCache()
    {
        OcrBandCache cache;
        const OcrReading full = ScreenOcr::read(terminal(kText), {}, &cache, *m_workers, 2.0, 1);
        QVERIFY2(full.error.isEmpty(), qPrintable(full.error));
        const int runs = tesseractRuns();
        QStringList scrolled = kText.mid(1);
        scrolled.append(QStringLiteral("Reboot scheduled for 23:00 by root"));
        const OcrReading follow
            = ScreenOcr::read(terminal(scrolled), {}, &cache, *m_workers, 2.0, 1);
        QVERIFY2(follow.error.isEmpty(), qPrintable(follow.error));
        QCOMPARE(tesseractRuns(), runs + 1);
        QCOMPARE(follow.bandsRead, 1);
        QCOMPARE(follow.bandsCached, int(kText.size()) - 1);
        QCOMPARE(follow.lines().mid(0, kText.size() - 1), full.lines().mid(1));
        QCOMPARE(follow.lines().last(), scrolled.last());
        // The served words moved up with their line.
        for (const OcrWord &word : follow.words)
            QVERIFY(lineRect(word.line).contains(word.box.center()));
    }

    // Twenty lines are enough text for a second process; three are not.
    void howManyProcessesByDefault()
    {
        const int cores = std::max(1, QThread::idealThreadCount());
        const OcrReading dense = ScreenOcr::read(terminal(kText), {}, nullptr, *m_workers, 2.0);
        QVERIFY2(dense.error.isEmpty(), qPrintable(dense.error));
        // One per 128 rows of ink: two here, more on more cores with a
        // font of taller glyphs.
        QVERIFY2(
            dense.processes >= std::min(2, cores), qPrintable(QString::number(dense.processes)));
        const OcrReading sparse
            = ScreenOcr::read(terminal(kText.mid(0, 3)), {}, nullptr, *m_workers, 2.0);
        QVERIFY2(sparse.error.isEmpty(), qPrintable(sparse.error));
        QCOMPARE(sparse.processes, 1);
    }

    void bandsSharedBetweenProcessesReadAsOne()
    {
        const QImage screen = terminal(kText);
        int runs = tesseractRuns();
        const OcrReading one = ScreenOcr::read(screen, {}, nullptr, *m_workers, 2.0, 1);
        QVERIFY2(one.error.isEmpty(), qPrintable(one.error));
        QCOMPARE(tesseractRuns(), runs + 1);
        QCOMPARE(one.processes, 1);

        runs = tesseractRuns();
        takeInputs();
        OcrBandCache cache;
        const OcrReading three = ScreenOcr::read(screen, {}, &cache, *m_workers, 2.0, 3);
        QVERIFY2(three.error.isEmpty(), qPrintable(three.error));
        QCOMPARE(tesseractRuns(), runs + 3);
        QCOMPARE(three.processes, 3);
        QCOMPARE(three.bandsRead, int(kText.size()));
        // Each process was given a third of the lines or so, not the screen.
        const QList<QImage> given = takeInputs();
        QCOMPARE(given.size(), 3);
        for (const QImage &input : given) {
            QVERIFY(!input.isNull());
            QVERIFY2(
                input.height() < 2 * 10 * kLineHeight, qPrintable(QString::number(input.height())));
        }
        QCOMPARE(three.lines(), one.lines());
        QCOMPARE(three.lines().size(), kText.size());
        for (const OcrWord &word : three.words)
            QVERIFY(lineRect(word.line).contains(word.box.center()));

        // Every band went to the cache under its own key, words and all.
        const OcrReading again = ScreenOcr::read(screen, {}, &cache, *m_workers, 2.0, 3);
        QCOMPARE(tesseractRuns(), runs + 3);
        QCOMPARE(again.bandsRead, 0);
        QCOMPARE(again.bandsCached, int(kText.size()));
        QCOMPARE(again.lines(), one.lines());
        for (qsizetype i = 0; i < again.words.size(); ++i)
            QCOMPARE(again.words.at(i).box, three.words.at(i).box);
    }

    void aRegionIsKeptInScreenCoordinates()
    {
        OcrBandCache cache;
        const QImage screen = terminal(kText);
        const QRect region(4, lineRect(4).top(), 1200, 3 * kLineHeight);
        const OcrReading first = ScreenOcr::read(screen, region, &cache, *m_workers, 2.0);
        QVERIFY2(first.error.isEmpty(), qPrintable(first.error));
        QCOMPARE(first.lines().size(), 3);
        const OcrReading again = ScreenOcr::read(screen, region, &cache, *m_workers, 2.0);
        QCOMPARE(again.bandsRead, 0);
        QCOMPARE(again.bandsCached, 3);
        QCOMPARE(again.lines(), first.lines());
        for (qsizetype i = 0; i < again.words.size(); ++i) {
            QCOMPARE(again.words.at(i).box, first.words.at(i).box);
            QVERIFY(lineRect(4 + again.words.at(i).line).contains(again.words.at(i).box.center()));
        }
    }
};

int main(int argc, char **argv)
{
    // Painting text needs a GUI application (its fonts), not a window.
    QGuiApplication app(argc, argv);
    TestScreenOcrCache test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_screenocrcache.moc"
