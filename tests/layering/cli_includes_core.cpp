// Must not compile: the host tool sees the simulator's face, never the firmware core's headers
// (tests/CMakeLists.txt builds this with the CLI's include paths and expects a failure).
#include "picocray/controller.h"

int picocray_cli_includes_core = 0;
