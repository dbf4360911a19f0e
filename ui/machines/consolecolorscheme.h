#pragma once

#include <QString>

class QPalette;

namespace nixtide {

// A QTermWidget colour scheme made from the application's palette: the
// window's base and text colours as background and foreground (so the
// console is light in a light theme and dark in a dark one), Tango's ANSI
// colours, faint variants mixed towards the background. Written once per
// colour pair to a private directory; returns the file's path, which
// QTermWidget::setColorScheme loads (empty if it cannot be written).
QString consoleColorSchemeFile(const QPalette &palette);

} // namespace nixtide
