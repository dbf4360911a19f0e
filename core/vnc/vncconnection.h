#pragma once

#include <QImage>
#include <QObject>
#include <QPoint>
#include <QRect>
#include <QSize>
#include <QString>

#include <memory>

namespace nixtide {

class VncClientThread;

// One VM screen over QEMU's VNC unix socket, seen from the GUI thread. The
// RFB work happens on a VncClientThread; this object keeps the composed
// frame (its own image, updated from the worker's copies) and forwards input.
// While open it keeps trying: it waits for the socket to appear and
// reconnects after the VM restarts.
class VncConnection : public QObject
{
    Q_OBJECT
public:
    enum class State { Disconnected, Connecting, Connected };
    Q_ENUM(State)

    explicit VncConnection(QObject *parent = nullptr);
    ~VncConnection() override;

    void open(const QString &socketPath);
    void close();
    QString socketPath() const { return m_socketPath; }

    State state() const { return m_state; }
    // Why the state is what it is, in words for people ("waiting for …").
    QString stateReason() const { return m_reason; }

    // The whole screen, RGB32; null before the first frame.
    const QImage &frame() const { return m_frame; }
    QSize frameSize() const { return m_frame.size(); }
    quint64 updatesReceived() const { return m_updates; }
    // The server's pointer shape (ARGB32, framebuffer pixels) and its
    // hotspot; null while connected to a server that sent none, and after
    // the connection ends.
    const QImage &cursorShape() const { return m_cursor; }
    QPoint cursorHotspot() const { return m_cursorHotspot; }

    // Input, in framebuffer coordinates; dropped while not connected.
    void sendKey(quint32 keysym, bool down);
    void sendPointer(const QPoint &position, int buttonMask);
    // Views turn this on while visible: QEMU then keeps its 30 ms update
    // interval instead of backing off to seconds.
    void setKeepAlive(bool on);

    // RFB pointer button bits.
    enum Button {
        LeftButton = 1,
        MiddleButton = 2,
        RightButton = 4,
        WheelUp = 8,
        WheelDown = 16,
        WheelLeft = 32,
        WheelRight = 64
    };

Q_SIGNALS:
    void stateChanged(nixtide::VncConnection::State state, const QString &reason);
    void sizeChanged(const QSize &size);
    // `rect` of frame() changed; one signal per framebuffer update.
    void frameUpdated(const QRect &rect);
    // cursorShape() changed (also to null).
    void cursorChanged(const QImage &shape, const QPoint &hotspot);

private:
    void onWorkerState(int state, const QString &reason);
    void onWorkerSize(const QSize &size);
    void onWorkerFrame(const QImage &image, const QRect &rect);
    void onWorkerCursor(const QImage &shape, const QPoint &hotspot);
    void clearCursor();
    void stopWorker();

    std::unique_ptr<VncClientThread> m_worker;
    QString m_socketPath;
    State m_state = State::Disconnected;
    QString m_reason;
    QImage m_frame;
    quint64 m_updates = 0;
    QImage m_cursor;
    QPoint m_cursorHotspot;
    bool m_keepAlive = false;
};

} // namespace nixtide
