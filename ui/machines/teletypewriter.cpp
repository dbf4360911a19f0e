#include "ui/machines/teletypewriter.h"

#include <QSocketNotifier>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace nixtide {

TeletypeWriter::TeletypeWriter(int fd, QObject *parent)
    : QObject(parent)
    , m_fd(fd)
    , m_writable(new QSocketNotifier(fd, QSocketNotifier::Write, this))
{
    const int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        qWarning("serial console: cannot make the pty non-blocking: %s", std::strerror(errno));
    m_writable->setEnabled(false);
    connect(m_writable, &QSocketNotifier::activated, this, &TeletypeWriter::flush);
}

void TeletypeWriter::write(const QByteArray &bytes)
{
    if (bytes.isEmpty())
        return;
    m_queue.push_back(bytes);
    m_pending += bytes.size();
    if (!m_writable->isEnabled())
        flush();
}

void TeletypeWriter::flush()
{
    while (!m_queue.empty()) {
        const QByteArray &front = m_queue.front();
        const ssize_t n
            = ::write(m_fd, front.constData() + m_offset, size_t(front.size() - m_offset));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            m_writable->setEnabled(true);
            return;
        }
        if (n < 0) {
            // The terminal's pty is gone (the widget is being destroyed):
            // nothing can show these bytes any more.
            qWarning("serial console: writing to the pty failed: %s", std::strerror(errno));
            m_queue.clear();
            m_offset = 0;
            m_pending = 0;
            break;
        }
        m_offset += n;
        m_pending -= n;
        if (m_offset == front.size()) {
            m_queue.pop_front();
            m_offset = 0;
        }
    }
    m_writable->setEnabled(false);
    Q_EMIT drained();
}

} // namespace nixtide
