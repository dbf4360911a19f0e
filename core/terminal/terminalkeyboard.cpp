// Keyboard input for a TerminalScreen: Qt keys to libvterm's encoder.
#include "core/terminal/terminalscreen.h"
#include "core/terminal/vtermcompat.h"

namespace nixtide {

namespace {

VTermModifier toVTermModifier(Qt::KeyboardModifiers modifiers)
{
    int mod = VTERM_MOD_NONE;
    if (modifiers & Qt::ShiftModifier)
        mod |= VTERM_MOD_SHIFT;
    if (modifiers & Qt::AltModifier)
        mod |= VTERM_MOD_ALT;
    if (modifiers & Qt::ControlModifier)
        mod |= VTERM_MOD_CTRL;
    return static_cast<VTermModifier>(mod);
}

VTermKey toVTermKey(int qtKey)
{
    switch (qtKey) {
    case Qt::Key_Return:
    case Qt::Key_Enter:
        return VTERM_KEY_ENTER;
    case Qt::Key_Tab:
    case Qt::Key_Backtab:
        return VTERM_KEY_TAB;
    case Qt::Key_Backspace:
        return VTERM_KEY_BACKSPACE;
    case Qt::Key_Escape:
        return VTERM_KEY_ESCAPE;
    case Qt::Key_Up:
        return VTERM_KEY_UP;
    case Qt::Key_Down:
        return VTERM_KEY_DOWN;
    case Qt::Key_Left:
        return VTERM_KEY_LEFT;
    case Qt::Key_Right:
        return VTERM_KEY_RIGHT;
    case Qt::Key_Insert:
        return VTERM_KEY_INS;
    case Qt::Key_Delete:
        return VTERM_KEY_DEL;
    case Qt::Key_Home:
        return VTERM_KEY_HOME;
    case Qt::Key_End:
        return VTERM_KEY_END;
    case Qt::Key_PageUp:
        return VTERM_KEY_PAGEUP;
    case Qt::Key_PageDown:
        return VTERM_KEY_PAGEDOWN;
    default:
        break;
    }
    if (qtKey >= Qt::Key_F1 && qtKey <= Qt::Key_F12)
        return static_cast<VTermKey>(VTERM_KEY_FUNCTION(qtKey - Qt::Key_F1 + 1));
    return VTERM_KEY_NONE;
}

} // namespace

void TerminalScreen::sendKey(int qtKey, Qt::KeyboardModifiers modifiers, const QString &text)
{
    const VTermModifier mod = toVTermModifier(modifiers);
    const VTermKey key = toVTermKey(qtKey);
    if (key != VTERM_KEY_NONE) {
        const auto keyMod
            = qtKey == Qt::Key_Backtab ? static_cast<VTermModifier>(mod | VTERM_MOD_SHIFT) : mod;
        vterm_keyboard_key(m_vt.get(), key, keyMod);
    } else if ((modifiers & Qt::ControlModifier) && qtKey >= Qt::Key_A && qtKey <= Qt::Key_Z) {
        // Platforms disagree on the text of Ctrl+letter ("\x03", "c" or
        // none): the key code is what identifies it.
        vterm_keyboard_unichar(m_vt.get(), static_cast<uint32_t>('a' + (qtKey - Qt::Key_A)), mod);
    } else {
        for (const char32_t c : text.toUcs4()) {
            if (c < 0x20 || c == 0x7f)
                continue;
            vterm_keyboard_unichar(m_vt.get(), c, mod);
        }
    }
    emitOutput();
}

void TerminalScreen::sendText(const QString &text)
{
    QString normalized = text;
    normalized.replace(QStringLiteral("\r\n"), QStringLiteral("\r"));
    normalized.replace(QLatin1Char('\n'), QLatin1Char('\r'));
    vterm_keyboard_start_paste(m_vt.get());
    for (const char32_t c : normalized.toUcs4()) {
        vterm_keyboard_unichar(m_vt.get(), c, VTERM_MOD_NONE);
        // 0.1's output buffer is small and drops what does not fit.
        drainOutput();
    }
    vterm_keyboard_end_paste(m_vt.get());
    emitOutput();
}

} // namespace nixtide
