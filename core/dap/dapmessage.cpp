#include "core/dap/dapmessage.h"

namespace nixtide {

QJsonObject dapResponse(
    const QJsonObject &request, bool success, const QJsonObject &body, const QString &message)
{
    QJsonObject response {{QStringLiteral("type"), QStringLiteral("response")},
        {QStringLiteral("request_seq"), request.value(QStringLiteral("seq"))},
        {QStringLiteral("command"), request.value(QStringLiteral("command"))},
        {QStringLiteral("success"), success}};
    if (!body.isEmpty())
        response.insert(QStringLiteral("body"), body);
    if (!message.isEmpty())
        response.insert(QStringLiteral("message"), message);
    return response;
}

} // namespace nixtide
