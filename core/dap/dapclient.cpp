#include "core/dap/dapclient.h"

#include "core/dap/dapmessage.h"
#include "core/dap/daptransport.h"

namespace nixtide {

void DapCapabilities::update(const QJsonObject &body)
{
    for (auto it = body.begin(); it != body.end(); ++it)
        raw.insert(it.key(), it.value());
    auto flag = [this](const char *name) { return raw.value(QLatin1String(name)).toBool(); };
    supportsConfigurationDoneRequest = flag("supportsConfigurationDoneRequest");
    supportsConditionalBreakpoints = flag("supportsConditionalBreakpoints");
    supportsEvaluateForHovers = flag("supportsEvaluateForHovers");
    supportsTerminateRequest = flag("supportsTerminateRequest");
    supportsSetVariable = flag("supportsSetVariable");
    supportsStepBack = flag("supportsStepBack");
    supportsRestartRequest = flag("supportsRestartRequest");
}

DapClient::DapClient(DapTransport *transport, QObject *parent)
    : QObject(parent)
    , m_transport(transport)
{
    connect(m_transport, &DapTransport::bytesReceived, this, &DapClient::onBytes);
    connect(m_transport, &DapTransport::closed, this, [this] {
        failAllPending(QStringLiteral("the connection closed before an answer came"));
        Q_EMIT closed();
    });
    m_watchdog.setInterval(250);
    connect(&m_watchdog, &QTimer::timeout, this, &DapClient::checkTimeouts);
}

DapClient::~DapClient()
{
    if (m_transport)
        m_transport->disconnect(this);
}

int DapClient::postRequest(
    const QString &command, const QJsonObject &arguments, Callback callback, int timeoutMs)
{
    const int seq = m_nextSeq++;
    QJsonObject request {{QStringLiteral("seq"), seq},
        {QStringLiteral("type"), QStringLiteral("request")}, {QStringLiteral("command"), command}};
    if (!arguments.isEmpty())
        request.insert(QStringLiteral("arguments"), arguments);
    Pending pending;
    pending.command = command;
    pending.callback = std::move(callback);
    pending.timeoutMs = timeoutMs < 0 ? m_defaultTimeoutMs : timeoutMs;
    pending.age.start();
    m_pending.insert(seq, std::move(pending));
    if (!m_watchdog.isActive())
        m_watchdog.start();
    m_transport->write(DapFramer::encode(request));
    return seq;
}

void DapClient::postResponse(
    const QJsonObject &request, bool success, const QJsonObject &body, const QString &message)
{
    QJsonObject response = dapResponse(request, success, body, message);
    response.insert(QStringLiteral("seq"), m_nextSeq++);
    m_transport->write(DapFramer::encode(response));
}

QString DapClient::pendingCommand(int seq) const
{
    return m_pending.value(seq).command;
}

void DapClient::onBytes(const QByteArray &bytes)
{
    for (const DapFramer::Item &item : m_framer.feed(bytes)) {
        switch (item.kind) {
        case DapFramer::Item::Kind::Message:
            dispatch(item.message);
            break;
        case DapFramer::Item::Kind::Junk:
            Q_EMIT protocolError(QStringLiteral("%1 bytes outside a DAP frame: %2")
                    .arg(item.junk.size())
                    .arg(QString::fromUtf8(item.junk.left(200))));
            break;
        case DapFramer::Item::Kind::Error:
            Q_EMIT protocolError(item.error);
            break;
        }
    }
}

void DapClient::dispatch(const QJsonObject &message)
{
    const QString type = message.value(QStringLiteral("type")).toString();
    if (type == QLatin1String("response")) {
        DapResponse response;
        response.requestSeq = message.value(QStringLiteral("request_seq")).toInt();
        response.command = message.value(QStringLiteral("command")).toString();
        response.success = message.value(QStringLiteral("success")).toBool();
        response.message = message.value(QStringLiteral("message")).toString();
        response.body = message.value(QStringLiteral("body")).toObject();
        const auto it = m_pending.find(response.requestSeq);
        if (it == m_pending.end()) {
            Q_EMIT protocolError(
                QStringLiteral("a response to request %1 (%2), which is not pending")
                    .arg(response.requestSeq)
                    .arg(response.command));
            return;
        }
        const Callback callback = std::move(it->callback);
        // The command we sent is the truth; a peer echoing another name is a
        // bug worth seeing, but the seq decides.
        if (response.command != it->command) {
            Q_EMIT protocolError(QStringLiteral("response to request %1 names command '%2', "
                                                "the request was '%3'")
                    .arg(response.requestSeq)
                    .arg(response.command, it->command));
            response.command = it->command;
        }
        m_pending.erase(it);
        if (m_pending.isEmpty())
            m_watchdog.stop();
        if (response.command == QLatin1String("initialize") && response.success) {
            m_capabilities.update(response.body);
            Q_EMIT capabilitiesChanged();
        }
        if (callback)
            callback(response);
        Q_EMIT responseReceived(response);
    } else if (type == QLatin1String("event")) {
        const QString event = message.value(QStringLiteral("event")).toString();
        const QJsonObject body = message.value(QStringLiteral("body")).toObject();
        if (event == QLatin1String("capabilities")) {
            m_capabilities.update(body.value(QStringLiteral("capabilities")).toObject());
            Q_EMIT capabilitiesChanged();
        }
        Q_EMIT eventReceived(event, body);
    } else if (type == QLatin1String("request")) {
        Q_EMIT reverseRequestReceived(message);
    } else {
        Q_EMIT protocolError(QStringLiteral("a message of unknown type '%1'").arg(type));
    }
}

void DapClient::checkTimeouts()
{
    for (auto it = m_pending.begin(); it != m_pending.end(); ++it) {
        if (it->reported || it->timeoutMs <= 0 || it->age.elapsed() < it->timeoutMs)
            continue;
        it->reported = true;
        Q_EMIT requestTimedOut(it.key(), it->command, int(it->age.elapsed()));
    }
}

void DapClient::failAllPending(const QString &why)
{
    const QHash<int, Pending> pending = std::exchange(m_pending, {});
    m_watchdog.stop();
    for (auto it = pending.begin(); it != pending.end(); ++it) {
        DapResponse response;
        response.requestSeq = it.key();
        response.command = it->command;
        response.message = why;
        if (it->callback)
            it->callback(response);
        Q_EMIT responseReceived(response);
    }
}

} // namespace nixtide
