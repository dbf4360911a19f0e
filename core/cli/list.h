#pragma once

#include <QStringList>

namespace nixtide::cli {

// `nixtide list TEST [--json]`: the attribute paths of the tests in a .nix
// file or flake, one per line. Exit 0 with tests, 1 on a Nix error or none, 2 on usage.
int list(const QStringList &args);

} // namespace nixtide::cli
