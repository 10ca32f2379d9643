// Ctrl-C and SIGTERM: the handler only records the signal; every long wait (Client reads, render
// loops, the sim server) looks at the flag between slices of at most 200 ms.
#pragma once

namespace picocray::cli {

// SIGINT and SIGTERM set the flag (a second one ends the process at once); SIGPIPE is ignored so
// a closed socket shows up as a write error instead.
void install_interrupt_handlers();
bool interrupted();
// The signal that came (SIGINT or SIGTERM), 0 if none.
int interrupt_signal();
// Throws CliError(kExitInterrupted) once a signal has come.
void throw_if_interrupted();

}  // namespace picocray::cli
