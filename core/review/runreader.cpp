#include "core/review/runreader.h"

#include "core/session/runrecordreader.h"

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
    info.reference = o.value(QStringLiteral("reference")).toString();
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
    const RecordedLog log = RunRecordReader::read(dir);
    warnings->append(log.warnings);
    QString step, scriptPath;
    int line = 0;
    for (const RecordedEntry &entry : log.entries) {
        if (entry.kind == RecordedEntry::Kind::Step) {
            if (entry.hasLine) {
                step = entry.message;
                scriptPath = entry.path;
                line = entry.line;
            }
            continue;
        }
        if (entry.copy.isEmpty() || !QFileInfo(entry.copy).isFile())
            continue;
        const QString path = QFileInfo(entry.copy).absoluteFilePath();
        if (entry.kind == RecordedEntry::Kind::Screenshot) {
            RunScreenshot shot;
            shot.path = path;
            shot.name = QFileInfo(entry.copy).completeBaseName();
            shot.machine = entry.machine;
            shot.step = step;
            shot.scriptPath = scriptPath;
            shot.line = line;
            // A screenshot taken on a failure names the failing line
            // itself: the log's last step is only where it went wrong.
            if (entry.hasLine) {
                shot.step = entry.message;
                shot.scriptPath = entry.path;
                shot.line = entry.line;
            }
            shot.failure = entry.failure;
            shot.byDriver = true;
            byPath.insert(shot.path, int(shots.size()));
            shots.append(shot);
            continue;
        }
        // A wait_for_text loop on a still screen reads one image many
        // times: it stays where it was first read.
        const auto seen = byPath.constFind(path);
        if (seen != byPath.cend()) {
            RunScreenshot &shot = shots[seen.value()];
            ++shot.reads;
            shot.step = entry.message;
            continue;
        }
        RunScreenshot shot;
        shot.path = path;
        shot.name = QFileInfo(entry.copy).completeBaseName();
        shot.machine = entry.machine;
        shot.step = entry.message;
        shot.scriptPath = entry.path;
        shot.line = entry.line;
        shot.ocr = true;
        shot.reads = 1;
        byPath.insert(shot.path, int(shots.size()));
        shots.append(shot);
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
