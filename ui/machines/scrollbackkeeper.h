#pragma once

#include <QByteArray>

namespace nixtide {

// The console is also the log of every boot, so the few sequences that
// would destroy what it holds are rewritten on their way in:
// - a reset (ESC c) or a screen clear (CSI 2 J), which SeaBIOS sends at
//   every boot and `clear` sends too, scroll the screen into the scrollback
//   instead of erasing it (the cursor keeps its place, so what follows is
//   drawn where the program meant it); the rest of a reset (attributes,
//   modes, scroll region, cursor home) is kept;
// - erasing the scrollback (CSI 3 J) is dropped;
// - autowrap off (CSI ? 7 l, SeaBIOS again) is dropped: the kernel's long
//   lines would be cut at the right edge.
// Chunks may end inside one of these: such a tail waits for the next chunk
// (a terminal shows nothing of a half sequence anyway).
class ScrollbackKeeper
{
public:
    // `rows`: the terminal's current height.
    QByteArray filter(const QByteArray &chunk, int rows);

private:
    QByteArray m_held;
};

} // namespace nixtide
