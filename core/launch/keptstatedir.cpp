#include "core/launch/keptstatedir.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace nixtide {

namespace {

const char kLockName[] = "nixtide.lock";

} // namespace

KeptStateDir::~KeptStateDir()
{
    if (m_lock) {
        removeRunLeftovers();
        m_lock->unlock();
    }
}

bool KeptStateDir::take(const QString &path, QString *error)
{
    if (!QDir().mkpath(path)
        || !QFile::setPermissions(
            path, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner)) {
        *error = QStringLiteral("cannot create the VM state directory %1").arg(path);
        return false;
    }
    auto lock = std::make_unique<QLockFile>(path + QLatin1Char('/') + QLatin1String(kLockName));
    // A lock whose owner is dead is taken over (QLockFile checks the pid).
    if (!lock->tryLock(0)) {
        qint64 pid = 0;
        QString host, app;
        lock->getLockInfo(&pid, &host, &app);
        *error = lock->error() == QLockFile::LockFailedError
            ? QStringLiteral("the kept VM state in %1 is in use by another run (pid %2)")
                  .arg(path)
                  .arg(pid)
            : QStringLiteral("cannot lock the VM state directory %1").arg(path);
        return false;
    }
    m_path = path;
    m_lock = std::move(lock);
    // Held by us now: a leftover socket directory is a dead switch's.
    removeRunLeftovers();
    return true;
}

void KeptStateDir::removeRunLeftovers() const
{
    QDir dir(m_path);
    const QStringList leftovers
        = dir.entryList({QStringLiteral("vde*.ctl"), QStringLiteral("shared-xchg")},
            QDir::Dirs | QDir::Files | QDir::System | QDir::Hidden | QDir::NoDotAndDotDot);
    for (const QString &name : leftovers) {
        const QString path = dir.filePath(name);
        if (QFileInfo(path).isDir() && !QFileInfo(path).isSymLink())
            QDir(path).removeRecursively();
        else
            QFile::remove(path);
    }
}

} // namespace nixtide
