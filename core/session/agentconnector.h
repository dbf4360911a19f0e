#pragma once

#include "core/dap/daptransport.h"

#include <QFileSystemWatcher>
#include <QObject>
#include <QString>
#include <QTimer>

#include <memory>

namespace nixtide {

// Connects to the debug agent's socket, which appears only once the driver's
// Python has started: tries as soon as the socket's directory changes (the
// agent binds it), and every intervalMs until a connection opens or
// maxAttempts tries have failed, on a timer (never a blocking wait); the
// timer alone would add up to an interval to every start. Owned by
// DriverHost.
class AgentConnector : public QObject
{
    Q_OBJECT

public:
    static constexpr int kDefaultIntervalMs = 100;
    static constexpr int kDefaultAttempts = 600; // the agent listens within a minute or never

    explicit AgentConnector(QObject *parent = nullptr);
    ~AgentConnector() override;

    void setInterval(int ms) { m_intervalMs = ms; }
    void setMaxAttempts(int attempts) { m_maxAttempts = attempts; }
    int intervalMs() const { return m_intervalMs; }
    int maxAttempts() const { return m_maxAttempts; }

    // Asynchronous: connected() or failed() follows (the first try is made
    // from the event loop, never from inside start()).
    void start(const QString &socketPath);
    void cancel();
    bool isActive() const { return m_active; }

    // The open transport, once connected() was emitted; the caller owns it.
    std::unique_ptr<LocalSocketTransport> takeTransport();

Q_SIGNALS:
    // `transport` is open and still owned by the connector: take it with
    // takeTransport() (in this slot or later) before the next start().
    void connected(nixtide::LocalSocketTransport *transport);
    // Every attempt failed; the message names the socket and the last error.
    void failed(const QString &message);

private:
    void attempt();
    void onDirectoryChanged();
    void onError(const QString &message);
    void onOpened();
    void retryOrFail();
    void dropPending();
    void dropWatcher();

    QTimer m_timer;
    std::unique_ptr<QFileSystemWatcher> m_watcher; // the socket's directory, while active
    QString m_path;
    QString m_lastError;
    std::unique_ptr<LocalSocketTransport> m_pending; // connecting
    std::unique_ptr<LocalSocketTransport> m_open; // connected, not yet taken
    int m_intervalMs = kDefaultIntervalMs;
    int m_maxAttempts = kDefaultAttempts;
    int m_attempts = 0;
    bool m_active = false;
};

} // namespace nixtide
