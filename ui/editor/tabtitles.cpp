#include "ui/editor/tabtitles.h"

#include <QFileInfo>
#include <QHash>
#include <QSet>

#include <algorithm>

namespace nixtide {

namespace {

// The last `count` directories of the path's directory, outermost first.
QString lastDirectories(const QString &path, int count)
{
    const QStringList parts = QFileInfo(path).path().split(u'/', Qt::SkipEmptyParts);
    return parts.mid(std::max<qsizetype>(0, parts.size() - count)).join(u'/');
}

} // namespace

QStringList tabTitles(const QStringList &absolutePaths)
{
    QHash<QString, QList<qsizetype>> byName;
    for (qsizetype i = 0; i < absolutePaths.size(); ++i)
        byName[QFileInfo(absolutePaths.at(i)).fileName()].append(i);

    QStringList titles;
    for (const QString &path : absolutePaths)
        titles.append(QFileInfo(path).fileName());
    for (const QList<qsizetype> &group : std::as_const(byName)) {
        if (group.size() < 2)
            continue;
        qsizetype deepest = 0;
        for (const qsizetype i : group) {
            deepest = std::max(deepest,
                QFileInfo(absolutePaths.at(i)).path().split(u'/', Qt::SkipEmptyParts).size());
        }
        // The fewest directories that tell every file of the group apart
        // (all of them for one path that ends another, "/a/x" and "/b/a/x").
        for (int count = 1; count <= deepest; ++count) {
            QSet<QString> seen;
            for (const qsizetype i : group)
                seen.insert(lastDirectories(absolutePaths.at(i), count));
            if (seen.size() == group.size() || count == deepest) {
                for (const qsizetype i : group) {
                    const QString where = lastDirectories(absolutePaths.at(i), count);
                    titles[i]
                        += QStringLiteral(" — ") + (where.isEmpty() ? QStringLiteral("/") : where);
                }
                break;
            }
        }
    }
    return titles;
}

} // namespace nixtide
