// The VNC client against a server that completes a valid RFB 3.8 handshake
// (no security, a 64x48 32-bit true-colour screen) and then sends the input
// as its server messages, then closes. The client must end the connection
// on its own, with no crash, however the bytes are shaped.
#include "core/vnc/vncclientthread.h"
#include "fuzzinput.h"

#include <QTemporaryDir>

#include <cstdio>
#include <cstring>
#include <memory>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace {

std::unique_ptr<QTemporaryDir> s_dir;
int s_listener = -1;
QString s_path;

bool waitReadable(int fd, int timeoutMs)
{
    pollfd p {fd, POLLIN, 0};
    return ::poll(&p, 1, timeoutMs) > 0;
}

bool sendAll(int fd, const QByteArray &bytes)
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

bool readExactly(int fd, int count)
{
    char buffer[64];
    while (count > 0) {
        if (!waitReadable(fd, 10000))
            return false;
        const ssize_t n = ::recv(fd, buffer, size_t(std::min<int>(count, sizeof buffer)), 0);
        if (n <= 0)
            return false;
        count -= int(n);
    }
    return true;
}

QByteArray serverInit()
{
    QByteArray init;
    const auto u16 = [&init](int v) {
        init += char((v >> 8) & 0xff);
        init += char(v & 0xff);
    };
    u16(64);
    u16(48);
    // bpp, depth, big-endian, true-colour, red/green/blue max, shifts, padding.
    init += QByteArray("\x20\x18\x00\x01", 4);
    u16(255);
    u16(255);
    u16(255);
    init += QByteArray("\x10\x08\x00\x00\x00\x00", 6);
    init += QByteArray("\x00\x00\x00\x04", 4) + "fuzz";
    return init;
}

// The server's side of one connection; false if the client gave up early
// (which is not a bug: it reads nothing of ours past its own error).
bool serve(int fd, const QByteArray &messages)
{
    if (!sendAll(fd, "RFB 003.008\n") || !readExactly(fd, 12))
        return false;
    if (!sendAll(fd, QByteArray("\x01\x01", 2)) || !readExactly(fd, 1))
        return false;
    if (!sendAll(fd, QByteArray(4, '\0')) || !readExactly(fd, 1))
        return false;
    if (!sendAll(fd, serverInit()))
        return false;
    sendAll(fd, messages);
    ::shutdown(fd, SHUT_WR);
    // Whatever the client sends (its encodings, update requests) until it
    // closes its end: it has then finished with the bytes.
    char sink[4096];
    while (waitReadable(fd, 20000) && ::recv(fd, sink, sizeof sink, 0) > 0) { }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    s_dir = std::make_unique<QTemporaryDir>();
    s_path = s_dir->path() + QStringLiteral("/vnc");
    const QByteArray native = s_path.toLocal8Bit();
    sockaddr_un addr {};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, native.constData(), size_t(native.size()));
    s_listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (::bind(s_listener, reinterpret_cast<const sockaddr *>(&addr), sizeof addr) != 0
        || ::listen(s_listener, 4) != 0)
        std::abort();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray messages = nixtide::fuzz::bytes(data, size);
    // A connection the previous input's client made again just before it
    // was stopped may wait in the backlog: it is not this input's.
    while (waitReadable(s_listener, 0)) {
        const int stale = ::accept4(s_listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (stale < 0)
            break;
        ::close(stale);
    }
    nixtide::VncClientThread client(s_path);
    client.start();
    // Generous: a loaded machine can take seconds to start a thread.
    if (!waitReadable(s_listener, 120000)) {
        std::fprintf(stderr, "fuzz_vnc: the client did not connect within 120 s\n");
        std::abort();
    }
    const int fd = ::accept4(s_listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0)
        std::abort();
    serve(fd, messages);
    ::close(fd);
    client.requestStop();
    client.wait();
    return 0;
}
