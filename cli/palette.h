// Colouring escape counts for PNG output. Points inside the set (count == max_iter) are black.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace picocray::cli {

struct Rgb {
  uint8_t r, g, b;
};

const std::vector<std::string>& palette_names();
bool palette_exists(const std::string& name);
Rgb palette_colour(const std::string& name, uint16_t count, uint16_t max_iter);

}  // namespace picocray::cli
