#pragma once

#include <QStringList>

namespace nixtide::cli {

// `nixtide run-all REF... [-j N] [--builders SPEC] [--junit-xml FILE]`:
// builds the result derivations of many tests with Nix (remote builders
// as Nix is configured, --keep-going), one line per test as it runs, the
// failures' logs from `nix log`, one JUnit file. Exit 0 all passed, 1 a
// test failed, 2 could not run, 130 interrupted.
int runAll(const QStringList &arguments);

} // namespace nixtide::cli
