// The RENDER request's tile subset (protocol 1.2): its bytes, its checks, and the tiles it names.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "picocray/decimal.h"
#include "picocray/protocol.h"

using namespace picocray;

namespace {

using Bytes = std::vector<uint8_t>;

Coord dec(const char* s) {
  Coord c = fx::zero<4>();
  REQUIRE(parse_decimal(s, std::strlen(s), &c));
  return c;
}

// 640x480 in 32x32 tiles: 20 x 15 = 300 tiles.
RenderRequest job_300() {
  RenderRequest m;
  m.geometry.width = 640;
  m.geometry.height = 480;
  m.geometry.region = {dec("-2.5"), dec("1"), dec("-1.25"), dec("1.25")};
  return m;
}

void set_ranges(RenderRequest& m, std::vector<TileRange> ranges) {
  m.subset.count = static_cast<uint8_t>(ranges.size());
  for (size_t k = 0; k < ranges.size(); ++k) m.subset.ranges[k] = ranges[k];
}

Bytes body_of(const RenderRequest& m) {
  Bytes b(1024);
  Writer w(b.data(), b.size());
  encode(w, m);
  REQUIRE(w.ok());
  b.resize(w.size());
  return b;
}

uint32_t le32(const Bytes& b, size_t at) {
  return b[at] | b[at + 1] << 8 | b[at + 2] << 16 | static_cast<uint32_t>(b[at + 3]) << 24;
}

std::string why_refused(const RenderRequest& m) {
  const char* why = nullptr;
  return validate(m, &why) ? std::string("accepted") : std::string(why);
}

}  // namespace

TEST_CASE("tile subset: appended after the region as a count and (first, count) pairs") {
  RenderRequest m = job_300();
  CHECK(body_of(m).size() == 82);  // no subset: the 1.0/1.1 body, unchanged
  set_ranges(m, {{3, 2}, {10, 1}, {0x01020304u, 0x0A0B0C0Du}});
  const Bytes b = body_of(m);
  REQUIRE(b.size() == 82 + 1 + 3 * 8);
  CHECK(b[82] == 3);
  CHECK(le32(b, 83) == 3);
  CHECK(le32(b, 87) == 2);
  CHECK(le32(b, 91) == 10);
  CHECK(le32(b, 95) == 1);
  CHECK(b[99] == 0x04);  // little-endian, least significant byte first
  CHECK(le32(b, 99) == 0x01020304u);
  CHECK(le32(b, 103) == 0x0A0B0C0Du);

  RenderRequest out;
  Reader r(b.data(), b.size());
  REQUIRE(decode(r, &out));
  REQUIRE(out.subset.count == 3);
  CHECK(out.subset.ranges[0].first == 3);
  CHECK(out.subset.ranges[0].count == 2);
  CHECK(out.subset.ranges[1].first == 10);
  CHECK(out.subset.ranges[2].count == 0x0A0B0C0Du);
  CHECK(out.geometry.width == 640);

  // The count promises more ranges than follow, or fewer: both fail to decode.
  for (size_t cut : {size_t{1}, size_t{4}, size_t{8}}) {
    Bytes shorter(b.begin(), b.end() - static_cast<std::ptrdiff_t>(cut));
    Reader rs(shorter.data(), shorter.size());
    CHECK_MESSAGE(!decode(rs, &out), "a subset " << cut << " bytes short decoded");
  }
  Bytes longer = b;
  longer.push_back(0);
  Reader rl(longer.data(), longer.size());
  CHECK_FALSE(decode(rl, &out));
}

TEST_CASE("tile subset: a valid one passes, each kind of bad one is refused with its reason") {
  RenderRequest m = job_300();
  CHECK(why_refused(m) == "accepted");
  set_ranges(m, {{0, 1}, {1, 5}, {299, 1}});  // touching ranges, the last tile of the grid
  CHECK(why_refused(m) == "accepted");
  set_ranges(m, {{0, 300}});
  CHECK(why_refused(m) == "accepted");

  set_ranges(m, {{0, 2}, {5, 0}});
  CHECK(why_refused(m) == "a tile range must not be empty");
  set_ranges(m, {{10, 5}, {12, 1}});
  CHECK(why_refused(m) == "tile ranges must be in order and must not overlap");
  set_ranges(m, {{10, 1}, {2, 1}});
  CHECK(why_refused(m) == "tile ranges must be in order and must not overlap");
  set_ranges(m, {{4, 1}, {4, 1}});
  CHECK(why_refused(m) == "tile ranges must be in order and must not overlap");
  set_ranges(m, {{299, 2}});
  CHECK(why_refused(m) == "tile ranges must lie within the tile grid");
  set_ranges(m, {{300, 1}});
  CHECK(why_refused(m) == "tile ranges must lie within the tile grid");
  set_ranges(m, {{1, 0xFFFFFFFFu}});  // first + count past 2^32: no wrap-around
  CHECK(why_refused(m) == "tile ranges must lie within the tile grid");

  std::vector<TileRange> many;
  for (uint32_t k = 0; k < kMaxTileRanges; ++k) many.push_back({2 * k, 1});
  set_ranges(m, many);
  CHECK(why_refused(m) == "accepted");
}

TEST_CASE("tile subset: more than 64 ranges decode but are refused") {
  // Written by hand: the encoder holds at most 64.
  Bytes b = body_of(job_300());
  const int n = kMaxTileRanges + 1;
  b.push_back(static_cast<uint8_t>(n));
  for (int k = 0; k < n; ++k) {
    const uint32_t fields[2] = {static_cast<uint32_t>(2 * k), 1};
    for (uint32_t v : fields)
      for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  RenderRequest out;
  Reader r(b.data(), b.size());
  REQUIRE(decode(r, &out));
  CHECK(out.subset.count == n);
  CHECK(why_refused(out) == "at most 64 tile ranges");
}

TEST_CASE("tile subset: its size, its tiles in index order, and membership") {
  RenderRequest m = job_300();
  CHECK(subset_size(m) == 300);
  CHECK(subset_tile(m, 0) == 0);
  CHECK(subset_tile(m, 299) == 299);
  CHECK(subset_contains(m, 299));
  CHECK_FALSE(subset_contains(m, 300));

  set_ranges(m, {{5, 3}, {20, 1}, {100, 2}});
  CHECK(subset_size(m) == 6);
  const uint32_t expect[] = {5, 6, 7, 20, 100, 101};
  for (uint32_t k = 0; k < 6; ++k) CHECK(subset_tile(m, k) == expect[k]);
  for (uint32_t t = 0; t < 300; ++t) {
    bool in = false;
    for (uint32_t e : expect) in = in || e == t;
    CHECK_MESSAGE(subset_contains(m, t) == in, "tile " << t);
  }
}
