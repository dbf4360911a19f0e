#pragma once

// A minimal RFB 3.8 server on a unix socket for tests that need a server to
// misbehave on cue: no security, a 64x48 32-bit true-colour screen, raw
// full-screen updates, optionally cursor shapes first. Runs on its own
// thread with blocking sockets.
#include <QByteArray>
#include <QImage>
#include <QList>
#include <QPoint>
#include <QString>

#include <atomic>
#include <cstring>
#include <mutex>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

namespace nixtide::testing {

class FakeRfbServer
{
public:
    static constexpr int kWidth = 64;
    static constexpr int kHeight = 48;

    // The first `cutConnections` connections get half of an update and are
    // then closed; later ones get `afterHandshake` (if any) and then a full
    // update every 30 ms until stopped.
    FakeRfbServer(const QString &path, int cutConnections, const QByteArray &afterHandshake = {})
        : m_cutConnections(cutConnections)
        , m_afterHandshake(afterHandshake)
    {
        const QByteArray native = path.toLocal8Bit();
        sockaddr_un addr {};
        addr.sun_family = AF_UNIX;
        std::memcpy(addr.sun_path, native.constData(), size_t(native.size()));
        m_listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        m_listening
            = ::bind(m_listener, reinterpret_cast<const sockaddr *>(&addr), sizeof addr) == 0
            && ::listen(m_listener, 4) == 0;
        m_thread = std::thread([this] { run(); });
    }
    ~FakeRfbServer()
    {
        m_stop = true;
        m_thread.join();
        ::close(m_listener);
    }
    bool isListening() const { return m_listening; }
    int connections() const { return m_connections; }
    int updatesSent() const { return m_updates; }
    // Everything clients sent after their handshakes.
    QByteArray received() const
    {
        std::lock_guard lock(m_receivedMutex);
        return m_received;
    }

    // A FramebufferUpdate message of the given (pseudo-)rectangles.
    static QByteArray updateOf(const QList<QByteArray> &rectangles)
    {
        QByteArray message("\x00\x00", 2);
        message += u16(int(rectangles.size()));
        for (const QByteArray &rectangle : rectangles)
            message += rectangle;
        return message;
    }
    // A RichCursor (-239) pseudo-rectangle. `pixels` (width x height, row by
    // row) are in the client's format, 0x00RRGGBB little-endian; `opaque`
    // says which of them the mask shows. `data` false sends the header only
    // (a size the client refuses before reading on).
    static QByteArray richCursor(int xhot, int yhot, int width, int height,
        const QList<quint32> &pixels, const QList<bool> &opaque, bool data = true)
    {
        QByteArray rect
            = u16(xhot) + u16(yhot) + u16(width) + u16(height) + QByteArray("\xff\xff\xff\x11", 4);
        if (!data)
            return rect;
        for (int i = 0; i < width * height; ++i) {
            const quint32 pixel = i < pixels.size() ? pixels.at(i) : 0;
            for (int byte = 0; byte < 4; ++byte)
                rect += char((pixel >> (8 * byte)) & 0xff);
        }
        const int rowBytes = (width + 7) / 8;
        for (int y = 0; y < height; ++y) {
            QByteArray row(rowBytes, '\0');
            for (int x = 0; x < width; ++x) {
                const int i = y * width + x;
                if (i < opaque.size() && opaque.at(i))
                    row[x / 8] = char(row.at(x / 8) | (0x80 >> (x % 8)));
            }
            rect += row;
        }
        return rect;
    }

