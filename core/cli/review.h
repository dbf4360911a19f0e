#pragma once

#include <QString>
#include <QStringList>
#include <QTextStream>

namespace nixtide::cli {

struct ReviewOptions
{
    QStringList accept; // screenshot names to make references first
    QString referenceDir; // empty: <test dir>/<test name>.screenshots
    QString htmlDir; // empty: no HTML report
};

// Reviews the screenshots of the run record `runDir` against its test's
// references: one verdict line per name on `out`, problems on `err`.
// Returns 0 when every screenshot matches (or is new), 1 when one differs
// or a reference was not taken, 2 when the review cannot run.
int reviewRun(
    const QString &runDir, const ReviewOptions &options, QTextStream &out, QTextStream &err);

// `nixtide review RUN|TEST [--accept NAME…] [--references DIR] [--html DIR]`.
int review(const QStringList &arguments);

} // namespace nixtide::cli
