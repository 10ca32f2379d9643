// The LCD driver over a recording bus: the ILI9341 commands it sends, byte for byte, for the ID
// probe, the set-up, a tile's window and its pixels, and a row read back.
#include "picocray/display.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "picocray/tile_block.h"

using namespace picocray;
using Bytes = std::vector<uint8_t>;

namespace {

// One select .. deselect: the command byte and the data bytes written after it.
struct Transaction {
  uint8_t cmd = 0;
  Bytes data;
};

class RecordingBus final : public hal::DisplayBus {
 public:
  Bytes id = {0x00, 0x00, 0x93, 0x41};
  Bytes read_back;  // what memory reads return after the dummy byte
  std::vector<Transaction> log;
  uint32_t paused_us = 0;

  void select(bool selected) override { selected_ = selected; }
  void data_mode(bool data) override { data_ = data; }
  void reset_line(bool) override {}
  void write(const uint8_t* p, size_t n) override {
    REQUIRE(selected_);
    if (!data_) {
      REQUIRE(n == 1);
      log.push_back({p[0], {}});
      read_pos_ = 0;
      return;
    }
    REQUIRE(!log.empty());
    log.back().data.insert(log.back().data.end(), p, p + n);
  }
  void read(uint8_t* p, size_t n) override {
    REQUIRE(selected_);
    REQUIRE(data_);
    for (size_t i = 0; i < n; ++i, ++read_pos_) {
      if (log.back().cmd == ili9341::kReadId4)
        p[i] = read_pos_ < id.size() ? id[read_pos_] : 0;
      else
        p[i] = read_pos_ == 0 ? 0 : read_back[(read_pos_ - 1) % read_back.size()];
    }
  }
  void pause_us(uint32_t us) override { paused_us += us; }
  bool touch_down() override { return false; }
  uint16_t touch_read(uint8_t) override { return 0; }

 private:
  bool selected_ = false;
  bool data_ = false;
  size_t read_pos_ = 0;
};

std::string hex(const Bytes& b, size_t max = 8) {
  std::string s;
  for (size_t i = 0; i < b.size() && i < max; ++i) {
    static const char* x = "0123456789ABCDEF";
    s += x[b[i] >> 4];
    s += x[b[i] & 15];
    s += ' ';
  }
  return s;
}

void check_window(const Transaction& col, const Transaction& page, uint16_t x0, uint16_t x1,
                  uint16_t y0, uint16_t y1) {
  CHECK(col.cmd == ili9341::kColumnSet);
  CHECK(page.cmd == ili9341::kPageSet);
  const Bytes c = {uint8_t(x0 >> 8), uint8_t(x0), uint8_t(x1 >> 8), uint8_t(x1)};
  const Bytes p = {uint8_t(y0 >> 8), uint8_t(y0), uint8_t(y1 >> 8), uint8_t(y1)};
  CHECK_MESSAGE(col.data == c, "columns " << hex(col.data));
  CHECK_MESSAGE(page.data == p, "pages " << hex(page.data));
}

}  // namespace

TEST_CASE("display: the ID probe, then set-up and a black screen, byte for byte") {
  RecordingBus bus;
  Display d;
  REQUIRE(d.start(&bus));
  CHECK(d.present());
  const std::vector<std::pair<uint8_t, Bytes>> want = {{0xD3, {}},
                                                       {0x01, {}},
                                                       {0x3A, {0x55}},
                                                       {0x36, {0x28}},
                                                       {0x11, {}},
                                                       {0x29, {}},
                                                       {0x2A, {0x00, 0x00, 0x01, 0x3F}},
                                                       {0x2B, {0x00, 0x00, 0x00, 0xEF}},
                                                       {0x2C, {}}};
  REQUIRE(bus.log.size() == want.size());
  for (size_t k = 0; k + 1 < want.size(); ++k) {
    CAPTURE(k);
    CHECK(bus.log[k].cmd == want[k].first);
    CHECK(bus.log[k].data == want[k].second);
  }
  CHECK(bus.log.back().cmd == 0x2C);
  CHECK(bus.log.back().data == Bytes(2u * 320 * 240, 0));
  CHECK(bus.paused_us >= 120000);  // sleep-out needs its 120 ms
}

TEST_CASE("display: no ILI9341 ID, no display and nothing more sent") {
  RecordingBus bus;
  bus.id = {0xFF, 0xFF, 0xFF, 0xFF};
  Display d;
  CHECK_FALSE(d.start(&bus));
  CHECK_FALSE(d.present());
  REQUIRE(bus.log.size() == 1);
  CHECK(bus.log[0].cmd == ili9341::kReadId4);
  Display none;
  CHECK_FALSE(none.start(nullptr));
}

TEST_CASE("display: a tile goes into the window its pixels' centres fall on, in the palette") {
  RecordingBus bus;
  Display d;
  REQUIRE(d.start(&bus));
  JobGeometry g;
  g.width = 4;  // 4 x 3 fills the panel: each image pixel is 80 x 80 panel pixels
  g.height = 3;
  g.max_iter = 10;
  d.begin_mirror(g, Palette::fire, false);
  bus.log.clear();
  // The right half of row 1 and 2: x 2..3, y 1..2, counts 1, 2 / 3, 10 (10 is inside: black).
  TileHeader h;
  h.rect = {2, 1, 2, 2};
  const uint16_t counts[4] = {1, 2, 3, 10};
  uint8_t block[kTileBlockMax];
  const size_t len = tile_block_build(h, counts, block, sizeof block);
  REQUIRE(len > 0);
  d.tile(block, len);
  REQUIRE(bus.log.size() == 3);
  check_window(bus.log[0], bus.log[1], 160, 319, 80, 239);
  REQUIRE(bus.log[2].cmd == ili9341::kMemoryWrite);
  const Bytes& px = bus.log[2].data;
  REQUIRE(px.size() == 2u * 160 * 160);
  auto at = [&](size_t x, size_t y) {
    return static_cast<uint16_t>(px[2 * (y * 160 + x)] << 8 | px[2 * (y * 160 + x) + 1]);
  };
  // fire(n) = (8n, 0, 0) for 8n < 256: RGB565 (8n >> 3) << 11.
  CHECK(at(0, 0) == (1 << 11));
  CHECK(at(79, 79) == (1 << 11));
  CHECK(at(80, 0) == (2 << 11));
  CHECK(at(0, 80) == (3 << 11));
  CHECK(at(159, 159) == 0);
}

TEST_CASE("display: a row read back turns 6-bit channels into RGB565, little-endian") {
  RecordingBus bus;
  Display d;
  REQUIRE(d.start(&bus));
  bus.log.clear();
  bus.read_back = {0xF8, 0x04, 0x08};  // R 31 (its 6 bits 62), G 1, B 1
  uint8_t out[2 * 320];
  d.read_rows(7, 1, out);
  REQUIRE(bus.log.size() == 3);
  check_window(bus.log[0], bus.log[1], 0, 319, 7, 7);
  CHECK(bus.log[2].cmd == ili9341::kMemoryRead);
  const uint16_t v = static_cast<uint16_t>(out[0] | out[1] << 8);
  CHECK(v == ((31 << 11) | (1 << 5) | 1));
  CHECK(out[638] == out[0]);
  CHECK(out[639] == out[1]);
}
