// nixtide's own OCR (ScreenOcr: tesseract's TSV output) on a screen:
// seconds per screen and the share of the screen's text lines read right.
//
// Usage: bench_screenocr SCREEN.png TRUTH.txt [rounds] [scale...]
//   TRUTH.txt: the screen's text, one line per row (bench/screen-ocr writes
//   it from the console's own memory, /dev/vcs1, or from what the command
//   printed). A line counts as read right when OCR gives a line equal to
//   it, spaces collapsed; as read nearly right when one OCR line is at
//   most one edit (a character inserted, deleted or replaced) away. Prints
//   the median seconds of `rounds` readings (default 3) per scale (default
//   1 and 2: how much the screen is enlarged before tesseract reads it).
#include "core/ocr/screenocr.h"

#include <QCoreApplication>
#include <QFile>
#include <QImage>
#include <QSet>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sys/resource.h>

using namespace nixtide;

namespace {

// CPU seconds of the finished child processes (tesseract) so far: on a
// busy machine the wall clock counts the waits for a core too.
double childCpuSeconds()
{
    rusage usage {};
    getrusage(RUSAGE_CHILDREN, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
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

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 3) {
        std::fprintf(stderr, "usage: %s SCREEN.png TRUTH.txt [rounds] [scale...]\n", argv[0]);
        return 2;
    }
    const QImage screen(args.at(1));
    if (screen.isNull()) {
        std::fprintf(stderr, "%s: cannot read the image\n", qPrintable(args.at(1)));
        return 1;
    }
    QFile truthFile(args.at(2));
    if (!truthFile.open(QIODevice::ReadOnly)) {
        std::fprintf(
            stderr, "%s: %s\n", qPrintable(args.at(2)), qPrintable(truthFile.errorString()));
        return 1;
    }
    QStringList truth;
    for (const QString &line : QString::fromUtf8(truthFile.readAll()).split(QLatin1Char('\n'))) {
        if (!line.simplified().isEmpty())
            truth.append(line.simplified());
    }
    const int rounds = args.size() > 3 ? std::max(1, args.at(3).toInt()) : 3;
    QList<double> scales;
    for (int i = 4; i < args.size(); ++i)
        scales.append(args.at(i).toDouble());
    if (scales.isEmpty())
        scales = {1.0, 2.0};

    std::printf("screen %dx%d, %lld text lines\n", screen.width(), screen.height(),
        static_cast<long long>(truth.size()));
    for (const double scale : scales) {
        QList<double> seconds;
        OcrReading reading;
        const double cpuBefore = childCpuSeconds();
        for (int r = 0; r < rounds; ++r) {
            reading = ScreenOcr::read(screen, {}, scale);
            if (!reading.error.isEmpty()) {
                std::fprintf(stderr, "OCR failed: %s\n", qPrintable(reading.error));
                return 1;
            }
            seconds.append(reading.seconds);
        }
        const double cpu = (childCpuSeconds() - cpuBefore) / rounds;
        std::sort(seconds.begin(), seconds.end());
        QSet<QString> read;
        for (const QString &line : reading.lines())
            read.insert(line.simplified());
        int right = 0;
        int nearly = 0;
        QStringList missed;
        for (const QString &line : std::as_const(truth)) {
            if (read.contains(line)) {
                ++right;
                ++nearly;
                continue;
            }
            const bool close
                = std::any_of(read.cbegin(), read.cend(), [&line](const QString &candidate) {
                      return editDistance(line, candidate, 1) <= 1;
                  });
            if (close)
                ++nearly;
            missed.append(
                QStringLiteral("%1%2").arg(close ? QStringLiteral("(1 edit) ") : QString(), line));
        }
        std::printf(
            "scale %.1f: %.2f s per screen (median of %d; %.2f to %.2f), tesseract CPU %.2f s "
            "per screen, %d of %lld lines read right (%.0f %%), %d within one edit (%.0f %%)\n",
            scale, seconds.at(seconds.size() / 2), rounds, seconds.first(), seconds.last(), cpu,
            right, static_cast<long long>(truth.size()),
            100.0 * right / std::max<qsizetype>(1, truth.size()), nearly,
            100.0 * nearly / std::max<qsizetype>(1, truth.size()));
        for (const QString &line : std::as_const(missed))
            std::printf("  missed: %s\n", qPrintable(line));
        std::printf("  read:\n");
        for (const QString &line : reading.lines())
            std::printf("    %s\n", qPrintable(line));
    }
    return 0;
}
