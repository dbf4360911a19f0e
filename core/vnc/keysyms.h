#pragma once

#include <QString>
#include <QtGlobal>

namespace nixtide {

// The X keysym RFB sends for a Qt key press. Synthetic and offscreen key
// events carry no native keysym, so the key code and text are mapped here:
// special keys by table, printable keys by their text (Latin-1 keysyms are
// the code point, other Unicode is 0x01000000 | code point).
// Returns 0 when the key has no keysym.
quint32 keysymForKey(int qtKey, Qt::KeyboardModifiers modifiers, const QString &text);

} // namespace nixtide
