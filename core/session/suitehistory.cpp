#include "core/session/suitehistory.h"

#include "core/paths.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace nixtide {

QString SuiteHistory::path()
{
    return DataPaths::stateDir() + QStringLiteral("/run-all.json");
}

QHash<QString, SuiteHistory::Result> SuiteHistory::load(const QString &file)
{
    QHash<QString, Result> out;
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return out;
    const QJsonObject all = QJsonDocument::fromJson(f.readAll()).object();
    for (auto it = all.begin(); it != all.end(); ++it) {
        const QJsonObject o = it.value().toObject();
        Result r;
        r.state = o.value(QLatin1StringView("state")).toString();
        r.seconds = o.value(QLatin1StringView("seconds")).toDouble();
        r.message = o.value(QLatin1StringView("message")).toString();
        r.finished
            = QDateTime::fromString(o.value(QLatin1StringView("finished")).toString(), Qt::ISODate);
        if (!r.state.isEmpty())
            out.insert(it.key(), r);
    }
    return out;
}

bool SuiteHistory::record(
    const QHash<QString, Result> &results, QString *error, const QString &file)
{
    QJsonObject all;
    {
        QFile f(file);
        if (f.open(QIODevice::ReadOnly))
            all = QJsonDocument::fromJson(f.readAll()).object();
    }
    for (auto it = results.begin(); it != results.end(); ++it) {
        all.insert(it.key(),
            QJsonObject {{QStringLiteral("state"), it->state},
                {QStringLiteral("seconds"), it->seconds}, {QStringLiteral("message"), it->message},
                {QStringLiteral("finished"), it->finished.toString(Qt::ISODate)}});
    }
    QDir().mkpath(QFileInfo(file).absolutePath());
    QSaveFile out(file);
    if (!out.open(QIODevice::WriteOnly) || out.write(QJsonDocument(all).toJson()) < 0
        || !out.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(file, out.errorString());
        return false;
    }
    return true;
}

} // namespace nixtide
