#include "ui/editor/recoverystore.h"

#include "core/paths.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace nixtide {

namespace {

QString absolute(const QString &path)
{
    return QFileInfo(path).absoluteFilePath();
}

} // namespace

RecoveryStore::RecoveryStore(QString directory)
    : m_dir(std::move(directory))
{ }

QString RecoveryStore::defaultDirectory()
{
    return DataPaths::stateDir() + QStringLiteral("/recovery");
}

QString RecoveryStore::recoveryFileFor(const QString &path) const
{
    const QString abs = absolute(path);
    const QByteArray hash
        = QCryptographicHash::hash(abs.toUtf8(), QCryptographicHash::Sha1).toHex().left(16);
    return QStringLiteral("%1/%2-%3.json")
        .arg(m_dir, QString::fromLatin1(hash), QFileInfo(abs).fileName());
}

bool RecoveryStore::write(const QString &path, const QString &text, QString *error)
{
    if (!QDir().mkpath(m_dir)) {
        if (error)
            *error = QStringLiteral("cannot create %1").arg(m_dir);
        return false;
    }
    QJsonObject object;
    object.insert(QStringLiteral("path"), absolute(path));
    object.insert(QStringLiteral("text"), text);
    QSaveFile file(recoveryFileFor(path));
    if (!file.open(QIODevice::WriteOnly)
        || file.write(QJsonDocument(object).toJson(QJsonDocument::Compact)) < 0 || !file.commit()) {
        if (error)
            *error = file.errorString();
        return false;
    }
    return true;
}

void RecoveryStore::remove(const QString &path)
{
    QFile::remove(recoveryFileFor(path));
}

std::optional<QString> RecoveryStore::pending(const QString &path)
{
    const QString recoveryPath = recoveryFileFor(path);
    const QFileInfo recoveryInfo(recoveryPath);
    if (!recoveryInfo.exists())
        return std::nullopt;
    QFile recovery(recoveryPath);
    if (!recovery.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QJsonObject object = QJsonDocument::fromJson(recovery.readAll()).object();
    recovery.close();
    if (object.value(QStringLiteral("path")).toString() != absolute(path))
        return std::nullopt; // hash collision or a foreign file: leave it alone
    const QString text = object.value(QStringLiteral("text")).toString();

    // Offered even when the file changed on disk after the copy was taken (a
    // checkout, a formatter): those edits were never saved anywhere, and only
    // the person can tell whether they still matter. Identical text is the
    // one case where nothing would be lost.
    QString current;
    QFile source(path);
    if (source.open(QIODevice::ReadOnly))
        current = QString::fromUtf8(source.readAll());
    if (current == text) {
        remove(path);
        return std::nullopt;
    }
    return text;
}

} // namespace nixtide
