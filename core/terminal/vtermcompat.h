#pragma once

#include <vterm.h>

// libvterm's API differences between the versions nixtide builds against:
// Debian bookworm ships 0.1.4, nixpkgs ships the 0.3 line (libvterm-neovim).
// - 0.2 turned string properties (the OSC title) into VTermStringFragment
//   pieces and made the output callback the supported way to get the
//   terminal's replies; 0.1's buffer (vterm_output_read) is deprecated there.
// - 0.3 added VTermScreenCallbacks::sb_clear (CSI 3 J clears scrollback).
// - Tagged VTermColor (indexed or RGB, with default-colour flags) and
//   vterm_screen_convert_color_to_rgb appeared during 0.1; plain RGB structs
//   before that. Detected by its macro rather than a version number.
#if VTERM_VERSION_MAJOR > 0 || VTERM_VERSION_MINOR >= 2
#define NIXTIDE_VTERM_FRAGMENTS 1
#define NIXTIDE_VTERM_OUTPUT_CALLBACK 1
#endif
#if VTERM_VERSION_MAJOR > 0 || VTERM_VERSION_MINOR >= 3
#define NIXTIDE_VTERM_SB_CLEAR 1
#endif
#ifdef VTERM_COLOR_IS_INDEXED
#define NIXTIDE_VTERM_TAGGED_COLOR 1
#endif
