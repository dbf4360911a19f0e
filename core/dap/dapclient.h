#pragma once

#include "core/dap/dapframer.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QTimer>

#include <functional>

namespace nixtide {

class DapTransport;

// What the adapter said it can do in its initialize response (and later
// `capabilities` events). `raw` keeps everything for callers that need more.
struct DapCapabilities
{
    bool supportsConfigurationDoneRequest = false;
    bool supportsConditionalBreakpoints = false;
    bool supportsEvaluateForHovers = false;
    bool supportsTerminateRequest = false;
    bool supportsSetVariable = false;
    bool supportsStepBack = false;
    bool supportsRestartRequest = false;
    QJsonObject raw;

    void update(const QJsonObject &body);
};

struct DapResponse
{
    int requestSeq = 0;
    QString command;
    bool success = false;
    QString message; // the error text when !success
    QJsonObject body;
};

// A DAP client over any DapTransport. Requests are numbered by this client
// (no global counter), responses matched by request_seq only, and a request
// that gets no answer in time is named in requestTimedOut() (it stays
// pending: a slow `evaluate` may still answer).
class DapClient : public QObject
{
    Q_OBJECT

public:
    using Callback = std::function<void(const DapResponse &)>;

    // The transport must outlive the client (usually both share a parent).
    explicit DapClient(DapTransport *transport, QObject *parent = nullptr);
    ~DapClient() override;

    // Sends a request; returns its seq. `callback` runs once with the answer
    // (or a failure if the connection closes first). timeoutMs < 0: the
    // default; 0: no watchdog (e.g. launch, evaluate of a long command).
    int postRequest(const QString &command, const QJsonObject &arguments = {},
        Callback callback = {}, int timeoutMs = -1);
    // Answers a request the adapter sent us (runInTerminal, startDebugging).
    void postResponse(const QJsonObject &request, bool success, const QJsonObject &body = {},
        const QString &message = {});

    void setDefaultTimeout(int ms) { m_defaultTimeoutMs = ms; }
    const DapCapabilities &capabilities() const { return m_capabilities; }
    QList<int> pendingRequests() const { return m_pending.keys(); }
    QString pendingCommand(int seq) const;

Q_SIGNALS:
    void responseReceived(const nixtide::DapResponse &response);
    void eventReceived(const QString &event, const QJsonObject &body);
    void reverseRequestReceived(const QJsonObject &request);
    void capabilitiesChanged();
    void requestTimedOut(int seq, const QString &command, int waitedMs);
    void protocolError(const QString &message);
    void closed();

private:
    struct Pending
    {
        QString command;
        Callback callback;
        int timeoutMs = 0;
        QElapsedTimer age;
        bool reported = false;
    };

    void onBytes(const QByteArray &bytes);
    void dispatch(const QJsonObject &message);
    void checkTimeouts();
    void failAllPending(const QString &why);

    DapTransport *m_transport;
    DapFramer m_framer;
    QHash<int, Pending> m_pending;
    QTimer m_watchdog;
    DapCapabilities m_capabilities;
    int m_nextSeq = 1;
    int m_defaultTimeoutMs = 30000;
};

} // namespace nixtide
