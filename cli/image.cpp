#include "image.h"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include <stb/stb_image_write.h>
#pragma GCC diagnostic pop

#include "errors.h"
#include "palette.h"

namespace picocray::cli {

std::vector<uint8_t> encode_png(const std::vector<uint16_t>& counts, uint32_t w, uint32_t h,
                                uint16_t max_iter, const std::string& palette) {
  std::vector<uint8_t> rgb(static_cast<size_t>(w) * h * 3);
  for (size_t i = 0; i < counts.size(); ++i) {
    Rgb c = palette_colour(palette, counts[i], max_iter);
    rgb[3 * i] = c.r;
    rgb[3 * i + 1] = c.g;
    rgb[3 * i + 2] = c.b;
  }
  return encode_rgb_png(rgb, w, h);
}

std::vector<uint8_t> encode_rgb_png(const std::vector<uint8_t>& rgb, uint32_t w, uint32_t h) {
  std::vector<uint8_t> out;
  auto sink = [](void* ctx, void* data, int size) {
    auto* v = static_cast<std::vector<uint8_t>*>(ctx);
    auto* p = static_cast<uint8_t*>(data);
    v->insert(v->end(), p, p + size);
  };
  if (!stbi_write_png_to_func(sink, &out, static_cast<int>(w), static_cast<int>(h), 3, rgb.data(),
                              static_cast<int>(w * 3)))
    throw CliError(kExitFailure, "PNG encoding failed");
  return out;
}

std::vector<uint8_t> encode_pgm(const std::vector<uint16_t>& counts, uint32_t w, uint32_t h) {
  std::string head = "P5\n" + std::to_string(w) + " " + std::to_string(h) + "\n65535\n";
  std::vector<uint8_t> out(head.begin(), head.end());
  out.reserve(out.size() + counts.size() * 2);
  for (uint16_t c : counts) {
    out.push_back(static_cast<uint8_t>(c >> 8));
    out.push_back(static_cast<uint8_t>(c));
  }
  return out;
}

}  // namespace picocray::cli
