#include "ui/machines/consoleinput.h"

#include <QPointer>

namespace nixtide {

ConsoleInput::ConsoleInput(Sender sender, QObject *parent)
    : QObject(parent)
    , m_sender(std::move(sender))
{ }

void ConsoleInput::append(const QByteArray &bytes)
{
    if (bytes.isEmpty())
        return;
    m_pending += bytes;
    if (!m_inFlight)
        sendPending();
}

void ConsoleInput::sendPending()
{
    if (m_pending.isEmpty()) {
        Q_EMIT drained();
        return;
    }
    // A key's bytes always arrive whole (QTermWidget's sendData carries one
    // key's sequence), so the batch never splits a UTF-8 character.
    const QString text = QString::fromUtf8(m_pending);
    m_pending.clear();
    m_inFlight = true;
    ++m_requests;
    QPointer<ConsoleInput> self(this);
    m_sender(text, [self] {
        if (!self)
            return;
        self->m_inFlight = false;
        self->sendPending();
    });
}

} // namespace nixtide