    // A known cursor shape for tests: 10x4 (rows padded in the mask),
    // colours that say where they are, a pattern of transparent pixels.
    struct Cursor
    {
        QPoint hotspot {3, 2};
        int width = 10;
        int height = 4;
        quint32 pixel(int x, int y) const
        {
            return quint32(x * 20) << 16 | quint32(y * 50) << 8 | 0x80;
        }
        bool opaque(int x, int y) const { return (x + y) % 3 != 0; }
        QByteArray rectangle() const
        {
            QList<quint32> pixels;
            QList<bool> mask;
            for (int y = 0; y < height; ++y) {
                for (int x = 0; x < width; ++x) {
                    pixels << pixel(x, y);
                    mask << opaque(x, y);
                }
            }
            return richCursor(hotspot.x(), hotspot.y(), width, height, pixels, mask);
        }
        // What the client must make of it: ARGB32, alpha from the mask.
        QImage image() const
        {
            QImage image(width, height, QImage::Format_ARGB32);
            for (int y = 0; y < height; ++y) {
                for (int x = 0; x < width; ++x)
                    image.setPixel(x, y, opaque(x, y) ? 0xff000000u | pixel(x, y) : 0u);
            }
            return image;
        }
    };

private:
    static bool sendAll(int fd, const QByteArray &bytes)
    {
        qsizetype at = 0;
        while (at < bytes.size()) {
            const ssize_t n
                = ::send(fd, bytes.constData() + at, size_t(bytes.size() - at), MSG_NOSIGNAL);
            if (n <= 0)
                return false;
            at += n;
        }
        return true;
    }
    bool readable(int fd, int ms) const
    {
        pollfd p {fd, POLLIN, 0};
        return ::poll(&p, 1, ms) > 0;
    }
    bool readExactly(int fd, int count) const
    {
        char buffer[64];
        while (count > 0) {
            if (m_stop)
                return false;
            if (!readable(fd, 100))
                continue;
            const ssize_t n = ::recv(fd, buffer, size_t(std::min<int>(count, sizeof buffer)), 0);
            if (n <= 0)
                return false;
            count -= int(n);
        }
        return true;
    }
    static QByteArray u16(int v)
    {
        QByteArray bytes;
        bytes += char((v >> 8) & 0xff);
        bytes += char(v & 0xff);
        return bytes;
    }
    static QByteArray update(quint8 shade)
    {
        QByteArray message("\x00\x00\x00\x01", 4); // FramebufferUpdate, 1 rectangle
        message += u16(0) + u16(0) + u16(kWidth) + u16(kHeight) + QByteArray(4, '\0'); // raw
        message += QByteArray(kWidth * kHeight * 4, char(shade));
        return message;
    }
    bool handshake(int fd) const
    {
        QByteArray init = u16(kWidth) + u16(kHeight);
        init += QByteArray("\x20\x18\x00\x01", 4) + u16(255) + u16(255) + u16(255);
        init += QByteArray("\x10\x08\x00\x00\x00\x00", 6) + QByteArray("\x00\x00\x00\x04", 4)
            + "fake";
        return sendAll(fd, "RFB 003.008\n") && readExactly(fd, 12)
            && sendAll(fd, QByteArray("\x01\x01", 2)) && readExactly(fd, 1)
            && sendAll(fd, QByteArray(4, '\0')) && readExactly(fd, 1) && sendAll(fd, init);
    }
    void serve(int fd, bool cut)
    {
        if (!handshake(fd))
            return;
        if (cut) {
            const QByteArray message = update(0x40);
            sendAll(fd, message.left(message.size() / 2));
            return;
        }
        if (!m_afterHandshake.isEmpty() && !sendAll(fd, m_afterHandshake))
            return;
        char sink[4096];
        for (quint8 shade = 0; !m_stop; ++shade) {
            while (readable(fd, 0)) {
                const ssize_t n = ::recv(fd, sink, sizeof sink, 0);
                if (n <= 0)
                    return;
                std::lock_guard lock(m_receivedMutex);
                m_received.append(sink, n);
            }
            if (!sendAll(fd, update(shade)))
                return;
            ++m_updates;
            ::usleep(30000);
        }
    }
    void run()
    {
        while (!m_stop) {
            if (!readable(m_listener, 100))
                continue;
            const int fd = ::accept4(m_listener, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0)
                continue;
            const int number = ++m_connections;
            serve(fd, number <= m_cutConnections);
            ::close(fd);
        }
    }

    const int m_cutConnections;
    const QByteArray m_afterHandshake;
    mutable std::mutex m_receivedMutex;
    QByteArray m_received;
    int m_listener = -1;
    bool m_listening = false;
    std::atomic<bool> m_stop {false};
    std::atomic<int> m_connections {0};
    std::atomic<int> m_updates {0};
    std::thread m_thread;
};

} // namespace nixtide::testing
