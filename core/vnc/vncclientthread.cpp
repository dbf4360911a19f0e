#include "core/vnc/vncclientthread.h"

#include <QLoggingCategory>
#include <QtEndian>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcVnc, "nixtide.vnc", QtWarningMsg)

namespace nixtide {

namespace {

using namespace std::chrono_literals;

// QEMU's idle back-off grows its update interval by 50 ms after every
// refresh that finds nothing new, up to 3 s; any input message resets it to
// 30 ms (demo-guest.md). A motionless pointer event this often keeps a
// visible screen live: every 100 ms let a change wait up to 80 ms for the
// next refresh, and arrive 104 to 187 ms late in some rounds of
// bench_idlescreen; every 50 ms kept it within 67 ms (2026-11-30).
constexpr auto kKeepAliveInterval = 50ms;
constexpr auto kRetryInterval = 250ms;
constexpr auto kReconnectDelay = 500ms;
// Raw first: on a local socket tight/zrle cost QEMU a core and halve the
// update rate; hextile is the fallback for a server without raw. (The list
// QEMU keeps is the one replaceEncodings() sends.)
constexpr char kEncodings[] = "raw hextile";
constexpr int kReadTimeoutSeconds = 10;
// Larger cursor shapes are ignored (the local arrow stays). libvncclient
// itself drops the connection at 1024 and more.
constexpr int kMaxCursorSide = 256;

int s_clientDataTag; // address used as libvncclient's client-data key

// libvncclient reports through two global printf-like hooks. Keep the last
// message of this thread so a failure can be shown to people in its own
// words; it is never parsed.
thread_local QByteArray t_lastLibMessage;

void logFromLib(const char *format, ...)
{
    char buffer[512];
    va_list args;
    va_start(args, format);
    std::vsnprintf(buffer, sizeof buffer, format, args);
    va_end(args);
    t_lastLibMessage = QByteArray(buffer).trimmed();
    qCDebug(lcVnc).noquote() << QString::fromUtf8(t_lastLibMessage);
}

void installLogHooks()
{
    static std::once_flag once;
    std::call_once(once, [] {
        rfbClientLog = &logFromLib;
        rfbClientErr = &logFromLib;
    });
}

QString libMessage(const QString &fallback)
{
    return t_lastLibMessage.isEmpty() ? fallback : QString::fromUtf8(t_lastLibMessage);
}

int connectUnix(const QString &path, QString *error)
{
    const QByteArray native = path.toLocal8Bit();
    sockaddr_un addr {};
    addr.sun_family = AF_UNIX;
    if (native.size() >= static_cast<qsizetype>(sizeof addr.sun_path)) {
        *error = QStringLiteral("socket path too long: %1").arg(path);
        return -1;
    }
    std::memcpy(addr.sun_path, native.constData(), static_cast<size_t>(native.size()));
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        *error = QString::fromLocal8Bit(std::strerror(errno));
        return -1;
    }
    if (::connect(fd, reinterpret_cast<const sockaddr *>(&addr), sizeof addr) != 0) {
        const int err = errno;
        ::close(fd);
        *error = err == ENOENT
            ? QStringLiteral("waiting for %1").arg(path)
            : QStringLiteral("%1: %2").arg(path, QString::fromLocal8Bit(std::strerror(err)));
        return -1;
    }
    return fd;
}

// libvncclient always offers ExtendedDesktopSize, and QEMU then announces
// every mode switch with it alone. QEMU numbers its only screen 0, which
// libvncclient 0.9.15 takes for an invalid layout: it ignores the rectangle
// and the frame keeps its old size for good. A second SetEncodings replaces
// the list (RFB 7.5.2) with one that has only the plain DesktopSize
// pseudo-encoding, which libvncclient handles by resizing and asking for a
// full frame.
// The cursor pseudo-encodings ask the server for its pointer's shape, which
// the view shows as its own mouse cursor: a VM whose display has a hardware
// cursor (virtio-gpu, say) leaves the pointer out of the framebuffer, so
// without them it is not seen at all. libvncclient decodes both into our
// pixel format; QEMU sends RichCursor.
bool replaceEncodings(rfbClient *client)
{
    const std::array<quint32, 5> encodings = {rfbEncodingRaw, rfbEncodingHextile,
        rfbEncodingRichCursor, rfbEncodingXCursor, rfbEncodingNewFBSize};
    rfbSetEncodingsMsg message {};
    message.type = rfbSetEncodings;
    message.nEncodings = rfbClientSwap16IfLE(static_cast<uint16_t>(encodings.size()));
    std::array<char, sz_rfbSetEncodingsMsg + encodings.size() * 4> buffer {};
    std::memcpy(buffer.data(), &message, sz_rfbSetEncodingsMsg);
    for (size_t i = 0; i < encodings.size(); ++i) {
        const quint32 network = qToBigEndian(encodings[i]);
        std::memcpy(buffer.data() + sz_rfbSetEncodingsMsg + i * 4, &network, 4);
    }
    return WriteToRFBServer(client, buffer.data(), static_cast<unsigned>(buffer.size()));
}

} // namespace

