// nixtide's own OCR (ScreenOcr: tesseract's TSV output from its
// nixtide-ocr workers) on a screen: seconds per screen (a first reading
// that starts the workers, then readings with them kept) and the share of
// the screen's text lines read right.
//
// Usage: bench_screenocr SCREEN.png TRUTH.txt [rounds] [scale...]
//                        [--then SCREEN2.png TRUTH2.txt] [--processes N]
//   TRUTH.txt: the screen's text, one line per row (bench/screen-ocr writes
//   it from the console's own memory, /dev/vcs1, or from what the command
//   printed). A line counts as read right when OCR gives a line equal to
//   it, spaces collapsed; as read nearly right when one OCR line is at
//   most one edit (a character inserted, deleted or replaced) away. Prints
//   the median seconds of `rounds` readings (default 3) per scale (default
//   1 and 2: how much the screen is enlarged before tesseract reads it).
//   --then: the same screen changed (one line rewritten, say): times a
//   first reading of SCREEN and a follow-up reading of SCREEN2 that reuses
//   the first's unchanged text-line bands (OcrBandCache), and scores the
//   follow-up against TRUTH2 next to a whole reading of SCREEN2.
//   --processes: how many workers share a reading's bands
//   (default 0: ScreenOcr's own choice, as in the IDE).
#include "core/ocr/screenocr.h"

#include "core/ocr/ocrbandcache.h"
#include "core/ocr/ocrworker.h"
#include "core/paths.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QHash>
#include <QImage>
#include <QSet>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sys/resource.h>
#include <unistd.h>

using namespace nixtide;

namespace {

// CPU seconds of the child processes (the OCR workers) so far, the ended
// ones and the running ones: on a busy machine the wall clock counts the
// waits for a core too, and the workers live on between readings.
double childCpuSeconds()
{
    rusage usage {};
    getrusage(RUSAGE_CHILDREN, &usage);
    double seconds = double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    const double tick = double(sysconf(_SC_CLK_TCK));
    const QStringList pids = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs);
    for (const QString &pid : pids) {
        QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
        if (!pid.at(0).isDigit() || !stat.open(QIODevice::ReadOnly))
            continue;
        // After the command name in parentheses: state, ppid, … utime (14), stime (15).
        const QByteArray line = stat.readAll();
        const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
        if (fields.size() > 12 && fields.at(1).toLongLong() == getpid())
            seconds += double(fields.at(11).toLongLong() + fields.at(12).toLongLong()) / tick;
    }
    return seconds;
}

// Levenshtein distance, stopping early: only "at most one edit" matters
// here, and OCR lines of another row differ in most characters.
int editDistance(const QString &a, const QString &b, int limit)
{
    if (std::abs(a.size() - b.size()) > limit)
        return limit + 1;
    QList<int> previous(b.size() + 1), current(b.size() + 1);
    for (qsizetype j = 0; j <= b.size(); ++j)
        previous[j] = int(j);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        current[0] = int(i);
        int rowMin = current[0];
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const int substitution = previous[j - 1] + (a.at(i - 1) == b.at(j - 1) ? 0 : 1);
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
            rowMin = std::min(rowMin, current[j]);
        }
        if (rowMin > limit)
            return limit + 1;
        std::swap(previous, current);
    }
    return previous[b.size()];
}

struct Score
{
    int right = 0;
    int nearly = 0;
    // The truth's words that the reading holds (as many times as the
    // truth has them): what a wait_for_text on one word depends on, and a
    // finer measure than whole lines on a screen where one word of every
    // line is misread.
    int wordsRight = 0;
    int words = 0;
    QStringList missed;
};

void scoreWords(const OcrReading &reading, const QStringList &truth, Score *result)
{
    QHash<QString, int> read;
    for (const QString &line : reading.lines())
        for (const QString &word : line.split(u' ', Qt::SkipEmptyParts))
            ++read[word];
    for (const QString &line : truth)
        for (const QString &word : line.split(u' ', Qt::SkipEmptyParts)) {
            ++result->words;
            int &left = read[word];
            if (left > 0) {
                --left;
                ++result->wordsRight;
            }
        }
}

