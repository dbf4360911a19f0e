#pragma once

// Moved to core: the BreakpointStore holds them (issue 14 item 3).
#include "core/breakpoints/breakpoint.h"
