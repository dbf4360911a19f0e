#include "core/remote/sshtarget.h"

#include "core/bundle/shellwords.h"

#include <QProcessEnvironment>
#include <QUrl>

namespace nixtide {

bool SshTarget::parse(const QString &uri, SshTarget *target, QString *error)
{
    const QUrl url(uri, QUrl::StrictMode);
    if (!url.isValid() || url.scheme() != QLatin1String("ssh") || url.host().isEmpty()
        || !(url.path().isEmpty() || url.path() == QLatin1String("/")) || url.hasQuery()
        || !url.password().isEmpty()) {
        *error = QStringLiteral("'%1' is not a host: write ssh://[user@]host[:port]").arg(uri);
        return false;
    }
    // ssh reads an argument starting with '-' as an option.
    if (url.host().startsWith(QLatin1Char('-')) || url.userName().startsWith(QLatin1Char('-'))) {
        *error = QStringLiteral("'%1': a user or host may not start with '-'").arg(uri);
        return false;
    }
    target->user = url.userName();
    target->host = url.host();
    target->port = url.port(0);
    target->options = optionsFromEnvironment();
    return true;
}

QStringList SshTarget::optionsFromEnvironment()
{
    QStringList words;
    splitShellWords(
        QProcessEnvironment::systemEnvironment().value(QStringLiteral("NIX_SSHOPTS")), &words);
    return words;
}

QString SshTarget::destination() const
{
    return user.isEmpty() ? host : user + QLatin1Char('@') + host;
}

QString SshTarget::uri() const
{
    QString text = QStringLiteral("ssh://") + destination();
    if (port > 0)
        text += QLatin1Char(':') + QString::number(port);
    return text;
}

QString SshTarget::storeUri() const
{
    return QStringLiteral("ssh-ng://") + destination();
}

} // namespace nixtide