// How many of the truth's lines the reading holds exactly, and within one edit.
Score score(const OcrReading &reading, const QStringList &truth)
{
    QSet<QString> read;
    for (const QString &line : reading.lines())
        read.insert(line.simplified());
    Score result;
    for (const QString &line : truth) {
        if (read.contains(line)) {
            ++result.right;
            ++result.nearly;
            continue;
        }
        const bool close = std::any_of(read.cbegin(), read.cend(),
            [&line](const QString &candidate) { return editDistance(line, candidate, 1) <= 1; });
        if (close)
            ++result.nearly;
        result.missed.append(
            QStringLiteral("%1%2").arg(close ? QStringLiteral("(1 edit) ") : QString(), line));
    }
    scoreWords(reading, truth, &result);
    return result;
}

void printScore(const char *what, const Score &result, const QStringList &truth)
{
    std::printf("  %s: %d of %lld lines read right (%.0f %%), %d within one edit (%.0f %%), "
                "%d of %d words (%.0f %%)\n",
        what, result.right, static_cast<long long>(truth.size()),
        100.0 * result.right / std::max<qsizetype>(1, truth.size()), result.nearly,
        100.0 * result.nearly / std::max<qsizetype>(1, truth.size()), result.wordsRight,
        result.words, 100.0 * result.wordsRight / std::max(1, result.words));
    for (const QString &line : result.missed)
        std::printf("    missed: %s\n", qPrintable(line));
}

bool readTruth(const QString &path, QStringList *truth)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "%s: %s\n", qPrintable(path), qPrintable(file.errorString()));
        return false;
    }
    for (const QString &line : QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'))) {
        if (!line.simplified().isEmpty())
            truth->append(line.simplified());
    }
    return true;
}

double median(QList<double> values)
{
    std::sort(values.begin(), values.end());
    return values.at(values.size() / 2);
}

