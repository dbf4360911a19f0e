#pragma once

#include <QStringList>

namespace nixtide::cli {

// `nixtide lint [--json] FILE…`: the editor's lint of each file's test script
// (a .nix testScript or a .py script), with no build and no VM. Prints
// FILE:LINE:COL: MESSAGE at the file's own lines; --json adds the script
// region, its line map and the outline. Exit 0 clean, 1 with messages, 2 when
// a file cannot be read (named) or lint cannot run.
int lint(const QStringList &args);

} // namespace nixtide::cli
