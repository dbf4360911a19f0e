#include "core/ocr/ocrbandcache.h"

#include <QCryptographicHash>

#include <cstdlib>

namespace nixtide {

namespace {

// The same tolerance as ScreenOcr's cut to the content: anti-aliasing and
// dithering of a plain background stay below it, glyph strokes do not.
constexpr int kTolerance = 24;

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
    QList<OcrBand> bands;
    int start = -1;
    for (int y = 0; y <= grey.height(); ++y) {
        const bool blank
            = y == grey.height() || isBlank(grey.constScanLine(y), grey.width(), background);
        if (!blank && start < 0) {
            start = y;
        } else if (blank && start >= 0) {
            bands.append({start, y - start, bandKey(grey, start, y - start, salt)});
            start = -1;
        }
    }
    return bands;
}

const QList<OcrWord> *OcrBandCache::find(const QByteArray &key) const
{
    const auto it = m_words.constFind(key);
    return it == m_words.cend() ? nullptr : &it.value();
}

} // namespace nixtide
