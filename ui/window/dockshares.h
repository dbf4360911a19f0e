#pragma once

#include <QVariantMap>

class QMainWindow;

namespace nixtide {

// Dock sizes as shares of the window rather than pixels. QMainWindow's own
// saveState() keeps pixel sizes, which come back wrong in a window of another
// size or under another scale factor (docks saved at 1.5× returned tiny at
// 1×); a share of the window is what the user meant. Read after
// restoreState(), which still restores where each dock is.
class DockShares
{
public:
    // Object name → width share (left/right docks) or height share
    // (top/bottom docks) of every visible docked widget.
    static QVariantMap save(const QMainWindow *window);
    // Resizes the window's docks to their saved shares (when it is first
    // shown, if it is not yet); a left and right total never takes more
    // than the window leaves after `centreMinimum`.
    static void restore(QMainWindow *window, const QVariantMap &shares, int centreMinimum);
};

} // namespace nixtide
