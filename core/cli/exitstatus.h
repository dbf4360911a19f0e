#pragma once

namespace nixtide::cli {

// The exit statuses of the verbs that run or check tests. CI scripts rely on
// them to tell "the test failed" from "nixtide could not run it", so every
// verb uses the same numbers (README: "Exit status").
constexpr int kPassed = 0;
constexpr int kFailed = 1;
constexpr int kCannotRun = 2;
// 128 + SIGINT, as a shell reports a command stopped by Ctrl+C.
constexpr int kInterrupted = 130;

} // namespace nixtide::cli
