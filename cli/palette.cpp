#include "palette.h"

#include <algorithm>

namespace picocray::cli {

const std::vector<std::string>& palette_names() {
  static const std::vector<std::string> names = {"classic", "gray", "fire", "ocean"};
  return names;
}

bool palette_exists(const std::string& name) {
  const auto& n = palette_names();
  return std::find(n.begin(), n.end(), name) != n.end();
}

Palette palette_id(const std::string& name) {
  const auto& n = palette_names();
  const auto it = std::find(n.begin(), n.end(), name);
  return it == n.end() ? Palette::classic : static_cast<Palette>(it - n.begin());
}

Rgb palette_colour(const std::string& name, uint16_t count, uint16_t max_iter) {
  return picocray::palette_colour(palette_id(name), count, max_iter);
}

}  // namespace picocray::cli
