#pragma once

#include "core/vnc/vnccommands.h"

#include <QImage>
#include <QPoint>
#include <QRect>
#include <QSize>
#include <QString>
#include <QThread>

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>

namespace nixtide {

// Owns one rfbClient (libvncclient is blocking) on its own thread. Connects
// to a QEMU VNC server on a unix socket, retrying while the socket is absent
// or refuses, and again after the server goes away (the VM restarted). Idle
// time is spent in poll() on the socket and a wake-up eventfd.
//
// Signals are emitted from the worker thread; receivers on the GUI thread
// get them queued. Frames are handed over as copies: the decode buffer never
// leaves this thread.
class VncClientThread : public QThread
{
    Q_OBJECT
public:
    enum State { Disconnected, Connecting, Connected };

    explicit VncClientThread(const QString &socketPath, QObject *parent = nullptr);
    // Stops the worker and waits for it; the wait is short because stopping
    // wakes poll() and shuts the socket down under any blocking read.
    ~VncClientThread() override;

    // Thread-safe.
    void requestStop();
    void post(std::unique_ptr<VncCommand> command);
    void setKeepAlive(bool on);

Q_SIGNALS:
    void stateChanged(int state, const QString &reason);
    void sizeChanged(const QSize &size);
    // `image` holds the pixels of `rect` (framebuffer coordinates), RGB32.
    void frameReady(const QImage &image, const QRect &rect);
    // The server's pointer shape (RichCursor or XCursor pseudo-encoding),
    // ARGB32 with the mask as alpha; `hotspot` lies inside `shape`.
    void cursorShapeChanged(const QImage &shape, const QPoint &hotspot);

protected:
    void run() override;

private:
    struct ClientDeleter
    {
        void operator()(rfbClient *client) const;
    };
    using ClientPtr = std::unique_ptr<rfbClient, ClientDeleter>;

    ClientPtr handshake(int fd, QString *reason);
    QString serve(rfbClient *client);
    bool drainCommands(rfbClient *client);
    // Sleeps until woken or `timeout` passes; false when asked to stop.
    bool waitForWake(std::chrono::milliseconds timeout);
    void readWakeFd();
    void report(State state, const QString &reason);
    void setSocket(int fd);

    static rfbBool mallocFrameBuffer(rfbClient *client);
    static void gotUpdate(rfbClient *client, int x, int y, int w, int h);
    static void finishedUpdate(rfbClient *client);
    static void gotCursorShape(
        rfbClient *client, int xhot, int yhot, int width, int height, int bytesPerPixel);
    static VncClientThread *self(rfbClient *client);

    const QString m_socketPath;
    int m_wakeFd = -1;
    std::atomic<bool> m_stop {false};
    std::atomic<bool> m_keepAlive {false};

    std::mutex m_queueMutex;
    std::deque<std::unique_ptr<VncCommand>> m_queue;

    // The connected socket, for requestStop() to shut down from the GUI
    // thread; cleared under the lock before libvncclient closes it.
    std::mutex m_socketMutex;
    int m_socket = -1;

    // Worker-thread state.
    QRect m_dirty;
    int m_pointerX = 0;
    int m_pointerY = 0;
    int m_pointerButtons = 0;
    std::chrono::steady_clock::time_point m_lastInput;
    State m_reportedState = Disconnected;
    QString m_reportedReason;
};

} // namespace nixtide
