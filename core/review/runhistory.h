#pragma once

#include "core/review/runreader.h"

#include <QHash>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>

#include <optional>

namespace nixtide {

// The run records under one base directory (<base>/<test>/<stamp>/), as
// RunRecord lays them out. Reads only; pruning is the one write.
class RunHistory
{
public:
    explicit RunHistory(const QString &base);
    static QString defaultBase(); // $XDG_STATE_HOME/nixtide/runs

    QString base() const { return m_base; }
    QStringList tests() const; // the test folders, sorted
    // A test's runs, newest first; records without a readable result.json
    // are left out.
    QList<RunInfo> runs(const QString &test) const;
    // The newest run of the test defined in `sourceFile`, by the source
    // path each run's result.json names.
    std::optional<RunInfo> latestRunOf(const QString &sourceFile) const;
    // The newest run of each test reference (RunInfo::reference), in one
    // pass over the records; records without a reference are left out.
    QHash<QString, RunInfo> latestByReference() const;

    struct PrunePolicy
    {
        int keepCount = 0; // runs kept per test; 0 keeps all
        int maxAgeDays = 0; // older ones go; 0 keeps all
    };
    // Removes what the policy lets go, never a run in `open` (record dirs
    // someone is looking at or writing) nor a test's newest run. Returns
    // the removed directories.
    QStringList prune(const PrunePolicy &policy, const QSet<QString> &open) const;

private:
    QString m_base;
};

} // namespace nixtide
