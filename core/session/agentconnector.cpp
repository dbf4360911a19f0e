#include "core/session/agentconnector.h"

#include "core/dap/daptransport.h"

#include <QFileInfo>

namespace nixtide {

AgentConnector::AgentConnector(QObject *parent)
    : QObject(parent)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &AgentConnector::attempt);
}

AgentConnector::~AgentConnector()
{
    // The owner may delete us from a slot of our own signals, which the
    // pending socket's signal may have triggered from inside its own code.
    dropPending();
    dropWatcher();
    if (m_open)
        m_open.release()->deleteLater();
}

void AgentConnector::start(const QString &socketPath)
{
    cancel();
    if (m_open)
        m_open.release()->deleteLater();
    m_path = socketPath;
    m_lastError.clear();
    m_attempts = 0;
    m_active = true;
    m_timer.start(0);
    dropWatcher();
    // Not every runner's directory exists here (a remote host's forward
    // appears later): then the timer alone finds the socket.
    m_watcher
        = std::make_unique<QFileSystemWatcher>(QStringList {QFileInfo(m_path).absolutePath()});
    connect(m_watcher.get(), &QFileSystemWatcher::directoryChanged, this,
        &AgentConnector::onDirectoryChanged);
}

void AgentConnector::onDirectoryChanged()
{
    // Other files of the directory change too: only a socket that is there
    // is worth a try, and one try at a time.
    if (!m_active || m_pending || !QFileInfo::exists(m_path))
        return;
    m_timer.stop();
    attempt();
}

void AgentConnector::cancel()
{
    m_timer.stop();
    dropWatcher();
    dropPending();
    m_active = false;
}

std::unique_ptr<LocalSocketTransport> AgentConnector::takeTransport()
{
    return std::move(m_open);
}

void AgentConnector::dropPending()
{
    if (!m_pending)
        return;
    m_pending->disconnect(this);
    m_pending.release()->deleteLater();
}

void AgentConnector::dropWatcher()
{
    // Later, as the pending socket: we may be inside its signal.
    if (!m_watcher)
        return;
    m_watcher->disconnect(this);
    m_watcher.release()->deleteLater();
}

void AgentConnector::attempt()
{
    if (!m_active)
        return;
    if (!QFileInfo::exists(m_path)) {
        m_lastError = QStringLiteral("%1 does not exist").arg(m_path);
        retryOrFail();
        return;
    }
    m_pending = std::make_unique<LocalSocketTransport>();
    connect(m_pending.get(), &DapTransport::opened, this, &AgentConnector::onOpened);
    connect(m_pending.get(), &DapTransport::errorOccurred, this, &AgentConnector::onError);
    // May emit opened() or errorOccurred() before it returns.
    m_pending->connectTo(m_path);
}

void AgentConnector::onError(const QString &message)
{
    // The socket file is there but nobody accepts yet (or it is stale).
    dropPending();
    m_lastError = message;
    retryOrFail();
}

void AgentConnector::onOpened()
{
    m_pending->disconnect(this);
    m_open = std::move(m_pending);
    m_active = false;
    dropWatcher();
    // Last statement: the receiver may delete us.
    Q_EMIT connected(m_open.get());
}

void AgentConnector::retryOrFail()
{
    if (++m_attempts < m_maxAttempts) {
        m_timer.start(m_intervalMs);
        return;
    }
    m_active = false;
    dropWatcher();
    Q_EMIT failed(QStringLiteral("cannot connect to the debug agent at %1 after %2 attempts "
                                 "in %3 s: %4")
            .arg(m_path)
            .arg(m_maxAttempts)
            .arg(double(m_maxAttempts) * m_intervalMs / 1000.0)
            .arg(m_lastError));
}

} // namespace nixtide
