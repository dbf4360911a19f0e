#pragma once

// A real QEMU guest for VNC tests and benchmarks that needs no kernel: a
// 512-byte boot sector on a floppy. SeaBIOS shows its 720x400 text screen,
// then the boot sector switches to VGA mode 13h (QEMU shows it as 640x400),
// fills the top half with a colour that changes every ~20 ms and the bottom
// half with the colour numbered by the last key typed (black until then).
//
//   cli; xor ax,ax; mov ds,ax; mov ss,ax; mov sp,0x7c00; sti
//   mov ax,0x13; int 0x10            ; mode 13h
//   mov ax,0xa000; mov es,ax; xor dx,dx ; dl: frame counter, dh: last key
// frame:
//   mov ah,1; int 0x16; jz nokey     ; key waiting?
//   xor ah,ah; int 0x16; mov dh,al   ; take it: its ASCII code is the colour
// nokey:
//   inc dl; mov al,dl; xor di,di; mov cx,32000; cld; rep stosb ; top half
//   mov al,dh; mov cx,32000; rep stosb                          ; bottom half
//   mov ah,0x86; push dx; xor cx,cx; mov dx,20000; int 0x15; pop dx ; wait 20 ms
//   jmp frame

#include <QByteArray>
#include <QDeadlineTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>
#include <QThread>

#include <csignal>
#include <sys/prctl.h>

namespace nixtide::testing {

// How long a test waits for the guest to reach the state it checks. Generous
// on purpose: QEMU emulates the CPU (no KVM here) and the suite must pass
// while both cores are busy, when SeaBIOS alone can take tens of seconds.
// Every wait ends as soon as its condition holds.
constexpr int kGuestDeadlineMs = 180000;

inline QByteArray bootSectorFloppy()
{
    static const unsigned char code[] = {0xfa, 0x31, 0xc0, 0x8e, 0xd8, 0x8e, 0xd0, 0xbc, 0x00, 0x7c,
        0xfb, 0xb8, 0x13, 0x00, 0xcd, 0x10, 0xb8, 0x00, 0xa0, 0x8e, 0xc0, 0x31, 0xd2, 0xb4, 0x01,
        0xcd, 0x16, 0x74, 0x06, 0x30, 0xe4, 0xcd, 0x16, 0x88, 0xc6, 0xfe, 0xc2, 0x88, 0xd0, 0x31,
        0xff, 0xb9, 0x00, 0x7d, 0xfc, 0xf3, 0xaa, 0x88, 0xf0, 0xb9, 0x00, 0x7d, 0xf3, 0xaa, 0xb4,
        0x86, 0x52, 0x31, 0xc9, 0xba, 0x20, 0x4e, 0xcd, 0x15, 0x5a, 0xeb, 0xd4};
    QByteArray image(1474560, '\0');
    std::copy(std::begin(code), std::end(code), image.begin());
    image[510] = static_cast<char>(0x55);
    image[511] = static_cast<char>(0xaa);
    return image;
}

// Owns one qemu-system-x86_64 with its VNC server on a unix socket and its
// monitor on stdin. Killed on destruction, and by the kernel if the test
// process dies first (parent-death signal).
class TestGuest
{
public:
    explicit TestGuest(const QString &dir)
        : m_dir(dir)
    { }
    ~TestGuest() { kill(); }

    QString socketPath() const { return m_dir + QStringLiteral("/vnc.sock"); }

    // `paused`: QEMU waits for `cont` on the monitor before running the guest.
    bool start(bool paused, const QStringList &extraArgs = {})
    {
        const QString floppy = m_dir + QStringLiteral("/floppy.img");
        if (!QFileInfo::exists(floppy)) {
            QFile f(floppy);
            if (!f.open(QIODevice::WriteOnly) || f.write(bootSectorFloppy()) != 1474560)
                return false;
        }
        QStringList args {QStringLiteral("-accel"), QStringLiteral("tcg"),
            QStringLiteral("-display"), QStringLiteral("none"), QStringLiteral("-nodefaults"),
            QStringLiteral("-vga"), QStringLiteral("std"), QStringLiteral("-m"),
            QStringLiteral("16"), QStringLiteral("-drive"),
            QStringLiteral("file=%1,format=raw,if=floppy").arg(floppy), QStringLiteral("-vnc"),
            QStringLiteral("unix:%1").arg(socketPath()), QStringLiteral("-monitor"),
            QStringLiteral("stdio")};
        if (paused)
            args << QStringLiteral("-S");
        args << extraArgs;
        m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_process.setStandardOutputFile(QProcess::nullDevice());
        m_process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
        m_process.start(QStringLiteral("qemu-system-x86_64"), args);
        return m_process.waitForStarted(5000);
    }

    void monitor(const QByteArray &command) { m_process.write(command + '\n'); }
    qint64 pid() const { return m_process.processId(); }
    bool running() const { return m_process.state() == QProcess::Running; }

    void kill()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.kill();
        m_process.waitForFinished(5000);
    }

private:
    QString m_dir;
    QProcess m_process;
};

} // namespace nixtide::testing
