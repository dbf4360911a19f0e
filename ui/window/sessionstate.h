#pragma once

#include <QString>

namespace nixtide {

// What the window needs to know of the debug session to enable its actions.
// The session model (core/session) maps its own states onto these.
enum class SessionState {
    Idle, // nothing runs; Run starts the test
    Building, // nix build of the driver
    Starting, // driver and agent starting
    Running, // the script runs
    Stopped, // paused at a breakpoint, step or exception; VMs alive
    Terminated, // the run ended; its log stays visible
};

QString sessionStateText(SessionState state);

} // namespace nixtide
