#pragma once

#include <QDateTime>
#include <QHash>
#include <QString>

namespace nixtide {

// The last result of each test that `nixtide run-all` ran, by the test's
// reference (TestRef::toString()), kept in the state directory
// (run-all.json) for the GUI's test explorer. A later run replaces a
// test's entry and keeps the others.
class SuiteHistory
{
public:
    struct Result
    {
        QString state; // SuiteTestState::name(): PASS, FAIL, NOT RUN…
        double seconds = 0;
        QString message; // why it failed, one line
        QDateTime finished;
        bool passed() const { return state == QLatin1StringView("PASS"); }
    };

    // Where the results live: <state dir>/run-all.json.
    static QString path();
    static QHash<QString, Result> load(const QString &file = path());
    // Merges `results` into the file; false and `error` naming it on failure.
    static bool record(
        const QHash<QString, Result> &results, QString *error, const QString &file = path());
};

} // namespace nixtide
