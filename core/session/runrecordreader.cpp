#include "core/session/runrecordreader.h"

#include <QFile>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>

namespace nixtide {

namespace {

void readPlace(const QJsonObject &body, RecordedEntry *entry)
{
    entry->path = body.value(QStringLiteral("path")).toString();
    entry->hasLine = body.contains(QStringLiteral("line"));
    entry->line = body.value(QStringLiteral("line")).toInt();
}

} // namespace

RecordedLog RunRecordReader::read(const QString &dir)
{
    const QString path = dir + QStringLiteral("/log.jsonl");
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return parse(file.readAll(), path);
}

RecordedLog RunRecordReader::parse(const QByteArray &log, const QString &name)
{
    RecordedLog result;
    QHash<int, int> depthOf; // nested step id → its depth
    QHash<int, int> indexOf; // nested step id → its entry
    const QList<QByteArray> lines = log.split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        if (lines.at(i).trimmed().isEmpty())
            continue;
        const QJsonDocument doc = QJsonDocument::fromJson(lines.at(i));
        if (!doc.isObject()) {
            // Only the last piece can lack its line end.
            if (i < lines.size() - 1)
                result.warnings.append(
                    QStringLiteral("%1:%2: not a JSON object, skipped").arg(name).arg(i + 1));
            continue;
        }
        const QJsonObject line = doc.object();
        const QString event = line.value(QStringLiteral("event")).toString();
        const QJsonObject body = line.value(QStringLiteral("body")).toObject();
        RecordedEntry entry;
        const QJsonValue parent = body.value(QStringLiteral("parentId"));
        if (parent.isDouble()) {
            entry.parentId = parent.toInt();
            entry.depth = depthOf.value(parent.toInt()) + 1;
        }
        if (event == QLatin1String("nixtide/logEnd")) {
            const int index = indexOf.value(body.value(QStringLiteral("id")).toInt(), -1);
            if (index < 0)
                continue;
            RecordedEntry &begun = result.entries[index];
            begun.failed = body.value(QStringLiteral("failed")).toBool();
            begun.durationSeconds = body.value(QStringLiteral("durationSeconds")).toDouble();
        } else if (event == QLatin1String("nixtide/logBegin")
            || event == QLatin1String("nixtide/log")) {
            entry.kind = RecordedEntry::Kind::Step;
            entry.nested = event == QLatin1String("nixtide/logBegin");
            entry.subtest
                = body.value(QStringLiteral("kind")).toString() == QLatin1String("subtest");
            entry.message = body.value(QStringLiteral("message")).toString();
            entry.machine = body.value(QStringLiteral("machine")).toString();
            readPlace(body, &entry);
            if (entry.nested) {
                entry.id = body.value(QStringLiteral("id")).toInt();
                depthOf.insert(entry.id, entry.depth);
                indexOf.insert(entry.id, int(result.entries.size()));
            }
            result.entries.append(entry);
        } else if (event == QLatin1String("nixtide/ocr")) {
            entry.kind = RecordedEntry::Kind::Ocr;
            entry.ocr = OcrAttempt::fromEvent(body);
            entry.machine = entry.ocr->machine;
            entry.message = entry.ocr->summary();
            entry.durationSeconds = entry.ocr->seconds;
            entry.failed = !entry.ocr->error.isEmpty();
            entry.copy = line.value(QStringLiteral("copy")).toString();
            readPlace(body, &entry);
            result.entries.append(entry);
        } else if (event == QLatin1String("nixtide/screenshot")) {
            entry.kind = RecordedEntry::Kind::Screenshot;
            entry.machine = body.value(QStringLiteral("machine")).toString();
            entry.copy = line.value(QStringLiteral("copy")).toString();
            // Only a screenshot taken on a failure names its place.
            entry.message = body.value(QStringLiteral("step")).toString();
            entry.path = body.value(QStringLiteral("scriptPath")).toString();
            entry.hasLine = body.contains(QStringLiteral("line"));
            entry.line = body.value(QStringLiteral("line")).toInt();
            entry.failure = body.value(QStringLiteral("failure")).toBool();
            result.entries.append(entry);
        }
    }
    return result;
}

} // namespace nixtide
