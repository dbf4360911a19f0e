#pragma once

#include <QtGlobal>

#include <rfb/rfbclient.h>

namespace nixtide {

// Input queued from the GUI thread to the VNC worker. Each command knows how
// to send itself; the worker applies them with the queue lock released.
class VncCommand
{
public:
    virtual ~VncCommand() = default;
    // False when the connection failed while sending.
    virtual bool apply(rfbClient *client) = 0;
};

class VncKeyCommand final : public VncCommand
{
public:
    VncKeyCommand(quint32 keysym, bool down)
        : m_keysym(keysym)
        , m_down(down)
    { }
    bool apply(rfbClient *client) override
    {
        return SendKeyEvent(client, m_keysym, m_down ? TRUE : FALSE) != FALSE;
    }

private:
    quint32 m_keysym;
    bool m_down;
};

class VncPointerCommand final : public VncCommand
{
public:
    VncPointerCommand(int x, int y, int buttonMask)
        : m_x(x)
        , m_y(y)
        , m_buttons(buttonMask)
    { }
    bool apply(rfbClient *client) override
    {
        return SendPointerEvent(client, m_x, m_y, m_buttons) != FALSE;
    }
    int x() const { return m_x; }
    int y() const { return m_y; }
    int buttons() const { return m_buttons; }

private:
    int m_x;
    int m_y;
    int m_buttons;
};

} // namespace nixtide
