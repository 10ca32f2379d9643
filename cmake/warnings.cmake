# The warning flags for project code, in one place: the host build (CMakeLists.txt), the
# Cortex-M0+ cross check (tests/cross) and the board build (firmware/CMakeLists.txt) include this.
# Third-party headers come in as SYSTEM and keep their own flags.
option(PICOCRAY_WERROR "Treat warnings in project code as errors" ON)
set(PICOCRAY_WARNING_FLAGS -Wall -Wextra -Wpedantic)
if(PICOCRAY_WERROR)
  list(APPEND PICOCRAY_WARNING_FLAGS -Werror)
endif()
