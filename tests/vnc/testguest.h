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
// The still variant has two NOPs for `inc dl`: its top half stays black, so
// only a key changes the screen.
//
// The wide variant (benchmarks at a desktop's size) switches to mode 13h
// for its palette and chain-4 window, then the Bochs VBE registers to
// 1280x800 at 8 bits per pixel, and fills the top ~half (8 banks of 64 KiB
// through the A0000 window) with a colour that changes every ~20 ms:
//
//   (same start) mov ax,0x13; int 0x10
//   mov dx,0x1ce; mov si,table; mov cx,5
// setreg: lodsw; out dx,ax; inc dx; lodsw; out dx,ax; dec dx; loop setreg
//   mov ax,0xa000; mov es,ax; xor bx,bx   ; bl: frame counter
// frame: inc bl; xor bp,bp                ; bp: bank
// bank: mov dx,0x1ce; mov ax,5; out dx,ax; inc dx; mov ax,bp; out dx,ax
//   mov al,bl; mov ah,bl; xor di,di; mov cx,0x8000; cld; rep stosw
//   inc bp; cmp bp,8; jb bank
//   mov ah,0x86; xor cx,cx; mov dx,20000; int 0x15 ; wait 20 ms
//   jmp frame
// table: (index, value) disable, xres 1280, yres 800, bpp 8, enable

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

enum class Screen { Animated, Still, Wide };

inline QByteArray bootSectorFloppy(Screen screen = Screen::Animated)
{
    static const unsigned char wide[] = {0xfa, 0x31, 0xc0, 0x8e, 0xd8, 0x8e, 0xd0, 0xbc, 0x00, 0x7c,
        0xfb, 0xb8, 0x13, 0x00, 0xcd, 0x10, 0xba, 0xce, 0x01, 0xbe, 0x54, 0x7c, 0xb9, 0x05, 0x00,
        0xad, 0xef, 0x42, 0xad, 0xef, 0x4a, 0xe2, 0xf8, 0xb8, 0x00, 0xa0, 0x8e, 0xc0, 0x31, 0xdb,
        0xfe, 0xc3, 0x31, 0xed, 0xba, 0xce, 0x01, 0xb8, 0x05, 0x00, 0xef, 0x42, 0x89, 0xe8, 0xef,
        0x88, 0xd8, 0x88, 0xdc, 0x31, 0xff, 0xb9, 0x00, 0x80, 0xfc, 0xf3, 0xab, 0x45, 0x83, 0xfd,
        0x08, 0x72, 0xe3, 0xb4, 0x86, 0x31, 0xc9, 0xba, 0x20, 0x4e, 0xcd, 0x15, 0xeb, 0xd4,
        // table, at 0x54
        0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x05, 0x02, 0x00, 0x20, 0x03, 0x03, 0x00, 0x08,
        0x00, 0x04, 0x00, 0x01, 0x00};
    static const unsigned char code[] = {0xfa, 0x31, 0xc0, 0x8e, 0xd8, 0x8e, 0xd0, 0xbc, 0x00, 0x7c,
        0xfb, 0xb8, 0x13, 0x00, 0xcd, 0x10, 0xb8, 0x00, 0xa0, 0x8e, 0xc0, 0x31, 0xd2, 0xb4, 0x01,
        0xcd, 0x16, 0x74, 0x06, 0x30, 0xe4, 0xcd, 0x16, 0x88, 0xc6, 0xfe, 0xc2, 0x88, 0xd0, 0x31,
        0xff, 0xb9, 0x00, 0x7d, 0xfc, 0xf3, 0xaa, 0x88, 0xf0, 0xb9, 0x00, 0x7d, 0xf3, 0xaa, 0xb4,
        0x86, 0x52, 0x31, 0xc9, 0xba, 0x20, 0x4e, 0xcd, 0x15, 0x5a, 0xeb, 0xd4};
    QByteArray image(1474560, '\0');
    if (screen == Screen::Wide)
        std::copy(std::begin(wide), std::end(wide), image.begin());
    else
        std::copy(std::begin(code), std::end(code), image.begin());
    constexpr int kIncDl = 0x23;
    if (screen == Screen::Still) {
        image[kIncDl] = static_cast<char>(0x90);
        image[kIncDl + 1] = static_cast<char>(0x90);
    }
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
    explicit TestGuest(const QString &dir, Screen screen = Screen::Animated)
        : m_dir(dir)
        , m_screen(screen)
    { }
    ~TestGuest() { kill(); }

    QString socketPath() const { return m_dir + QStringLiteral("/vnc.sock"); }

    // `paused`: QEMU waits for `cont` on the monitor before running the guest.
    bool start(bool paused, const QStringList &extraArgs = {})
    {
        const QString floppy = m_dir
            + (m_screen == Screen::Still       ? QStringLiteral("/still.img")
                    : m_screen == Screen::Wide ? QStringLiteral("/wide.img")
                                               : QStringLiteral("/floppy.img"));
        if (!QFileInfo::exists(floppy)) {
            QFile f(floppy);
            if (!f.open(QIODevice::WriteOnly) || f.write(bootSectorFloppy(m_screen)) != 1474560)
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
    Screen m_screen;
    QProcess m_process;
};

} // namespace nixtide::testing
