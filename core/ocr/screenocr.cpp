#include "core/ocr/screenocr.h"

#include "core/paths.h"
#include "core/worker.h"

#include <QElapsedTimer>
#include <QThread>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <future>
#include <system_error>

namespace nixtide {

ScreenOcr::ScreenOcr(QObject *parent)
    : QObject(parent)
    , m_workers(std::make_shared<OcrWorkerPool>(DataPaths::ocrWorker()))
    , m_idle(new QTimer(this))
{
    qRegisterMetaType<OcrReading>();
    m_idle->setSingleShot(true);
    m_idle->setInterval(kIdleWorkersMs);
    // Killing and reaping off the GUI thread.
    connect(m_idle, &QTimer::timeout, this, [this] {
        runOnWorker(
            this,
            [workers = m_workers] {
                workers->clear();
                return 0;
            },
            [](int) {});
    });
}

ScreenOcr::~ScreenOcr() = default;

void ScreenOcr::recognise(const QImage &screen, const QRect &region)
{
    m_nextScreen = screen;
    m_nextRegion = region;
    m_pending = true;
    if (!m_busy)
        startNext();
}

void ScreenOcr::prepare()
{
    if (m_busy)
        return;
    // Two: what a screen of about 20 lines or more takes on two cores; a
    // third or fourth on a larger machine starts with the reading. Counted
    // here, before the thread runs: a reading asked for at once waits for
    // them instead of starting its own.
    const int missing = m_workers->reserve(std::min(2, std::max(1, QThread::idealThreadCount())));
    if (missing == 0)
        return;
    runOnWorker(
        this,
        [workers = m_workers, missing] {
            workers->startReserved(missing);
            return missing;
        },
        [this](int) {
            if (!m_busy)
                m_idle->start();
        });
}

void ScreenOcr::startNext()
{
    m_pending = false;
    m_busy = true;
    const QImage screen = std::exchange(m_nextScreen, QImage());
    const QRect region = m_nextRegion;
    m_idle->stop();
    runOnWorker(
        this,
        [screen, region, cache = m_cache, workers = m_workers] {
            return read(screen, region, cache.get(), *workers);
        },
        [this](OcrReading reading) {
            m_busy = false;
            m_idle->start();
            Q_EMIT finished(reading);
            if (m_pending)
                startNext();
        });
}

namespace {

// The part of a grey image that differs from its top-left pixel (taken as
// the background), with a margin so that glyphs keep their surroundings.
QRect contentRect(const QImage &grey)
{
    constexpr int kMargin = 8;
    constexpr int kTolerance = 24;
    const int background = grey.constScanLine(0)[0];
    int left = grey.width(), right = -1, top = grey.height(), bottom = -1;
    for (int y = 0; y < grey.height(); ++y) {
        const uchar *row = grey.constScanLine(y);
        for (int x = 0; x < grey.width(); ++x) {
            if (std::abs(int(row[x]) - background) > kTolerance) {
                left = std::min(left, x);
                right = std::max(right, x);
                top = std::min(top, y);
                bottom = std::max(bottom, y);
            }
        }
    }
    if (right < 0)
        return {};
    return QRect(QPoint(left, top), QPoint(right, bottom))
        .adjusted(-kMargin, -kMargin, kMargin, kMargin)
        .intersected(grey.rect());
}

// Runs tesseract (a worker of `workers`) on the non-background part of
// `grey` and returns the words in `grey`'s coordinates.
QList<OcrWord> recogniseCut(
    const QImage &grey, double scale, OcrWorkerPool &workers, QString *error)
{
    // Tesseract's time grows with the area it is given: a console or a
    // desktop is mostly background, so only the part that is not is read.
    const QRect content = contentRect(grey);
    if (content.isEmpty())
        return {};
    QImage cut = grey.copy(content);
    // Enlarged no further than the worker takes (a region wider than 8192
    // pixels, read at twice its size).
    scale = std::min(
        scale, double(OcrWorker::kLargestSide) / std::max(content.width(), content.height()));
    if (scale != 1.0)
        cut = cut.scaled(qRound(cut.width() * scale), qRound(cut.height() * scale),
            Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
    // A binary PGM: no encoder, and what the worker reads.
    QByteArray pgm
        = QStringLiteral("P5\n%1 %2\n255\n").arg(cut.width()).arg(cut.height()).toLatin1();
    pgm.reserve(pgm.size() + qsizetype(cut.width()) * cut.height());
    for (int y = 0; y < cut.height(); ++y)
        pgm.append(reinterpret_cast<const char *>(cut.constScanLine(y)), cut.width());

    QByteArray tsv;
    for (;;) {
        bool kept = false;
        std::unique_ptr<OcrWorker> worker = workers.take(error, &kept);
        if (!worker)
            return {};
        const OcrWorker::Outcome outcome = worker->recognise(pgm, workers.timeoutMs(), &tsv, error);
        workers.give(std::move(worker));
        if (outcome == OcrWorker::Outcome::Read)
            break;
        // A kept worker that went while idle (killed from outside, say) is
        // not an error of this reading: another worker reads it.
        if (outcome == OcrWorker::Outcome::Ended && kept) {
            error->clear();
            continue;
        }
        error->append(
            QStringLiteral(" (a %1x%2 region)").arg(content.width()).arg(content.height()));
        return {};
    }
    return parseTesseractTsv(tsv, content.topLeft(), scale, error);
}

// The band a word read in the cut belongs to: the one holding its vertical
// centre, else the nearest (a box may reach into the gap between lines).
qsizetype bandOf(const QList<OcrBand> &bands, const QRect &box)
{
    const int centre = box.center().y();
    qsizetype best = 0;
    int bestDistance = INT_MAX;
    for (qsizetype i = 0; i < bands.size(); ++i) {
        const OcrBand &band = bands.at(i);
        const int distance = centre < band.top ? band.top - centre
            : centre >= band.top + band.height ? centre - (band.top + band.height - 1)
                                               : 0;
        if (distance < bestDistance) {
            best = i;
            bestDistance = distance;
        }
    }
    return best;
}

// Rows of ink each tesseract process is given at least: with less, its
// start-up (loading the model, about 0.3 s of CPU, paid once a worker is
// kept) and the split cost more than they take off the others. A line of
// text has 12 to 14 rows of ink, so two processes from about 20 lines: 21
// lines of prose in foot on the Wayland guest read in 0.92 s with two
// processes against 1.34 s with one on a quiet 2-core machine
// (bench/README, 2026-12-02).
constexpr int kRowsPerProcess = 128;
constexpr int kMostProcesses = 4;

int processesFor(const QList<OcrBand> &unread, int asked)
{
    if (asked > 0)
        return std::clamp(asked, 1, int(unread.size()));
    int rows = 0;
    for (const OcrBand &band : unread)
        rows += band.height;
    const int cores = std::max(1, QThread::idealThreadCount());
    return std::clamp(
        rows / kRowsPerProcess, 1, std::min({cores, kMostProcesses, int(unread.size())}));
}

// Splits adjacent bands (top to bottom) into `parts` runs of about the same
// height of ink: tesseract's time grows with the text it reads.
QList<QList<OcrBand>> runsOf(const QList<OcrBand> &unread, int parts)
{
    int rows = 0;
    for (const OcrBand &band : unread)
        rows += band.height;
    QList<QList<OcrBand>> runs(1);
    int taken = 0;
    for (qsizetype i = 0; i < unread.size(); ++i) {
        // A new run once this one holds its share, leaving a band for each
        // run still to come.
        const qsizetype left = unread.size() - i;
        if (!runs.last().isEmpty() && runs.size() < parts
            && (taken >= qint64(rows) * runs.size() / parts || left <= parts - runs.size()))
            runs.emplaceBack();
        runs.last().append(unread.at(i));
        taken += unread.at(i).height;
    }
    return runs;
}

} // namespace

OcrReading ScreenOcr::read(const QImage &screen, const QRect &region, OcrBandCache *cache,
    OcrWorkerPool &workers, double scale, int processes)
{
    QElapsedTimer clock;
    clock.start();
    OcrReading reading;
    reading.region = region.isEmpty() ? screen.rect() : region.intersected(screen.rect());
    if (reading.region.isEmpty()) {
        reading.error = screen.isNull() ? QStringLiteral("no screen to read")
                                        : QStringLiteral("the region is outside the screen");
        return reading;
    }
    QImage cut = screen.copy(reading.region).convertToFormat(QImage::Format_Grayscale8);
    // Tesseract's models read dark text on light. Light text on a dark
    // console is read only by its second try of every line it is unsure of,
    // on the inverted line: a third more CPU for the same words
    // (bench/README.md, 2026-12-02). Turned over here, it is read at once.
    if (cut.constScanLine(0)[0] < 128)
        cut.invertPixels();
    const int background = cut.constScanLine(0)[0];
    const QList<OcrBand> bands
        = OcrBandCache::split(cut, background, QByteArray::number(scale, 'g', 6));

    // Words in the cut's coordinates; the bands served from the cache are
    // painted over with the background so that tesseract reads the rest only,
    // in place (the same layout as a first reading).
    QList<OcrWord> words;
    OcrBandCache::BandWords kept;
    QList<OcrBand> unread;
    for (const OcrBand &band : bands) {
        const QList<OcrWord> *cached = cache ? cache->find(band.key) : nullptr;
        if (!cached) {
            unread.append(band);
            continue;
        }
        ++reading.bandsCached;
        kept.insert(band.key, *cached);
        for (OcrWord word : *cached) {
            word.box.translate(0, band.top);
            words.append(word);
        }
        for (int y = band.top; y < band.top + band.height; ++y)
            std::memset(cut.scanLine(y), background, size_t(cut.width()));
    }
    reading.bandsRead = int(unread.size());
    if (!unread.isEmpty()) {
        // Each run is read from a copy of the cut that holds its own bands
        // only (the rest painted over), so every word keeps the position a
        // single reading would give it.
        const QList<QList<OcrBand>> runs = runsOf(unread, processesFor(unread, processes));
        std::vector<std::future<std::pair<QList<OcrWord>, QString>>> pending;
        qsizetype first = 0; // of the run, in unread
        for (const QList<OcrBand> &run : runs) {
            QImage own = cut;
            for (qsizetype i = 0; runs.size() > 1 && i < unread.size(); ++i) {
                if (i >= first && i < first + run.size())
                    continue;
                const OcrBand &other = unread.at(i);
                for (int y = other.top; y < other.top + other.height; ++y)
                    std::memset(own.scanLine(y), background, size_t(own.width()));
            }
            first += run.size();
            auto readRun = [own = std::move(own), scale, &workers] {
                QString error;
                QList<OcrWord> fresh = recogniseCut(own, scale, workers, &error);
                return std::make_pair(std::move(fresh), error);
            };
            try {
                pending.push_back(std::async(std::launch::async, readRun));
            } catch (const std::system_error &) {
                // No thread to be had (a process at its limit): this run is
                // read here when its result is asked for, after the others.
                pending.push_back(std::async(std::launch::deferred, readRun));
            }
        }
        QList<std::pair<QList<OcrWord>, QString>> results;
        for (auto &run : pending)
            results.append(run.get());
        for (const auto &[fresh, error] : results) {
            if (!error.isEmpty()) {
                reading.error = error;
                return reading; // the cache keeps the last good reading
            }
        }
        for (qsizetype r = 0; r < runs.size(); ++r) {
            const QList<OcrBand> &run = runs.at(r);
            QList<QList<OcrWord>> perBand(run.size());
            for (const OcrWord &word : results.at(r).first) {
                const qsizetype index = bandOf(run, word.box);
                OcrWord relative = word;
                relative.box.translate(0, -run.at(index).top);
                perBand[index].append(relative);
                words.append(word);
            }
            for (qsizetype i = 0; i < run.size(); ++i)
                kept.insert(run.at(i).key, perBand.at(i));
        }
        reading.processes = int(runs.size());
    }
    if (cache)
        cache->replace(std::move(kept));
    for (OcrWord &word : words)
        word.box.translate(reading.region.topLeft());
    reading.words = groupOcrLines(std::move(words));
    reading.seconds = clock.elapsed() / 1000.0;
    return reading;
}

} // namespace nixtide
