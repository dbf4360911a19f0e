#pragma once

#include "core/cli/suitebuild.h"
#include "core/cli/suitetests.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace nixtide::cli {

// The JUnit XML file of a run-all: one <testcase> per test (its attribute
// path, the reference as classname, its build time), a <failure> for a
// failed test whose message is the script's failing line when the log has
// one and whose text is the end of its build log, <error> for a test that
// did not evaluate or was not built, and the whole log in <system-out>.
// (core/session's JunitReport describes one run's subtests from the
// agent's events; a suite has build logs instead.)
class SuiteReport
{
public:
    struct Entry
    {
        SuiteTest test;
        SuiteTestState state;
        QString log; // the build log (`nix log`), may be empty
    };

    static QByteArray toXml(const QList<Entry> &entries, double wallSeconds);
    // Writes atomically; false and `error` (naming the file) on failure.
    static bool write(
        const QString &path, const QList<Entry> &entries, double wallSeconds, QString *error);

    // What the driver reported about the failure: its `!!!` lines (the
    // traceback through the script's lines and the exception), without
    // colours; else the log's last lines.
    static QStringList failureLines(const QString &log, int tailLines = 20);
};

} // namespace nixtide::cli
