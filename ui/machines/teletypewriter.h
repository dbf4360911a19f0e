#pragma once

#include <QByteArray>
#include <QObject>

#include <deque>

class QSocketNotifier;

namespace nixtide {

// Writes bytes into a terminal's pty (the slave end, which the terminal
// reads through the master) without ever blocking the GUI thread: the pty
// holds only a few kilobytes, and the terminal that drains it runs on this
// same thread. What does not fit waits, in order, until the pty is writable.
class TeletypeWriter : public QObject
{
    Q_OBJECT
public:
    // `fd` stays owned by the caller and must outlive this writer.
    explicit TeletypeWriter(int fd, QObject *parent = nullptr);

    void write(const QByteArray &bytes);
    qsizetype pendingBytes() const { return m_pending; }

Q_SIGNALS:
    // Everything written so far is in the pty.
    void drained();

private:
    void flush();

    int m_fd;
    QSocketNotifier *m_writable;
    std::deque<QByteArray> m_queue;
    qsizetype m_offset = 0; // into m_queue.front()
    qsizetype m_pending = 0;
};

} // namespace nixtide
