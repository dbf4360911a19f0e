#pragma once

#include <QJsonObject>
#include <QString>

namespace nixtide {

// The response to a DAP request, without its own `seq`: the sender numbers
// its messages. Shared by the client (answers to reverse requests) and the
// debug-adapter bridge (answers it gives the editor itself).
QJsonObject dapResponse(const QJsonObject &request, bool success, const QJsonObject &body = {},
    const QString &message = {});

} // namespace nixtide
