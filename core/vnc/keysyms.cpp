#include "core/vnc/keysyms.h"

#include <QList>
#include <Qt>

namespace nixtide {

namespace {

struct KeyMapping
{
    int qtKey;
    quint32 keysym;
};

// From X11/keysymdef.h.
constexpr KeyMapping kSpecialKeys[] = {
    {Qt::Key_Escape, 0xff1b},
    {Qt::Key_Tab, 0xff09},
    {Qt::Key_Backtab, 0xfe20},
    {Qt::Key_Backspace, 0xff08},
    {Qt::Key_Return, 0xff0d},
    {Qt::Key_Enter, 0xff8d},
    {Qt::Key_Insert, 0xff63},
    {Qt::Key_Delete, 0xffff},
    {Qt::Key_Pause, 0xff13},
    {Qt::Key_Print, 0xff61},
    {Qt::Key_SysReq, 0xff15},
    {Qt::Key_Home, 0xff50},
    {Qt::Key_End, 0xff57},
    {Qt::Key_Left, 0xff51},
    {Qt::Key_Up, 0xff52},
    {Qt::Key_Right, 0xff53},
    {Qt::Key_Down, 0xff54},
    {Qt::Key_PageUp, 0xff55},
    {Qt::Key_PageDown, 0xff56},
    {Qt::Key_Shift, 0xffe1},
    {Qt::Key_Control, 0xffe3},
    {Qt::Key_Meta, 0xffeb},
    {Qt::Key_Alt, 0xffe9},
    {Qt::Key_AltGr, 0xfe03},
    {Qt::Key_CapsLock, 0xffe5},
    {Qt::Key_NumLock, 0xff7f},
    {Qt::Key_ScrollLock, 0xff14},
    {Qt::Key_Menu, 0xff67},
    {Qt::Key_Super_L, 0xffeb},
    {Qt::Key_Super_R, 0xffec},
    {Qt::Key_Space, 0x0020},
};

} // namespace

quint32 keysymForKey(int qtKey, Qt::KeyboardModifiers modifiers, const QString &text)
{
    for (const KeyMapping &m : kSpecialKeys) {
        if (m.qtKey == qtKey)
            return m.keysym;
    }
    if (qtKey >= Qt::Key_F1 && qtKey <= Qt::Key_F35)
        return 0xffbe + static_cast<quint32>(qtKey - Qt::Key_F1);

    // Printable text wins over the key code (it carries the layout and
    // shift state), unless it is a control character (Ctrl+C gives "\x03").
    const QList<uint> ucs = text.toUcs4();
    if (ucs.size() == 1 && ucs.front() >= 0x20 && ucs.front() != 0x7f) {
        const uint c = ucs.front();
        return c < 0x100 ? c : 0x01000000u | c;
    }
    // Key codes of printable ASCII keys are the upper-case character.
    if (qtKey >= 0x20 && qtKey <= 0x7e) {
        const quint32 c = static_cast<quint32>(qtKey);
        if (c >= 'A' && c <= 'Z' && !(modifiers & Qt::ShiftModifier))
            return c + ('a' - 'A');
        return c;
    }
    if (qtKey >= 0xa0 && qtKey <= 0xff)
        return static_cast<quint32>(qtKey);
    return 0;
}

} // namespace nixtide
