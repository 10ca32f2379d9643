// What the terminal on stderr is like, for progress bars.
#pragma once

namespace picocray::cli {

bool stderr_is_tty();
// The width of the terminal on stderr in columns (TIOCGWINSZ, else $COLUMNS, else 80).
int stderr_columns();

}  // namespace picocray::cli
