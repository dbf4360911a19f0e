#pragma once

#include <QStringList>

namespace nixtide::cli {

// `nixtide run TEST [--script FILE] [--break LINE]... [--junit-xml FILE]
// [--keep-vm-state] [--reuse-build]`: runs a test headless under the agent.
// Exit status 0 passed, 1 the test failed, 2 could not run, 130 interrupted.
int run(const QStringList &arguments);

} // namespace nixtide::cli
