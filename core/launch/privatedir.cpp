#include "core/launch/privatedir.h"

#include <QDir>
#include <QFile>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace nixtide {

PrivateDir::~PrivateDir()
{
    if (m_autoRemove && !m_path.isEmpty())
        QDir(m_path).removeRecursively();
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
