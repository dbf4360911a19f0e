# The terminal code built a second time against libvterm 0.3 (fetched by
# packaging/fetch-libvterm-0.3.sh), and the same TerminalScreen suite run on
# it: the version guards in core/terminal/vtermcompat.h are exercised on both
# API lines, not only compiled.
set(NIXTIDE_VTERM03_DIR "" CACHE PATH "libvterm 0.3 source tree for the second terminal test build")
if(NOT NIXTIDE_VTERM03_DIR)
  return()
endif()
if(NOT EXISTS "${NIXTIDE_VTERM03_DIR}/include/vterm.h")
  message(FATAL_ERROR "NIXTIDE_VTERM03_DIR=${NIXTIDE_VTERM03_DIR} holds no include/vterm.h")
endif()

enable_language(C)
file(GLOB _vterm03_sources "${NIXTIDE_VTERM03_DIR}/src/*.c")
add_library(vterm03 STATIC ${_vterm03_sources})
target_include_directories(vterm03 PUBLIC "${NIXTIDE_VTERM03_DIR}/include")
set_target_properties(vterm03 PROPERTIES C_STANDARD 99 POSITION_INDEPENDENT_CODE ON)
target_compile_options(vterm03 PRIVATE -w)

get_property(_terminal_sources GLOBAL PROPERTY NIXTIDE_TERMINAL_SOURCES)
add_library(nixtide-terminal-vterm03 STATIC ${_terminal_sources})
# BEFORE: the 0.3 header must win over bookworm's /usr/include/vterm.h.
target_include_directories(nixtide-terminal-vterm03 BEFORE PUBLIC
  "${NIXTIDE_VTERM03_DIR}/include" "${CMAKE_SOURCE_DIR}")
target_link_libraries(nixtide-terminal-vterm03 PUBLIC Qt6::Core Qt6::Gui vterm03)
nixtide_warnings(nixtide-terminal-vterm03)

nixtide_add_qt_test(NAME terminal.screen-vterm03 SOURCES terminal/tst_terminalscreen.cpp
                    LIBS nixtide-terminal-vterm03 LABELS unit)
target_compile_definitions(test_terminal_screen-vterm03 PRIVATE NIXTIDE_EXPECT_VTERM_MINOR=3)
