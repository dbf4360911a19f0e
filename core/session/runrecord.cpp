#include "core/session/runrecord.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSaveFile>

namespace nixtide {

RunRecord::RunRecord() = default;
RunRecord::~RunRecord() = default;

QString RunRecord::safeName(const QString &name)
{
    static const QRegularExpression unsafe(QStringLiteral("[^A-Za-z0-9._-]"));
    QString safe = name;
    safe.replace(unsafe, QStringLiteral("_"));
    if (safe.isEmpty() || safe.startsWith(QLatin1Char('.')))
        safe.prepend(QLatin1Char('_'));
    return safe;
}

bool RunRecord::open(const QString &base, const QString &testName, QString *error)
{
    const QString stamp
        = QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss-zzz"));
    QString dir = base + QLatin1Char('/') + safeName(testName) + QLatin1Char('/') + stamp;
    // Two runs in the same millisecond (tests do that) get a suffix.
    for (int n = 1; QFileInfo::exists(dir); ++n)
        dir = base + QLatin1Char('/') + safeName(testName) + QLatin1Char('/') + stamp
            + QLatin1Char('-') + QString::number(n);
    if (!QDir().mkpath(dir + QStringLiteral("/screenshots"))) {
        *error = QStringLiteral("cannot create the run record directory %1").arg(dir);
        return false;
    }
    // Logs, serial output and screenshots may show secrets of the test:
    // only this user may enter the test's records, wherever the base is.
    const auto privateMode
        = QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner;
    for (const QString &path : {base + QLatin1Char('/') + safeName(testName), dir}) {
        if (!QFile::setPermissions(path, privateMode)) {
            *error = QStringLiteral("cannot make the run record directory %1 private").arg(path);
            return false;
        }
    }
    m_dir = dir;
    return true;
}

QFile *RunRecord::fileFor(const QString &name)
{
    auto it = m_files.find(name);
    if (it != m_files.end())
        return it->get();
    auto file = std::make_shared<QFile>(m_dir + QLatin1Char('/') + name);
    if (!file->open(QIODevice::WriteOnly | QIODevice::Append))
        return nullptr;
    m_files.insert(name, file);
    return file.get();
}

void RunRecord::appendLog(const QJsonObject &entry)
{
    if (!isOpen())
        return;
    if (QFile *file = fileFor(QStringLiteral("log.jsonl"))) {
        file->write(QJsonDocument(entry).toJson(QJsonDocument::Compact) + '\n');
        file->flush();
    }
}

void RunRecord::appendDriverOutput(const QString &line)
{
    if (!isOpen())
        return;
    if (QFile *file = fileFor(QStringLiteral("driver.log"))) {
        file->write(line.toUtf8() + '\n');
        file->flush();
    }
}

void RunRecord::appendSerial(const QString &machine, const QByteArray &bytes)
{
    if (!isOpen())
        return;
    if (QFile *file = fileFor(QStringLiteral("serial-%1.log").arg(safeName(machine)))) {
        file->write(bytes);
        file->flush();
    }
}

QString RunRecord::addScreenshot(const QString &machine, const QString &path)
{
    if (!isOpen())
        return QString();
    // A repeated name gets its number before the suffix (shot-1.png), so
    // viewers and *.png globs still recognise it.
    const QFileInfo source(path);
    const QString stem = QStringLiteral("%1/screenshots/%2-%3")
                             .arg(m_dir, safeName(machine), safeName(source.completeBaseName()));
    const QString suffix
        = source.suffix().isEmpty() ? QString() : QLatin1Char('.') + safeName(source.suffix());
    QString target = stem + suffix;
    for (int n = 1; QFileInfo::exists(target); ++n)
        target = stem + QLatin1Char('-') + QString::number(n) + suffix;
    return QFile::copy(path, target) ? target : QString();
}

QString RunRecord::addOcrImage(const QString &path)
{
    if (!isOpen() || path.isEmpty())
        return QString();
    const auto known = m_ocrCopies.constFind(path);
    if (known != m_ocrCopies.cend())
        return known.value();
    const QString dir = m_dir + QStringLiteral("/ocr");
    if (!QDir().mkpath(dir))
        return QString();
    const QString target = dir + QLatin1Char('/') + safeName(QFileInfo(path).fileName());
    if (!QFile::copy(path, target))
        return QString();
    m_ocrCopies.insert(path, target);
    return target;
}

bool RunRecord::writeResult(const QJsonObject &result)
{
    if (!isOpen())
        return false;
    QSaveFile file(m_dir + QStringLiteral("/result.json"));
    if (!file.open(QIODevice::WriteOnly))
        return false;
    file.write(QJsonDocument(result).toJson(QJsonDocument::Indented));
    return file.commit();
}

} // namespace nixtide
