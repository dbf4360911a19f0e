#include "core/dap/dapframer.h"

#include <QJsonDocument>

namespace nixtide {

namespace {

const QByteArray kHeaderEnd = QByteArrayLiteral("\r\n\r\n");
const QByteArray kContentLength = QByteArrayLiteral("Content-Length");

} // namespace

QList<DapFramer::Item> DapFramer::feed(const QByteArray &bytes)
{
    m_buffer += bytes;
    QList<Item> items;
    for (;;) {
        const qsizetype end = m_buffer.indexOf(kHeaderEnd);
        if (end < 0) {
            // No complete header yet. Anything before a "Content-Length"
            // can never become part of a frame: report it now.
            const qsizetype start = m_buffer.indexOf(kContentLength);
            if (start > 0) {
                items.append({Item::Kind::Junk, {}, m_buffer.left(start), {}});
                m_buffer.remove(0, start);
            }
            return items;
        }
        const qsizetype start = m_buffer.indexOf(kContentLength);
        if (start < 0 || start > end) {
            items.append({Item::Kind::Junk, {}, m_buffer.left(end + 4), {}});
            m_buffer.remove(0, end + 4);
            continue;
        }
        if (start > 0) {
            items.append({Item::Kind::Junk, {}, m_buffer.left(start), {}});
            m_buffer.remove(0, start);
            continue;
        }
        // Several header lines are allowed (Content-Type, say); only the
        // length matters.
        qsizetype length = -1;
        for (const QByteArray &line : m_buffer.left(end).split('\n')) {
            const qsizetype colon = line.indexOf(':');
            if (colon < 0)
                continue;
            if (line.left(colon).trimmed().compare(kContentLength, Qt::CaseInsensitive) == 0) {
                bool ok = false;
                length = line.mid(colon + 1).trimmed().toLongLong(&ok);
                if (!ok)
                    length = -1;
            }
        }
        if (length < 0) {
            items.append({Item::Kind::Junk, {}, m_buffer.left(end + 4), {}});
            m_buffer.remove(0, end + 4);
            continue;
        }
        const qsizetype bodyStart = end + 4;
        if (m_buffer.size() < bodyStart + length)
            return items;
        const QByteArray body = m_buffer.mid(bodyStart, length);
        m_buffer.remove(0, bodyStart + length);
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
        if (parseError.error != QJsonParseError::NoError) {
            items.append({Item::Kind::Error, {}, {},
                QStringLiteral("invalid JSON in a frame of %1 bytes: %2 at offset %3")
                    .arg(length)
                    .arg(parseError.errorString())
                    .arg(parseError.offset)});
            continue;
        }
        if (!doc.isObject()) {
            items.append(
                {Item::Kind::Error, {}, {}, QStringLiteral("a frame is not a JSON object")});
            continue;
        }
        items.append({Item::Kind::Message, doc.object(), {}, {}});
    }
}

QByteArray DapFramer::encode(const QJsonObject &message)
{
    const QByteArray body = QJsonDocument(message).toJson(QJsonDocument::Compact);
    return kContentLength + ": " + QByteArray::number(body.size()) + kHeaderEnd + body;
}

} // namespace nixtide
