#pragma once

#include <QStringList>

namespace nixtide::cli {

// `nixtide debug-adapter`: DAP on stdin/stdout for VS Code, Neovim and other
// editors; builds the test, starts its driver with the agent and relays.
int debugAdapter(const QStringList &arguments);

} // namespace nixtide::cli
