#include "core/review/runreader.h"

#include "core/session/ocrattempt.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace nixtide {

QString RunReader::screenshotDir(const QString &dir)
{
    return dir + QStringLiteral("/screenshots");
}

std::optional<RunInfo> RunReader::readInfo(const QString &dir, QString *error)
{
    const QString path = dir + QStringLiteral("/result.json");
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("%1 is not a run record: cannot read %2 (%3)")
                     .arg(dir, path, file.errorString());
        return std::nullopt;
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (!doc.isObject()) {
        *error = QStringLiteral("%1: not a JSON object (%2)").arg(path, parseError.errorString());
        return std::nullopt;
    }
    const QJsonObject o = doc.object();
    RunInfo info;
    info.dir = QFileInfo(dir).absoluteFilePath();
    info.test = o.value(QStringLiteral("test")).toString();
    info.source = o.value(QStringLiteral("source")).toString();
    info.sourceSha256 = o.value(QStringLiteral("sourceSha256")).toString();
    info.bundle = o.value(QStringLiteral("bundle")).toString();
    info.status = o.value(QStringLiteral("status")).toString();
    info.startedAt
        = QDateTime::fromString(o.value(QStringLiteral("startedAt")).toString(), Qt::ISODateWithMs);
    info.durationSeconds = o.value(QStringLiteral("durationSeconds")).toDouble();
    info.exitCode = o.value(QStringLiteral("exitCode")).toInt(-1);
    if (info.test.isEmpty()) {
        *error = QStringLiteral("%1: no \"test\"").arg(path);
        return std::nullopt;
    }
    return info;
}

QList<RunScreenshot> RunReader::screenshots(const QString &dir, QStringList *warnings)
{
    QList<RunScreenshot> shots = timeline(dir, warnings);
    shots.removeIf([](const RunScreenshot &shot) { return shot.ocr; });
    return shots;
}

QList<RunScreenshot> RunReader::timeline(const QString &dir, QStringList *warnings)
{
    QList<RunScreenshot> shots;
    QHash<QString, int> byPath;
    const QString logPath = dir + QStringLiteral("/log.jsonl");
    QFile log(logPath);
    if (log.open(QIODevice::ReadOnly)) {
        const QList<QByteArray> lines = log.readAll().split('\n');
        QString step, scriptPath;
        int line = 0;
        for (int i = 0; i < lines.size(); ++i) {
            if (lines.at(i).trimmed().isEmpty())
                continue;
            const QJsonDocument doc = QJsonDocument::fromJson(lines.at(i));
            if (!doc.isObject()) {
                // The last line may be the one a crash cut short.
                if (i < lines.size() - 1)
                    warnings->append(QStringLiteral("%1:%2: not a JSON object, skipped")
                            .arg(logPath)
                            .arg(i + 1));
                continue;
            }
            const QJsonObject entry = doc.object();
            const QString event = entry.value(QStringLiteral("event")).toString();
            const QJsonObject body = entry.value(QStringLiteral("body")).toObject();
            if (event == QLatin1String("nixtide/logBegin")
                || event == QLatin1String("nixtide/log")) {
                if (body.contains(QStringLiteral("line"))) {
                    step = body.value(QStringLiteral("message")).toString();
                    scriptPath = body.value(QStringLiteral("path")).toString();
                    line = body.value(QStringLiteral("line")).toInt();
                }
            } else if (event == QLatin1String("nixtide/screenshot")) {
                const QString copy = entry.value(QStringLiteral("copy")).toString();
                if (copy.isEmpty() || !QFileInfo(copy).isFile())
                    continue;
                RunScreenshot shot;
                shot.path = QFileInfo(copy).absoluteFilePath();
                shot.name = QFileInfo(copy).completeBaseName();
                shot.machine = body.value(QStringLiteral("machine")).toString();
                shot.step = step;
                shot.scriptPath = scriptPath;
                shot.line = line;
                // A screenshot taken on a failure names the failing line
                // itself: the log's last step is only where it went wrong.
                if (body.contains(QStringLiteral("line"))) {
                    shot.step = body.value(QStringLiteral("step")).toString();
                    shot.scriptPath = body.value(QStringLiteral("scriptPath")).toString();
                    shot.line = body.value(QStringLiteral("line")).toInt();
                }
                shot.failure = body.value(QStringLiteral("failure")).toBool();
                shot.byDriver = true;
                byPath.insert(shot.path, int(shots.size()));
                shots.append(shot);
            } else if (event == QLatin1String("nixtide/ocr")) {
                const QString copy = entry.value(QStringLiteral("copy")).toString();
                if (copy.isEmpty() || !QFileInfo(copy).isFile())
                    continue;
                const QString path = QFileInfo(copy).absoluteFilePath();
                const OcrAttempt attempt = OcrAttempt::fromEvent(body);
                // A wait_for_text loop on a still screen reads one image
                // many times: it stays where it was first read.
                const auto seen = byPath.constFind(path);
                if (seen != byPath.cend()) {
                    RunScreenshot &shot = shots[seen.value()];
                    ++shot.reads;
                    shot.step = attempt.summary();
                    continue;
                }
                RunScreenshot shot;
                shot.path = path;
                shot.name = QFileInfo(copy).completeBaseName();
                shot.machine = attempt.machine;
                shot.step = attempt.summary();
                shot.scriptPath = body.value(QStringLiteral("path")).toString();
                shot.line = body.value(QStringLiteral("line")).toInt();
                shot.ocr = true;
                shot.reads = 1;
                byPath.insert(shot.path, int(shots.size()));
                shots.append(shot);
            }
        }
    }
    // The IDE's own screen grabs are only files: each goes in before the
    // first driver screenshot written after it.
    const QFileInfoList files
        = QDir(screenshotDir(dir))
              .entryInfoList({QStringLiteral("*.png"), QStringLiteral("*.ppm")}, QDir::Files,
                  QDir::Time | QDir::Reversed);
    QList<RunScreenshot> ordered = shots;
    for (const QFileInfo &file : files) {
        if (byPath.contains(file.absoluteFilePath()))
            continue;
        RunScreenshot shot;
        shot.path = file.absoluteFilePath();
        shot.name = file.completeBaseName();
        shot.machine = shot.name.section(QLatin1Char('-'), 0, -2);
        const QDateTime taken = file.lastModified();
        auto later = std::find_if(ordered.begin(), ordered.end(), [&](const RunScreenshot &s) {
            return (s.byDriver || s.ocr) && QFileInfo(s.path).lastModified() > taken;
        });
        ordered.insert(later, shot);
    }
    return ordered;
}

} // namespace nixtide
