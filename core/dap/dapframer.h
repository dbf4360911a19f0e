#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace nixtide {

// Content-Length framing of the Debug Adapter Protocol. Fed bytes in
// whatever pieces the transport delivers (a frame split anywhere, several
// frames in one read); yields complete messages in order. Bytes outside a
// frame and bodies that are not a JSON object are reported, never dropped
// silently: a confused peer must be visible.
class DapFramer
{
public:
    struct Item
    {
        enum class Kind { Message, Junk, Error };
        Kind kind;
        QJsonObject message; // Kind::Message
        QByteArray junk; // Kind::Junk
        QString error; // Kind::Error
    };

    QList<Item> feed(const QByteArray &bytes);
    // Bytes held waiting for the rest of a frame.
    qsizetype pending() const { return m_buffer.size(); }

    static QByteArray encode(const QJsonObject &message);

private:
    QByteArray m_buffer;
};

} // namespace nixtide
