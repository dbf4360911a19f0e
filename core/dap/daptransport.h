#pragma once

#include <QObject>
#include <QSocketNotifier>

#include <memory>

class QLocalSocket;

namespace nixtide {

// Where DAP bytes come from and go to. DapClient and the adapter bridge talk
// to this interface so they can be tested against any peer.
class DapTransport : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;
    ~DapTransport() override = default;

    virtual bool isOpen() const = 0;
    virtual void write(const QByteArray &bytes) = 0;
    virtual void close() = 0;

Q_SIGNALS:
    void opened();
    void bytesReceived(const QByteArray &bytes);
    void closed();
    void errorOccurred(const QString &message);
};

// A unix socket client (the agent listens inside the driver).
class LocalSocketTransport : public DapTransport
{
    Q_OBJECT

public:
    explicit LocalSocketTransport(QObject *parent = nullptr);
    ~LocalSocketTransport() override;

    // Asynchronous: opened() or errorOccurred() follows.
    void connectTo(const QString &path);
    // Hands on, now, what the peer wrote and this side has not read yet.
    void readPending();
    bool isOpen() const override;
    void write(const QByteArray &bytes) override;
    void close() override;

private:
    std::unique_ptr<QLocalSocket> m_socket;
};

// stdin/stdout of this process, for `nixtide debug-adapter` (the editor
// starts us and speaks DAP on our standard streams).
class StdioTransport : public DapTransport
{
    Q_OBJECT

public:
    explicit StdioTransport(int readFd = 0, int writeFd = 1, QObject *parent = nullptr);
    ~StdioTransport() override;

    bool isOpen() const override { return m_open; }
    void write(const QByteArray &bytes) override;
    void close() override;

private:
    void readAvailable();

    int m_readFd;
    int m_writeFd;
    bool m_open = true;
    std::unique_ptr<QSocketNotifier> m_notifier;
};

} // namespace nixtide
