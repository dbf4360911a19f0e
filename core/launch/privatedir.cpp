#include "core/launch/privatedir.h"

#include <QDir>
#include <QFile>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace nixtide {

PrivateDir::~PrivateDir()
{
    if (!m_autoRemove || m_path.isEmpty())
        return;
    // The driver's group watchdog removes it too once nixtide lets go of the
    // group, at the same time. QDir::removeRecursively() leaves the directory
    // itself when an entry vanished under it, so go over what is left again:
    // a pass fails only on what the other remover took.
    QDir dir(m_path);
    for (int pass = 0; pass < 10 && dir.exists(); ++pass)
        dir.removeRecursively();
}

bool PrivateDir::create(const QString &parent, const QString &prefix, QString *error)
{
    QByteArray pattern
        = QFile::encodeName(parent + QLatin1Char('/') + prefix + QStringLiteral("XXXXXX"));
    // mkdtemp creates the directory with mode 0700 whatever the umask.
    if (!::mkdtemp(pattern.data())) {
        *error = QStringLiteral("cannot create a private directory in %1: %2")
                     .arg(parent, QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    m_path = QFile::decodeName(pattern);
    return true;
}

} // namespace nixtide
