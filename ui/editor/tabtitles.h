#pragma once

#include <QStringList>

namespace nixtide {

// Tab titles for open files: the file name, and for files that share their
// name with another open file, after " — ", as many of its last directories
// as it takes to tell that group apart ("single.nix — demo",
// "single.nix — old/demo").
QStringList tabTitles(const QStringList &absolutePaths);

} // namespace nixtide
