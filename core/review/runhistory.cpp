#include "core/review/runhistory.h"

#include "core/paths.h"

#include <QDir>
#include <QFileInfo>

#include <algorithm>

namespace nixtide {

RunHistory::RunHistory(const QString &base)
    : m_base(base)
{ }

QString RunHistory::defaultBase()
{
    return DataPaths::stateDir() + QStringLiteral("/runs");
}

QStringList RunHistory::tests() const
{
    return QDir(m_base).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
}

QList<RunInfo> RunHistory::runs(const QString &test) const
{
    QList<RunInfo> runs;
    const QDir dir(m_base + QLatin1Char('/') + test);
    for (const QString &stamp : dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QString error;
        if (const std::optional<RunInfo> info = RunReader::readInfo(dir.filePath(stamp), &error))
            runs.append(*info);
    }
    // Stamps sort by time too, but two runs of one millisecond differ only
    // by a suffix: the start time decides, the folder name breaks ties.
    std::sort(runs.begin(), runs.end(), [](const RunInfo &a, const RunInfo &b) {
        return a.startedAt != b.startedAt ? a.startedAt > b.startedAt : a.dir > b.dir;
    });
    return runs;
}

std::optional<RunInfo> RunHistory::latestRunOf(const QString &sourceFile) const
{
    const QString wanted = QFileInfo(sourceFile).absoluteFilePath();
    std::optional<RunInfo> latest;
    for (const QString &test : tests()) {
        for (const RunInfo &run : runs(test)) {
            if (QFileInfo(run.source).absoluteFilePath() != wanted)
                continue;
            if (!latest || run.startedAt > latest->startedAt)
                latest = run;
            break; // runs() is newest first
        }
    }
    return latest;
}

QHash<QString, RunInfo> RunHistory::latestByReference() const
{
    QHash<QString, RunInfo> latest;
    for (const QString &test : tests()) {
        for (const RunInfo &run : runs(test)) {
            if (run.reference.isEmpty())
                continue;
            const auto it = latest.constFind(run.reference);
            if (it == latest.constEnd() || run.startedAt > it->startedAt)
                latest.insert(run.reference, run);
        }
    }
    return latest;
}

QStringList RunHistory::prune(const PrunePolicy &policy, const QSet<QString> &open) const
{
    QStringList removed;
    const QDateTime oldest = QDateTime::currentDateTimeUtc().addDays(-policy.maxAgeDays);
    for (const QString &test : tests()) {
        const QList<RunInfo> all = runs(test);
        for (int i = 1; i < all.size(); ++i) {
            const RunInfo &run = all.at(i);
            const bool tooMany = policy.keepCount > 0 && i >= policy.keepCount;
            const bool tooOld = policy.maxAgeDays > 0 && run.startedAt < oldest;
            if (!(tooMany || tooOld) || open.contains(run.dir) || run.status == u"running")
                continue;
            if (QDir(run.dir).removeRecursively())
                removed.append(run.dir);
        }
    }
    return removed;
}

} // namespace nixtide
