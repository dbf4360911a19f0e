#pragma once

#include "core/session/debugsession.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace nixtide {

// A JUnit XML report of one run made from the agent's log events, for
// drivers without --junit-xml (nixos-22.11). Shaped as the drivers' own:
// <testsuites><testsuite name="NixOS integration test"> with one <testcase>
// per subtest (a nested subtest's time not counted twice), or one "main"
// case when the script has none, each with its log in <system-out> and its
// error lines in <system-err>. A failed subtest, or "main" when the script
// failed outside every subtest, gets a <failure> whose message is the
// failing script line and whose text adds the exception.
class JunitReport
{
public:
    struct Outcome
    {
        bool passed = false;
        QString failure; // "<file>:<line>: <source>\n  <exception>", may be empty
        double durationSeconds = 0;
    };

    static QByteArray toXml(const QList<LogEntry> &log, const Outcome &outcome);
    // Writes atomically; false and `error` (naming the file) on failure.
    static bool write(
        const QString &path, const QList<LogEntry> &log, const Outcome &outcome, QString *error);
};

} // namespace nixtide
