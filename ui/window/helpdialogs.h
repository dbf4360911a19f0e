#pragma once

#include <QString>

class QWidget;

namespace nixtide {

// Help > Guide: docs/guide.md (built into the binary), rendered.
void showGuide(QWidget *parent);
// Help > Keyboard Shortcuts: every menu action of `window` that has one,
// read from the actions themselves so the list cannot go stale.
void showShortcuts(QWidget *window);
// The rows that dialog shows: "Menu > Action<TAB>shortcut" per line.
QString shortcutList(QWidget *window);

} // namespace nixtide
