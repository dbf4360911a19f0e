#include "core/review/referencestore.h"

#include "core/session/runrecord.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace nixtide {

namespace {

// 1-based line of a byte offset, for parse errors people can find.
int lineAt(const QByteArray &text, int offset)
{
    return int(text.left(offset).count('\n')) + 1;
}

bool writeAtomically(const QString &path, const QByteArray &bytes, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

QString jsonText(const QJsonValue &value)
{
    if (value.isUndefined())
        return QStringLiteral("missing");
    // A one-element array is the shortest way to print any JSON value.
    return QString::fromUtf8(
        QJsonDocument(QJsonArray {value}).toJson(QJsonDocument::Compact).mid(1).chopped(1));
}

std::optional<QRect> readMask(const QJsonValue &value, int index, QString *why)
{
    const QJsonObject object = value.toObject();
    if (!value.isObject()) {
        *why = QStringLiteral("masks[%1] is not an object").arg(index);
        return std::nullopt;
    }
    int numbers[4] = {};
    const char *keys[4] = {"x", "y", "width", "height"};
    for (int k = 0; k < 4; ++k) {
        const QJsonValue v = object.value(QLatin1String(keys[k]));
        const double d = v.toDouble(-1);
        const bool size = k >= 2;
        if (!v.isDouble() || d != int(d) || d < (size ? 1 : 0)) {
            *why = QStringLiteral("masks[%1].%2 must be a %3 integer, not %4")
                       .arg(index)
                       .arg(QLatin1String(keys[k]),
                           size ? QStringLiteral("positive") : QStringLiteral("non-negative"),
                           jsonText(v));
            return std::nullopt;
        }
        numbers[k] = int(d);
    }
    return QRect(numbers[0], numbers[1], numbers[2], numbers[3]);
}

} // namespace

ReferenceStore::ReferenceStore(const QString &dir)
    : m_dir(dir)
{ }

QString ReferenceStore::dirFor(const QString &sourceFile, const QString &testName)
{
    return QFileInfo(sourceFile).absolutePath() + QLatin1Char('/') + RunRecord::safeName(testName)
        + QStringLiteral(".screenshots");
}

QStringList ReferenceStore::names() const
{
    QStringList names;
    const QFileInfoList files
        = QDir(m_dir).entryInfoList({QStringLiteral("*.png")}, QDir::Files, QDir::Name);
    for (const QFileInfo &file : files)
        names.append(file.completeBaseName());
    return names;
}

std::optional<Reference> ReferenceStore::load(const QString &name, QString *error) const
{
    Reference ref;
    ref.name = name;
    ref.imagePath = m_dir + QLatin1Char('/') + name + QStringLiteral(".png");
    ref.settingsPath = m_dir + QLatin1Char('/') + name + QStringLiteral(".json");
    ref.hasImage = QFileInfo(ref.imagePath).isFile();
    QFile file(ref.settingsPath);
    if (!file.exists())
        return ref;
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(ref.settingsPath, file.errorString());
        return std::nullopt;
    }
    const QByteArray text = file.readAll();
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(text, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = QStringLiteral("%1:%2: %3")
                     .arg(ref.settingsPath)
                     .arg(lineAt(text, parseError.offset))
                     .arg(parseError.errorString());
        return std::nullopt;
    }
    if (!doc.isObject()) {
        *error = QStringLiteral("%1: expected a JSON object").arg(ref.settingsPath);
        return std::nullopt;
    }
    const QJsonObject object = doc.object();
    if (object.contains(QStringLiteral("tolerance"))) {
        const QJsonValue tolerance = object.value(QStringLiteral("tolerance"));
        if (!tolerance.isDouble() || tolerance.toDouble() < 0 || tolerance.toDouble() > 100) {
            *error = QStringLiteral("%1: tolerance must be a percentage from 0 to 100")
                         .arg(ref.settingsPath);
            return std::nullopt;
        }
        ref.tolerancePercent = tolerance.toDouble();
    }
    const QJsonValue masks = object.value(QStringLiteral("masks"));
    if (!masks.isUndefined() && !masks.isArray()) {
        *error = QStringLiteral("%1: masks must be a list").arg(ref.settingsPath);
        return std::nullopt;
    }
    const QJsonArray list = masks.toArray();
    for (int i = 0; i < list.size(); ++i) {
        QString why;
        const std::optional<QRect> rect = readMask(list.at(i), i, &why);
        if (!rect) {
            *error = ref.settingsPath + QStringLiteral(": ") + why;
            return std::nullopt;
        }
        ref.masks.append(*rect);
    }
    return ref;
}

bool ReferenceStore::accept(const QString &name, const QString &screenshot, QString *error)
{
    QFile source(screenshot);
    if (!source.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(screenshot, source.errorString());
        return false;
    }
    if (!QDir().mkpath(m_dir)) {
        *error = QStringLiteral("cannot create %1").arg(m_dir);
        return false;
    }
    return writeAtomically(
        m_dir + QLatin1Char('/') + name + QStringLiteral(".png"), source.readAll(), error);
}

bool ReferenceStore::saveSettings(const Reference &reference, QString *error)
{
    // Keys people added by hand (notes) survive a save from the GUI.
    QJsonObject object;
    QFile existing(reference.settingsPath);
    if (existing.open(QIODevice::ReadOnly))
        object = QJsonDocument::fromJson(existing.readAll()).object();
    const QJsonArray oldMasks = object.value(QStringLiteral("masks")).toArray();
    QJsonArray masks;
    for (const QRect &rect : reference.masks) {
        QJsonObject mask;
        // A mask drawn at the same place keeps its note.
        for (const QJsonValue &old : oldMasks) {
            const QJsonObject o = old.toObject();
            if (QRect(o.value(QStringLiteral("x")).toInt(), o.value(QStringLiteral("y")).toInt(),
                    o.value(QStringLiteral("width")).toInt(),
                    o.value(QStringLiteral("height")).toInt())
                == rect) {
                mask = o;
                break;
            }
        }
        mask.insert(QStringLiteral("x"), rect.x());
        mask.insert(QStringLiteral("y"), rect.y());
        mask.insert(QStringLiteral("width"), rect.width());
        mask.insert(QStringLiteral("height"), rect.height());
        masks.append(mask);
    }
    object.insert(QStringLiteral("tolerance"), reference.tolerancePercent);
    object.insert(QStringLiteral("masks"), masks);
    if (!QDir().mkpath(QFileInfo(reference.settingsPath).absolutePath())) {
        *error = QStringLiteral("cannot create %1").arg(QFileInfo(reference.settingsPath).path());
        return false;
    }
    return writeAtomically(
        reference.settingsPath, QJsonDocument(object).toJson(QJsonDocument::Indented), error);
}

} // namespace nixtide
