#include "core/dap/daptransport.h"

#include <QLocalSocket>

#include <cerrno>
#include <unistd.h>

namespace nixtide {

LocalSocketTransport::LocalSocketTransport(QObject *parent)
    : DapTransport(parent)
    , m_socket(std::make_unique<QLocalSocket>())
{
    connect(m_socket.get(), &QLocalSocket::connected, this, &DapTransport::opened);
    connect(m_socket.get(), &QLocalSocket::readyRead, this,
        [this] { Q_EMIT bytesReceived(m_socket->readAll()); });
    connect(m_socket.get(), &QLocalSocket::disconnected, this, &DapTransport::closed);
    connect(m_socket.get(), &QLocalSocket::errorOccurred, this,
        [this](QLocalSocket::LocalSocketError error) {
            if (error == QLocalSocket::PeerClosedError)
                return; // reported as closed()
            Q_EMIT errorOccurred(m_socket->errorString());
        });
}

LocalSocketTransport::~LocalSocketTransport()
{
    // Closing must not call back into a half-destroyed owner.
    m_socket->disconnect(this);
}

void LocalSocketTransport::connectTo(const QString &path)
{
    m_socket->abort();
    m_socket->connectToServer(path);
}

bool LocalSocketTransport::isOpen() const
{
    return m_socket->state() == QLocalSocket::ConnectedState;
}

void LocalSocketTransport::readPending()
{
    // waitForReadyRead(0) moves what the kernel holds into the socket's
    // buffer without waiting, and emits readyRead (bytesReceived) for it.
    while (m_socket->state() == QLocalSocket::ConnectedState && m_socket->waitForReadyRead(0)) { }
    if (m_socket->bytesAvailable() > 0)
        Q_EMIT bytesReceived(m_socket->readAll());
}

void LocalSocketTransport::write(const QByteArray &bytes)
{
    m_socket->write(bytes);
}

void LocalSocketTransport::close()
{
    m_socket->disconnectFromServer();
}

StdioTransport::StdioTransport(int readFd, int writeFd, QObject *parent)
    : DapTransport(parent)
    , m_readFd(readFd)
    , m_writeFd(writeFd)
    , m_notifier(std::make_unique<QSocketNotifier>(readFd, QSocketNotifier::Read))
{
    connect(m_notifier.get(), &QSocketNotifier::activated, this, &StdioTransport::readAvailable);
}

StdioTransport::~StdioTransport() = default;

void StdioTransport::readAvailable()
{
    char buffer[65536];
    const ssize_t n = ::read(m_readFd, buffer, sizeof buffer);
    if (n > 0) {
        Q_EMIT bytesReceived(QByteArray(buffer, qsizetype(n)));
        return;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    // End of input: the editor went away.
    m_notifier->setEnabled(false);
    m_open = false;
    Q_EMIT closed();
}

void StdioTransport::write(const QByteArray &bytes)
{
    // stdout is a pipe to the editor, read continuously by it; a blocking
    // write of one frame is what every adapter does.
    qsizetype done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(m_writeFd, bytes.constData() + done, size_t(bytes.size() - done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            Q_EMIT errorOccurred(QStringLiteral("cannot write to the client: %1")
                    .arg(QString::fromLocal8Bit(strerror(errno))));
            return;
        }
        done += n;
    }
}

void StdioTransport::close()
{
    m_notifier->setEnabled(false);
    m_open = false;
}

} // namespace nixtide