void VncClientThread::ClientDeleter::operator()(rfbClient *client) const
{
    std::free(client->frameBuffer); // rfbClientCleanup leaves it to us
    client->frameBuffer = nullptr;
    rfbClientCleanup(client);
}

VncClientThread::VncClientThread(const QString &socketPath, QObject *parent)
    : QThread(parent)
    , m_socketPath(socketPath)
    , m_wakeFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK))
{
    installLogHooks();
}

VncClientThread::~VncClientThread()
{
    requestStop();
    wait();
    if (m_wakeFd >= 0)
        ::close(m_wakeFd);
}

void VncClientThread::requestStop()
{
    m_stop = true;
    const quint64 one = 1;
    [[maybe_unused]] const auto n = ::write(m_wakeFd, &one, sizeof one);
    std::lock_guard lock(m_socketMutex);
    if (m_socket >= 0)
        ::shutdown(m_socket, SHUT_RDWR);
}

void VncClientThread::post(std::unique_ptr<VncCommand> command)
{
    {
        std::lock_guard lock(m_queueMutex);
        m_queue.push_back(std::move(command));
    }
    const quint64 one = 1;
    [[maybe_unused]] const auto n = ::write(m_wakeFd, &one, sizeof one);
}

void VncClientThread::setKeepAlive(bool on)
{
    m_keepAlive = on;
    const quint64 one = 1;
    [[maybe_unused]] const auto n = ::write(m_wakeFd, &one, sizeof one);
}

void VncClientThread::setSocket(int fd)
{
    std::lock_guard lock(m_socketMutex);
    m_socket = fd;
}

void VncClientThread::report(State state, const QString &reason)
{
    if (state == m_reportedState && reason == m_reportedReason)
        return;
    m_reportedState = state;
    m_reportedReason = reason;
    Q_EMIT stateChanged(state, reason);
}

void VncClientThread::readWakeFd()
{
    quint64 value;
    [[maybe_unused]] const auto n = ::read(m_wakeFd, &value, sizeof value);
}

bool VncClientThread::waitForWake(std::chrono::milliseconds timeout)
{
    pollfd fd {m_wakeFd, POLLIN, 0};
    if (::poll(&fd, 1, static_cast<int>(timeout.count())) > 0)
        readWakeFd();
    // Input typed while there is no connection has nowhere to go.
    std::lock_guard lock(m_queueMutex);
    m_queue.clear();
    return !m_stop;
}

void VncClientThread::run()
{
    // libvncclient writes with write(): a server gone in the middle of a
    // frame must give this thread EPIPE, not a SIGPIPE that ends the whole
    // IDE (vnc.midframe). Blocked for this thread only.
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
    while (!m_stop) {
        QString reason;
        const int fd = connectUnix(m_socketPath, &reason);
        if (fd < 0) {
            report(Connecting, reason);
            waitForWake(kRetryInterval);
            continue;
        }
        t_lastLibMessage.clear();
        ClientPtr client = handshake(fd, &reason);
        if (client) {
            report(Connected, QString());
            reason = serve(client.get());
            setSocket(-1);
            client.reset();
        }
        if (m_stop)
            break;
        report(Disconnected, reason);
        waitForWake(kReconnectDelay);
    }
    report(Disconnected, QStringLiteral("closed"));
}