// Following a screen: a first reading with an empty band cache, then the
// changed screen with the cache the first left (what the IDE does while the
// screen changes under a selected region), each timed in every round.
int follow(const QImage &screen, const QImage &next, const QStringList &truth, int rounds,
    const QList<double> &scales, int processes)
{
    std::printf("follow-up screen %dx%d, %lld text lines\n", next.width(), next.height(),
        static_cast<long long>(truth.size()));
    for (const double scale : scales) {
        QList<double> firstSeconds, nextSeconds, firstCpu, nextCpu;
        OcrReading first, again;
        // The first round starts the workers; the others find them kept.
        OcrWorkerPool workers(DataPaths::ocrWorker());
        for (int r = 0; r < rounds; ++r) {
            OcrBandCache cache;
            double cpu = childCpuSeconds();
            first = ScreenOcr::read(screen, {}, &cache, workers, scale, processes);
            firstCpu.append(childCpuSeconds() - cpu);
            cpu = childCpuSeconds();
            again = ScreenOcr::read(next, {}, &cache, workers, scale, processes);
            nextCpu.append(childCpuSeconds() - cpu);
            if (!first.error.isEmpty() || !again.error.isEmpty()) {
                std::fprintf(
                    stderr, "OCR failed: %s%s\n", qPrintable(first.error), qPrintable(again.error));
                return 1;
            }
            firstSeconds.append(first.seconds);
            nextSeconds.append(again.seconds);
        }
        const OcrReading whole = ScreenOcr::read(next, {}, nullptr, workers, scale, processes);
        std::printf("scale %.1f: first reading %.2f s (worker CPU %.2f s, %d bands), "
                    "follow-up %.2f s (worker CPU %.2f s, %d bands read, %d from the cache), "
                    "medians of %d; the follow-up screen read whole: %.2f s\n",
            scale, median(firstSeconds), median(firstCpu), first.bandsRead, median(nextSeconds),
            median(nextCpu), again.bandsRead, again.bandsCached, rounds, whole.seconds);
        printScore("follow-up with the cache", score(again, truth), truth);
        printScore("follow-up read whole", score(whole, truth), truth);
    }
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QStringList args = app.arguments();
    QString nextPath, nextTruthPath;
    int processes = 0;
    if (const qsizetype at = args.indexOf(QStringLiteral("--processes")); at > 0) {
        if (at + 1 >= args.size()) {
            std::fprintf(stderr, "--processes needs a number\n");
            return 2;
        }
        processes = std::max(0, args.at(at + 1).toInt());
        args.remove(at, 2);
    }
    if (const qsizetype then = args.indexOf(QStringLiteral("--then")); then > 0) {
        if (then + 2 >= args.size()) {
            std::fprintf(stderr, "--then needs SCREEN2.png TRUTH2.txt\n");
            return 2;
        }
        nextPath = args.at(then + 1);
        nextTruthPath = args.at(then + 2);
        args.remove(then, 3);
    }
    if (args.size() < 3) {
        std::fprintf(stderr,
            "usage: %s SCREEN.png TRUTH.txt [rounds] [scale...] [--then SCREEN2.png TRUTH2.txt]\n",
            argv[0]);
        return 2;
    }
    const QImage screen(args.at(1));
    if (screen.isNull()) {
        std::fprintf(stderr, "%s: cannot read the image\n", qPrintable(args.at(1)));
        return 1;
    }
    QStringList truth;
    if (!readTruth(args.at(2), &truth))
        return 1;
    const int rounds = args.size() > 3 ? std::max(1, args.at(3).toInt()) : 3;
    QList<double> scales;
    for (int i = 4; i < args.size(); ++i)
        scales.append(args.at(i).toDouble());
    if (scales.isEmpty())
        scales = {1.0, 2.0};

    if (!nextPath.isEmpty()) {
        const QImage next(nextPath);
        QStringList nextTruth;
        if (next.isNull() || !readTruth(nextTruthPath, &nextTruth)) {
            std::fprintf(stderr, "%s: cannot read the follow-up screen\n", qPrintable(nextPath));
            return 1;
        }
        return follow(screen, next, nextTruth, rounds, scales, processes);
    }

    std::printf("screen %dx%d, %lld text lines\n", screen.width(), screen.height(),
        static_cast<long long>(truth.size()));
    for (const double scale : scales) {
        QList<double> seconds;
        OcrReading reading;
        // A first reading starts the workers (what the IDE's first reading
        // of a screen does); the rounds after it find them kept.
        OcrWorkerPool workers(DataPaths::ocrWorker());
        double cpuBefore = childCpuSeconds();
        const OcrReading cold = ScreenOcr::read(screen, {}, nullptr, workers, scale, processes);
        if (!cold.error.isEmpty()) {
            std::fprintf(stderr, "OCR failed: %s\n", qPrintable(cold.error));
            return 1;
        }
        const double coldCpu = childCpuSeconds() - cpuBefore;
        std::printf("scale %.1f: first reading, starting %d worker(s): %.2f s, worker CPU %.2f s\n",
            scale, workers.startedCount(), cold.seconds, coldCpu);
        cpuBefore = childCpuSeconds();
        for (int r = 0; r < rounds; ++r) {
            reading = ScreenOcr::read(screen, {}, nullptr, workers, scale, processes);
            if (!reading.error.isEmpty()) {
                std::fprintf(stderr, "OCR failed: %s\n", qPrintable(reading.error));
                return 1;
            }
            seconds.append(reading.seconds);
        }
        const double cpu = (childCpuSeconds() - cpuBefore) / rounds;
        std::sort(seconds.begin(), seconds.end());
        const Score result = score(reading, truth);
        std::printf(
            "scale %.1f: %.2f s per screen with the workers kept (median of %d; %.2f to %.2f), "
            "%d worker(s), worker CPU %.2f s per screen, %d of %lld lines read right (%.0f %%), "
            "%d within one edit (%.0f %%), %d of %d words (%.0f %%)\n",
            scale, seconds.at(seconds.size() / 2), rounds, seconds.first(), seconds.last(),
            reading.processes, cpu, result.right, static_cast<long long>(truth.size()),
            100.0 * result.right / std::max<qsizetype>(1, truth.size()), result.nearly,
            100.0 * result.nearly / std::max<qsizetype>(1, truth.size()), result.wordsRight,
            result.words, 100.0 * result.wordsRight / std::max(1, result.words));
        for (const QString &line : result.missed)
            std::printf("  missed: %s\n", qPrintable(line));
        std::printf("  read:\n");
        for (const QString &line : reading.lines())
            std::printf("    %s\n", qPrintable(line));
    }
    return 0;
}
