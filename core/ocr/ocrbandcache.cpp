#include "core/ocr/ocrbandcache.h"

#include <QCryptographicHash>

#include <algorithm>
#include <climits>
#include <cstdlib>

namespace nixtide {

namespace {

// The same tolerance as ScreenOcr's cut to the content: anti-aliasing and
// dithering of a plain background stay below it, glyph strokes do not.
constexpr int kTolerance = 24;
// Shorter runs of rows are no text line of their own: the 2-pixel
// underscores of foot's 14-point font stand 2 rows below their line.
constexpr int kMinLineHeight = 6;

bool isBlank(const uchar *row, int width, int background)
{
    for (int x = 0; x < width; ++x) {
        if (std::abs(int(row[x]) - background) > kTolerance)
            return false;
    }
    return true;
}

QByteArray bandKey(const QImage &grey, int top, int height, const QByteArray &salt)
{
    // MD5 for speed, not secrecy: a collision would need two bands of one
    // screen session with equal digests.
    QCryptographicHash hash(QCryptographicHash::Md5);
    hash.addData(salt);
    const int size[2] = {grey.width(), height};
    hash.addData(QByteArrayView(reinterpret_cast<const char *>(size), sizeof size));
    for (int y = top; y < top + height; ++y)
        hash.addData(
            QByteArrayView(reinterpret_cast<const char *>(grey.constScanLine(y)), grey.width()));
    return hash.result();
}

} // namespace

QList<OcrBand> OcrBandCache::split(const QImage &grey, int background, const QByteArray &salt)
{
    Q_ASSERT(grey.format() == QImage::Format_Grayscale8);
    struct Rows
    {
        int top, bottom; // bottom: one past the last
    };
    QList<Rows> runs;
    int start = -1;
    for (int y = 0; y <= grey.height(); ++y) {
        const bool blank
            = y == grey.height() || isBlank(grey.constScanLine(y), grey.width(), background);
        if (!blank && start < 0) {
            start = y;
        } else if (blank && start >= 0) {
            runs.append({start, y});
            start = -1;
        }
    }
    // A sliver (the underscores of a line without descenders, the dots of
    // a line of i's, a rule) is part of the nearer text line: read alone, or
    // masked while its line is read, it would lose its characters.
    for (qsizetype i = 0; i < runs.size() && runs.size() > 1;) {
        if (runs.at(i).bottom - runs.at(i).top >= kMinLineHeight) {
            ++i;
            continue;
        }
        const int above = i > 0 ? runs.at(i).top - runs.at(i - 1).bottom : INT_MAX;
        const int below = i + 1 < runs.size() ? runs.at(i + 1).top - runs.at(i).bottom : INT_MAX;
        const qsizetype into = above <= below ? i - 1 : i + 1;
        runs[into] = {std::min(runs.at(into).top, runs.at(i).top),
            std::max(runs.at(into).bottom, runs.at(i).bottom)};
        runs.removeAt(i);
        i = std::min(i, into); // the joined run may still be a sliver
    }
    QList<OcrBand> bands;
    for (const Rows &run : std::as_const(runs)) {
        const int height = run.bottom - run.top;
        bands.append({run.top, height, bandKey(grey, run.top, height, salt)});
    }
    return bands;
}

const QList<OcrWord> *OcrBandCache::find(const QByteArray &key) const
{
    const auto it = m_words.constFind(key);
    return it == m_words.cend() ? nullptr : &it.value();
}

} // namespace nixtide