VncClientThread::ClientPtr VncClientThread::handshake(int fd, QString *reason)
{
    ClientPtr client(rfbGetClient(8, 3, 4));
    if (!client) {
        ::close(fd);
        *reason = QStringLiteral("out of memory");
        return nullptr;
    }
    rfbClientSetClientData(client.get(), &s_clientDataTag, this);
    // QEMU's own pixel layout and Qt's RGB32 (0xffRRGGBB): no conversion.
    client->format.bitsPerPixel = 32;
    client->format.depth = 24;
    client->format.bigEndian = FALSE;
    client->format.trueColour = TRUE;
    client->format.redMax = client->format.greenMax = client->format.blueMax = 255;
    client->format.redShift = 16;
    client->format.greenShift = 8;
    client->format.blueShift = 0;
    client->appData.encodingsString = kEncodings;
    client->appData.useRemoteCursor = FALSE;
    client->canHandleNewFBSize = TRUE;
    client->readTimeout = kReadTimeoutSeconds;
    client->MallocFrameBuffer = &VncClientThread::mallocFrameBuffer;
    client->GotFrameBufferUpdate = &VncClientThread::gotUpdate;
    client->FinishedFrameBufferUpdate = &VncClientThread::finishedUpdate;
    client->GotCursorShape = &VncClientThread::gotCursorShape;
    client->sock = fd; // closed by rfbClientCleanup from here on
    setSocket(fd);

    const auto fail = [&](const QString &fallback) {
        *reason = libMessage(fallback);
        setSocket(-1);
        return ClientPtr();
    };
    if (!InitialiseRFBConnection(client.get()))
        return fail(QStringLiteral("VNC handshake failed"));
    client->width = client->si.framebufferWidth;
    client->height = client->si.framebufferHeight;
    if (!client->MallocFrameBuffer(client.get()))
        return fail(QStringLiteral("cannot allocate the framebuffer"));
    if (!SetFormatAndEncodings(client.get()) || !replaceEncodings(client.get()))
        return fail(QStringLiteral("cannot set the pixel format"));
    if (!SendFramebufferUpdateRequest(client.get(), 0, 0, client->width, client->height, FALSE))
        return fail(QStringLiteral("cannot request the screen"));
    return client;
}

QString VncClientThread::serve(rfbClient *client)
{
    m_dirty = QRect();
    m_lastInput = std::chrono::steady_clock::now();
    while (!m_stop) {
        int timeout = -1;
        if (m_keepAlive) {
            const auto due = m_lastInput + kKeepAliveInterval;
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                due - std::chrono::steady_clock::now());
            timeout = static_cast<int>(std::max<qint64>(0, left.count()));
        }
        pollfd fds[2] = {{client->sock, POLLIN, 0}, {m_wakeFd, POLLIN, 0}};
        if (::poll(fds, 2, timeout) < 0 && errno != EINTR)
            return QStringLiteral("poll: %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
        if (fds[1].revents & POLLIN)
            readWakeFd();
        if (m_stop)
            break;
        if (!drainCommands(client))
            return libMessage(QStringLiteral("sending input failed"));
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            // libvncclient reads ahead into its own buffer: messages already
            // there would not wake poll() again.
            do {
                if (!HandleRFBServerMessage(client))
                    return libMessage(QStringLiteral("the VNC server closed the connection"));
            } while (client->buffered > 0);
        }
        const auto now = std::chrono::steady_clock::now();
        if (m_keepAlive && now - m_lastInput >= kKeepAliveInterval) {
            if (!SendPointerEvent(client, m_pointerX, m_pointerY, m_pointerButtons))
                return libMessage(QStringLiteral("sending input failed"));
            m_lastInput = now;
        }
    }
    return QStringLiteral("closed");
}

