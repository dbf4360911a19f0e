#pragma once

#include "core/review/runreader.h"
#include "core/review/screenshotreview.h"

#include <QList>
#include <QString>

namespace nixtide {

// A self-contained folder for CI artifacts: index.html with one row per
// screenshot (verdict, score, step and script line) and, for each that is
// not a match, the run's image, the reference and the difference image
// copied next to it, so the folder can be uploaded and opened as it is.
bool writeHtmlReport(const QString &dir, const RunInfo &run,
    const QList<ScreenshotVerdict> &verdicts, QString *error);

} // namespace nixtide
