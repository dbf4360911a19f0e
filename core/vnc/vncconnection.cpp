#include "core/vnc/vncconnection.h"

#include "core/vnc/vncclientthread.h"

#include <QPainter>

#include <algorithm>

namespace nixtide {

VncConnection::VncConnection(QObject *parent)
    : QObject(parent)
{ }

VncConnection::~VncConnection()
{
    // No stateChanged() from here: this runs among the parent's children,
    // and a slot of a parent already half destroyed (a MachineTab that is
    // a plain QWidget by now) must not be called.
    stopWorker();
}

void VncConnection::open(const QString &socketPath)
{
    close();
    m_socketPath = socketPath;
    m_worker = std::make_unique<VncClientThread>(socketPath);
    // Emitted on the worker thread: queued to this object's thread.
    connect(m_worker.get(), &VncClientThread::stateChanged, this, &VncConnection::onWorkerState,
        Qt::QueuedConnection);
    connect(m_worker.get(), &VncClientThread::sizeChanged, this, &VncConnection::onWorkerSize,
        Qt::QueuedConnection);
    connect(m_worker.get(), &VncClientThread::frameReady, this, &VncConnection::onWorkerFrame,
        Qt::QueuedConnection);
    connect(m_worker.get(), &VncClientThread::cursorShapeChanged, this,
        &VncConnection::onWorkerCursor, Qt::QueuedConnection);
    m_worker->setKeepAlive(m_keepAlive);
    m_state = State::Connecting;
    m_reason = tr("connecting to %1").arg(socketPath);
    Q_EMIT stateChanged(m_state, m_reason);
    m_worker->start();
}

void VncConnection::stopWorker()
{
    if (!m_worker)
        return;
    // Disconnect first: nothing the worker still has queued may arrive for
    // a connection that is gone.
    m_worker->disconnect(this);
    m_worker.reset(); // stops and joins; the worker wakes at once
}

void VncConnection::close()
{
    if (!m_worker)
        return;
    stopWorker();
    clearCursor();
    if (m_state != State::Disconnected) {
        m_state = State::Disconnected;
        m_reason = tr("closed");
        Q_EMIT stateChanged(m_state, m_reason);
    }
}

void VncConnection::sendKey(quint32 keysym, bool down)
{
    if (m_worker && m_state == State::Connected && keysym != 0)
        m_worker->post(std::make_unique<VncKeyCommand>(keysym, down));
}

void VncConnection::sendPointer(const QPoint &position, int buttonMask)
{
    if (m_worker && m_state == State::Connected)
        m_worker->post(std::make_unique<VncPointerCommand>(
            std::max(0, position.x()), std::max(0, position.y()), buttonMask));
}

void VncConnection::setKeepAlive(bool on)
{
    m_keepAlive = on;
    if (m_worker)
        m_worker->setKeepAlive(on);
}

void VncConnection::onWorkerState(int state, const QString &reason)
{
    const State s = state == VncClientThread::Connected ? State::Connected
        : state == VncClientThread::Connecting          ? State::Connecting
                                                        : State::Disconnected;
    if (s == m_state && reason == m_reason)
        return;
    m_state = s;
    m_reason = reason;
    // A server sends its shape again on every new connection.
    if (s != State::Connected)
        clearCursor();
    Q_EMIT stateChanged(m_state, m_reason);
}

void VncConnection::onWorkerSize(const QSize &size)
{
    if (size == m_frame.size())
        return;
    m_frame = QImage(size, QImage::Format_RGB32);
    m_frame.fill(Qt::black);
    Q_EMIT sizeChanged(size);
}

void VncConnection::onWorkerFrame(const QImage &image, const QRect &rect)
{
    if (!QRect(QPoint(0, 0), m_frame.size()).contains(rect))
        return; // from before a resize this object has already applied
    QPainter painter(&m_frame);
    painter.setCompositionMode(QPainter::CompositionMode_Source);
    painter.drawImage(rect.topLeft(), image);
    painter.end();
    ++m_updates;
    Q_EMIT frameUpdated(rect);
}

void VncConnection::onWorkerCursor(const QImage &shape, const QPoint &hotspot)
{
    m_cursor = shape;
    m_cursorHotspot = hotspot;
    Q_EMIT cursorChanged(m_cursor, m_cursorHotspot);
}

void VncConnection::clearCursor()
{
    if (m_cursor.isNull())
        return;
    m_cursor = QImage();
    m_cursorHotspot = QPoint();
    Q_EMIT cursorChanged(m_cursor, m_cursorHotspot);
}

} // namespace nixtide