bool VncClientThread::drainCommands(rfbClient *client)
{
    std::deque<std::unique_ptr<VncCommand>> commands;
    {
        std::lock_guard lock(m_queueMutex);
        commands.swap(m_queue);
    }
    for (const auto &command : commands) {
        if (!command->apply(client))
            return false;
        if (const auto *pointer = dynamic_cast<const VncPointerCommand *>(command.get())) {
            m_pointerX = pointer->x();
            m_pointerY = pointer->y();
            m_pointerButtons = pointer->buttons();
        }
    }
    if (!commands.empty())
        m_lastInput = std::chrono::steady_clock::now();
    return true;
}

VncClientThread *VncClientThread::self(rfbClient *client)
{
    return static_cast<VncClientThread *>(rfbClientGetClientData(client, &s_clientDataTag));
}

rfbBool VncClientThread::mallocFrameBuffer(rfbClient *client)
{
    std::free(client->frameBuffer);
    const size_t bytes
        = static_cast<size_t>(client->width) * static_cast<size_t>(client->height) * 4;
    client->frameBuffer = static_cast<uint8_t *>(std::calloc(bytes == 0 ? 1 : bytes, 1));
    if (!client->frameBuffer)
        return FALSE;
    auto *thread = self(client);
    thread->m_dirty = QRect();
    Q_EMIT thread->sizeChanged(QSize(client->width, client->height));
    return TRUE;
}

void VncClientThread::gotUpdate(rfbClient *client, int x, int y, int w, int h)
{
    auto *thread = self(client);
    thread->m_dirty |= QRect(x, y, w, h);
}

void VncClientThread::finishedUpdate(rfbClient *client)
{
    auto *thread = self(client);
    const QRect rect = thread->m_dirty & QRect(0, 0, client->width, client->height);
    thread->m_dirty = QRect();
    if (rect.isEmpty())
        return;
    // A copy the GUI owns; the alpha byte is forced to 0xff because QEMU
    // leaves it 0 and RGB32 requires it set.
    QImage image(rect.size(), QImage::Format_RGB32);
    const auto *frame = reinterpret_cast<const quint32 *>(client->frameBuffer);
    for (int row = 0; row < rect.height(); ++row) {
        const quint32 *src
            = frame + static_cast<qsizetype>(rect.y() + row) * client->width + rect.x();
        auto *dst = reinterpret_cast<quint32 *>(image.scanLine(row));
        for (int col = 0; col < rect.width(); ++col)
            dst[col] = src[col] | 0xff000000u;
    }
    Q_EMIT thread->frameReady(image, rect);
}

void VncClientThread::gotCursorShape(
    rfbClient *client, int xhot, int yhot, int width, int height, int bytesPerPixel)
{
    // The pixels are in our pixel format (0x00RRGGBB, 4 bytes); the mask is
    // one byte per pixel, 1 where the cursor is opaque. A shape this client
    // cannot show is dropped: the previous one (or the arrow) stays.
    if (width <= 0 || height <= 0 || width > kMaxCursorSide || height > kMaxCursorSide
        || bytesPerPixel != 4 || !client->rcSource || !client->rcMask) {
        qCDebug(lcVnc) << "ignoring a cursor shape of" << width << "x" << height << "at"
                       << bytesPerPixel << "bytes per pixel";
        return;
    }
    QImage shape(width, height, QImage::Format_ARGB32);
    const auto *source = reinterpret_cast<const quint32 *>(client->rcSource);
    const quint8 *mask = client->rcMask;
    for (int row = 0; row < height; ++row) {
        auto *dst = reinterpret_cast<quint32 *>(shape.scanLine(row));
        for (int col = 0; col < width; ++col) {
            const qsizetype at = static_cast<qsizetype>(row) * width + col;
            // Transparent pixels are 0 (not the colour at alpha 0): scaling
            // must not bleed their colour into the edges.
            dst[col] = mask[at] ? (source[at] & 0x00ffffffu) | 0xff000000u : 0u;
        }
    }
    const QPoint hotspot(std::clamp(xhot, 0, width - 1), std::clamp(yhot, 0, height - 1));
    Q_EMIT self(client)->cursorShapeChanged(shape, hotspot);
}

} // namespace nixtide
