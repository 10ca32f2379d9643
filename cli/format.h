// Text for people and for the shell: coordinates as decimals, paths quoted for reuse.
#pragma once
#include <string>

#include "picocray/kernel.h"

namespace picocray::cli {

std::string format_coord(const Coord& c, int digits = 40);
// Trims trailing zeros of a decimal for display.
std::string short_coord(const Coord& c);
// The word as a shell (and `batch`'s line splitter) reads it back: unchanged when it holds only
// safe characters, else in single quotes.
std::string shell_quote(const std::string& s);
// Milliseconds as seconds with one decimal ("10.0"), as waits are named in messages.
std::string seconds(int ms);
// "MAJOR.MINOR.PATCH", as firmware versions are shown everywhere.
std::string version_string(unsigned major, unsigned minor, unsigned patch);

}  // namespace picocray::cli
