#pragma once

#include <QImage>
#include <QList>
#include <QRect>
#include <QSize>

namespace nixtide {

// A run's screenshot against its reference.
struct Comparison
{
    enum class Verdict { Match, Differs, SizeMismatch };
    Verdict verdict = Verdict::SizeMismatch;
    // Percent of the compared pixels that differ (0 when the sizes differ).
    double scorePercent = 0;
    double tolerancePercent = 0;
    qint64 differingPixels = 0;
    qint64 comparedPixels = 0; // the unmasked ones
    QRect differingBounds; // smallest rectangle holding every differing pixel
    QSize runSize;
    QSize referenceSize;
    // The reference dimmed to grey, differing pixels red, masks blue; null
    // when the sizes differ.
    QImage difference;
};

// A pixel differs when one of its channels differs by more than this: the
// screens are lossless PNGs, but a guest's dithering or a VNC round trip may
// move a channel by a step or two, which no one would call a change.
constexpr int kChannelThreshold = 8;

// Compares pixel by pixel, leaving out `masks` (reference coordinates). A
// score at or under the tolerance is a match. Never fails: images of
// different sizes (or a null one) give SizeMismatch with both sizes.
Comparison compareScreenshots(
    const QImage &run, const QImage &reference, const QList<QRect> &masks, double tolerancePercent);

} // namespace nixtide
