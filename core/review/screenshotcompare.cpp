#include "core/review/screenshotcompare.h"

#include <QColor>
#include <QVector>

#include <cstdlib>

namespace nixtide {

namespace {

bool differs(QRgb a, QRgb b)
{
    return std::abs(qRed(a) - qRed(b)) > kChannelThreshold
        || std::abs(qGreen(a) - qGreen(b)) > kChannelThreshold
        || std::abs(qBlue(a) - qBlue(b)) > kChannelThreshold;
}

} // namespace

Comparison compareScreenshots(
    const QImage &run, const QImage &reference, const QList<QRect> &masks, double tolerancePercent)
{
    Comparison result;
    result.tolerancePercent = tolerancePercent;
    result.runSize = run.size();
    result.referenceSize = reference.size();
    if (run.isNull() || reference.isNull() || run.size() != reference.size())
        return result;

    const QImage a = run.convertToFormat(QImage::Format_RGB32);
    const QImage b = reference.convertToFormat(QImage::Format_RGB32);
    const int width = a.width();
    const int height = a.height();
    // One byte per pixel: rectangles may overlap and there may be many.
    QVector<uchar> masked(qsizetype(width) * height, 0);
    const QRect whole(0, 0, width, height);
    for (const QRect &mask : masks) {
        const QRect r = mask.intersected(whole);
        for (int y = r.top(); y <= r.bottom(); ++y)
            std::fill_n(masked.begin() + qsizetype(y) * width + r.left(), r.width(), uchar(1));
    }

    result.difference = QImage(width, height, QImage::Format_RGB32);
    int left = width, top = height, right = -1, bottom = -1;
    for (int y = 0; y < height; ++y) {
        const auto *rowA = reinterpret_cast<const QRgb *>(a.constScanLine(y));
        const auto *rowB = reinterpret_cast<const QRgb *>(b.constScanLine(y));
        auto *out = reinterpret_cast<QRgb *>(result.difference.scanLine(y));
        const uchar *maskRow = masked.constData() + qsizetype(y) * width;
        for (int x = 0; x < width; ++x) {
            const int grey = qGray(rowB[x]) / 3;
            if (maskRow[x]) {
                out[x] = qRgb(grey / 2, grey / 2, 96 + grey);
                continue;
            }
            ++result.comparedPixels;
            if (differs(rowA[x], rowB[x])) {
                ++result.differingPixels;
                out[x] = qRgb(255, 0, 0);
                left = std::min(left, x);
                right = std::max(right, x);
                top = std::min(top, y);
                bottom = std::max(bottom, y);
            } else {
                out[x] = qRgb(grey, grey, grey);
            }
        }
    }
    if (right >= 0)
        result.differingBounds = QRect(QPoint(left, top), QPoint(right, bottom));
    result.scorePercent = result.comparedPixels == 0
        ? 0.0
        : 100.0 * double(result.differingPixels) / double(result.comparedPixels);
    result.verdict = result.scorePercent <= tolerancePercent ? Comparison::Verdict::Match
                                                             : Comparison::Verdict::Differs;
    return result;
}

} // namespace nixtide
