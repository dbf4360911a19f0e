#pragma once

#include <QByteArray>
#include <QObject>

#include <functional>

namespace nixtide {

// Keystrokes typed into a serial console, on their way to the VM through the
// debug session (one machineAction request each). Keys typed while a request
// is in flight are batched into the next one, so fast typing costs a few
// round trips, not one per key, and bytes never overtake each other.
class ConsoleInput : public QObject
{
    Q_OBJECT
public:
    // Sends `text`; calls `done` (once, from any later event-loop turn)
    // when the VM has it or the request failed.
    using Sender = std::function<void(const QString &text, std::function<void()> done)>;

    explicit ConsoleInput(Sender sender, QObject *parent = nullptr);

    void append(const QByteArray &bytes);
    bool busy() const { return m_inFlight; }
    qsizetype pendingBytes() const { return m_pending.size(); }
    int requestsSent() const { return m_requests; }

Q_SIGNALS:
    // Everything typed so far has been handed to the VM (or dropped).
    void drained();

private:
    void sendPending();

    Sender m_sender;
    QByteArray m_pending;
    bool m_inFlight = false;
    int m_requests = 0;
};

} // namespace nixtide
