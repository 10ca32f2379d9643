// Palettes by name, for PNG output and the LCD mirror: the colours are common/'s palette.h, the
// one definition the controller's display uses too. Points inside the set are black.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "picocray/palette.h"

namespace picocray::cli {

using Rgb = picocray::Rgb;

// In the order of their wire values (picocray::Palette).
const std::vector<std::string>& palette_names();
bool palette_exists(const std::string& name);
// The wire value of a palette name that palette_exists().
Palette palette_id(const std::string& name);
Rgb palette_colour(const std::string& name, uint16_t count, uint16_t max_iter);

}  // namespace picocray::cli
