#include "picocray/i2c_map.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "picocray/crc32.h"
#include "picocray/crc8.h"
#include "test_util.h"

using namespace picocray;
using namespace picocray::i2c;
using picocray_test::dec;
using picocray_test::same;
using Bytes = std::vector<uint8_t>;

namespace {

template <typename B>
Bytes built(const B& b, size_t want_len) {
  Bytes out(want_len + 8, 0xEE);
  size_t n = build(b, out.data(), out.size());
  REQUIRE_MESSAGE(n == want_len, "built length " << n << ", documented " << want_len);
  CHECK_MESSAGE(out[n] == 0xEE, "build wrote past the block");
  out.resize(n);
  // The last four bytes are the CRC-32 LE of everything before them.
  uint32_t crc = crc32(out.data(), n - 4);
  CHECK(out[n - 4] == static_cast<uint8_t>(crc));
  CHECK(out[n - 1] == static_cast<uint8_t>(crc >> 24));
  Bytes tight(want_len - 1);
  CHECK_MESSAGE(build(b, tight.data(), tight.size()) == 0, "build into a short buffer");
  return out;
}

// A flipped byte anywhere, a block one short and one long: all must fail.
template <typename B>
void check_corruption(const Bytes& block) {
  for (size_t i = 0; i < block.size(); ++i) {
    Bytes bad = block;
    bad[i] ^= 0x40;
    B out;
    CHECK_MESSAGE(!parse(bad.data(), bad.size(), &out), "flipped byte " << i << " parsed");
  }
  B out;
  CHECK_FALSE(parse(block.data(), block.size() - 1, &out));
  Bytes longer = block;
  longer.push_back(0);
  CHECK_FALSE(parse(longer.data(), longer.size(), &out));
  // A longer block re-sealed over its own bytes still has the wrong length.
  Bytes resealed(block.begin(), block.end() - 4);
  resealed.push_back(0);
  resealed.resize(resealed.size() + 4);
  seal(resealed.data(), resealed.size() - 4);
  CHECK(sealed(resealed.data(), resealed.size()));
  CHECK_FALSE(parse(resealed.data(), resealed.size(), &out));
}

}  // namespace

TEST_CASE("i2c_map: StatusBlock round-trips in kStatusLen bytes") {
  StatusBlock s;
  s.phase = NodePhase::busy;
  s.ready = 2;
  s.free = 0;
  s.rx_errors = 250;
  s.job_id = 0xBEEF;
  s.ready_len = 1234;
  s.last_tile = 0x01020304;
  s.beat = 0xA55A;
  Bytes b = built(s, kStatusLen);
  CHECK(kStatusLen == 18);
  CHECK(b[12] == 0x5A);
  CHECK(b[13] == 0xA5);
  CHECK(b[0] == 2);
  CHECK(b[4] == 0xEF);
  CHECK(b[5] == 0xBE);
  StatusBlock out;
  REQUIRE(parse(b.data(), b.size(), &out));
  CHECK(out.phase == NodePhase::busy);
  CHECK(out.ready == 2);
  CHECK(out.free == 0);
  CHECK(out.rx_errors == 250);
  CHECK(out.job_id == 0xBEEF);
  CHECK(out.ready_len == 1234);
  CHECK(out.last_tile == 0x01020304u);
  CHECK(out.beat == 0xA55A);
  check_corruption<StatusBlock>(b);

  s.phase = static_cast<NodePhase>(3);
  Bytes bad = built(s, kStatusLen);
  CHECK_FALSE(parse(bad.data(), bad.size(), &out));
}

TEST_CASE("i2c_map: IdentBlock round-trips in kIdentLen bytes") {
  IdentBlock s;
  s.unique_id = 0xE6605838831234ABull;
  s.fw_major = 0;
  s.fw_minor = 1;
  s.fw_patch = 2;
  s.cores = 2;
  s.capabilities = 0x0E;
  Bytes b = built(s, kIdentLen);
  CHECK(kIdentLen == 20);
  CHECK(b[0] == 0xAB);
  IdentBlock out;
  REQUIRE(parse(b.data(), b.size(), &out));
  CHECK(out.unique_id == 0xE6605838831234ABull);
  CHECK(out.fw_minor == 1);
  CHECK(out.fw_patch == 2);
  CHECK(out.cores == 2);
  CHECK(out.capabilities == 0x0Eu);
  check_corruption<IdentBlock>(b);
}

namespace {

JobBlock sample_job() {
  JobBlock s;
  s.job_id = 77;
  s.geometry.precision = Precision::p128;
  s.geometry.max_iter = 2000;
  s.geometry.width = 1920;
  s.geometry.height = 1080;
  s.geometry.region.x0 = dec("-0.75");
  s.geometry.region.x1 = dec("-0.7436438870371587047521915061147");
  s.geometry.region.y0 = dec("0.1");
  s.geometry.region.y1 = dec("0.2");
  return s;
}

}  // namespace

TEST_CASE("i2c_map: JobBlock round-trips in kJobLen bytes and checks its fields") {
  const JobBlock s = sample_job();
  Bytes b = built(s, kJobLen);
  CHECK(kJobLen == 79);
  CHECK(b[2] == 128);
  JobBlock out;
  REQUIRE(parse(b.data(), b.size(), &out));
  CHECK(out.job_id == 77);
  CHECK(out.geometry.precision == Precision::p128);
  CHECK(out.geometry.max_iter == 2000);
  CHECK(out.geometry.width == 1920);
  CHECK(out.geometry.height == 1080);
  CHECK(same(out.geometry.region.x0, s.geometry.region.x0));
  CHECK(same(out.geometry.region.x1, s.geometry.region.x1));
  CHECK(same(out.geometry.region.y0, s.geometry.region.y0));
  CHECK(same(out.geometry.region.y1, s.geometry.region.y1));
  check_corruption<JobBlock>(b);

  JobBlock bad = s;
  bad.geometry.precision = static_cast<Precision>(48);
  Bytes bb = built(bad, kJobLen);
  CHECK_FALSE(parse(bb.data(), bb.size(), &out));
  bad = s;
  bad.geometry.max_iter = 0;
  bb = built(bad, kJobLen);
  CHECK_FALSE(parse(bb.data(), bb.size(), &out));
  bad = s;
  bad.geometry.width = 0;
  bb = built(bad, kJobLen);
  CHECK_FALSE(parse(bb.data(), bb.size(), &out));
}

TEST_CASE("i2c_map: a codec 2 JobBlock is one byte longer and names its codec, codec 1 is not") {
  JobBlock s = sample_job();
  // Codec 1 keeps the 79-byte block every firmware takes.
  Bytes b1 = built(s, kJobLen);
  JobBlock out;
  out.codec = 0;
  REQUIRE(parse(b1.data(), b1.size(), &out));
  CHECK(out.codec == kTileCodecRuns);
  s.codec = kTileCodecRange;
  Bytes b2 = built(s, kJobLenCodec);
  CHECK(kJobLenCodec == 80);
  CHECK(b2[75] == 2);  // after the tile size, before the CRC
  CHECK(std::equal(b1.begin(), b1.begin() + 75, b2.begin()));
  REQUIRE(parse(b2.data(), b2.size(), &out));
  CHECK(out.codec == kTileCodecRange);
  check_corruption<JobBlock>(b2);
  // An unknown codec is refused.
  s.codec = 3;
  Bytes b3 = built(s, kJobLenCodec);
  CHECK_FALSE(parse(b3.data(), b3.size(), &out));
  // The long block naming codec 1 is refused too (fuzz input job-block-long-form-naming-codec-1):
  // codec 1 has one form, so every block that parses builds back to the same bytes.
  Bytes b4 = b2;
  b4[75] = kTileCodecRuns;
  seal(b4.data(), b4.size() - 4);
  CHECK_FALSE(parse(b4.data(), b4.size(), &out));
}

TEST_CASE("i2c_map: TileAssign round-trips in kTileAssignLen bytes and checks the size") {
  TileAssign s;
  s.job_id = 3;
  s.tile_index = 0x00ABCDEF;
  s.rect.x = 640;
  s.rect.y = 448;
  s.rect.w = 64;
  s.rect.h = 32;
  Bytes b = built(s, kTileAssignLen);
  CHECK(kTileAssignLen == 16);
  TileAssign out;
  REQUIRE(parse(b.data(), b.size(), &out));
  CHECK(out.job_id == 3);
  CHECK(out.tile_index == 0x00ABCDEFu);
  CHECK(out.rect.x == 640);
  CHECK(out.rect.y == 448);
  CHECK(out.rect.w == 64);
  CHECK(out.rect.h == 32);
  check_corruption<TileAssign>(b);

  for (auto wh : {std::pair<int, int>{0, 1}, {1, 0}, {65, 1}, {1, 65}}) {
    TileAssign bad = s;
    bad.rect.w = static_cast<uint8_t>(wh.first);
    bad.rect.h = static_cast<uint8_t>(wh.second);
    Bytes bb = built(bad, kTileAssignLen);
    CHECK_FALSE(parse(bb.data(), bb.size(), &out));
  }
}

TEST_CASE("i2c_map: AckBlock round-trips in kAckLen bytes") {
  AckBlock s;
  s.tile_index = 0xFFFFFFFEu;
  Bytes b = built(s, kAckLen);
  CHECK(kAckLen == 8);
  AckBlock out;
  REQUIRE(parse(b.data(), b.size(), &out));
  CHECK(out.tile_index == 0xFFFFFFFEu);
  check_corruption<AckBlock>(b);
}

TEST_CASE("i2c_map: ClaimBlock round-trips and refuses an address outside 0x10..0x4F") {
  ClaimBlock s;
  s.unique_id = 0x1122334455667788ull;
  for (uint8_t addr : {uint8_t{0x10}, uint8_t{0x2A}, uint8_t{0x4F}}) {
    CAPTURE(int(addr));
    s.address = addr;
    Bytes b = built(s, kClaimLen);
    ClaimBlock out;
    REQUIRE(parse(b.data(), b.size(), &out));
    CHECK(out.unique_id == 0x1122334455667788ull);
    CHECK(out.address == addr);
  }
  CHECK(kClaimLen == 13);
  s.address = 0x20;
  check_corruption<ClaimBlock>(built(s, kClaimLen));
  for (uint8_t addr : {uint8_t{0x00}, uint8_t{0x08}, uint8_t{0x0F}, uint8_t{0x50}, uint8_t{0x7F}}) {
    CAPTURE(int(addr));
    s.address = addr;
    Bytes b = built(s, kClaimLen);
    ClaimBlock out;
    CHECK_FALSE(parse(b.data(), b.size(), &out));
  }
}

TEST_CASE("i2c_map: magic blocks (reset, backoff) and echo") {
  uint8_t buf[40];
  REQUIRE(build_magic(kResetMagic, buf, sizeof buf) == kResetLen);
  CHECK(buf[0] == 0x52);
  CHECK(parse_magic(buf, kResetLen, kResetMagic));
  CHECK_FALSE(parse_magic(buf, kResetLen, kBackoffMagic));
  CHECK_FALSE(parse_magic(buf, kResetLen - 1, kResetMagic));
  buf[2] ^= 1;
  CHECK_FALSE(parse_magic(buf, kResetLen, kResetMagic));
  REQUIRE(build_magic(kBackoffMagic, buf, sizeof buf) == kBackoffLen);
  CHECK(parse_magic(buf, kBackoffLen, kBackoffMagic));
  CHECK(build_magic(kResetMagic, buf, 4) == 0);

  uint8_t data[kEchoMax + 1];
  for (size_t i = 0; i < sizeof data; ++i) data[i] = static_cast<uint8_t>(i * 7);
  uint8_t out[64];
  REQUIRE(build_echo(data, kEchoMax, out, sizeof out) == kEchoMax + 4);
  CHECK(Bytes(out, out + kEchoMax) == Bytes(data, data + kEchoMax));
  CHECK(sealed(out, kEchoMax + 4));
  CHECK(build_echo(data, kEchoMax + 1, out, sizeof out) == 0);
  REQUIRE(build_echo(data, 0, out, sizeof out) == 4);
  CHECK(sealed(out, 4));
  CHECK_FALSE(sealed(out, 3));
}

TEST_CASE("i2c_map: CRC-8 is SMBus's PEC and the POLL block round-trips in 9 bytes") {
  const uint8_t check[] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
  CHECK(picocray::crc8(check, sizeof check) == 0xF4);
  picocray::i2c::StatusBlock s;
  s.ready = 1;
  s.free = 0;
  s.ready_len = 0x1234;
  s.last_tile = 0xABCDEF01u;
  s.beat = 0x0302;
  uint8_t buf[16];
  REQUIRE(picocray::i2c::build_poll(s, buf, sizeof buf) == picocray::i2c::kPollLen);
  CHECK(picocray::i2c::kPollLen == 9);
  const uint8_t want[] = {0x01, 0x00, 0x34, 0x12, 0x01, 0xEF, 0x02, 0x03};
  for (size_t i = 0; i < sizeof want; ++i) CHECK(buf[i] == want[i]);
  picocray::i2c::StatusBlock out;
  REQUIRE(picocray::i2c::parse_poll(buf, picocray::i2c::kPollLen, &out));
  CHECK(out.ready == 1);
  CHECK(out.ready_len == 0x1234);
  CHECK(out.last_tile == 0xEF01u);
  CHECK(out.beat == 0x0302);
  buf[3] ^= 0x10;
  CHECK_FALSE(picocray::i2c::parse_poll(buf, picocray::i2c::kPollLen, &out));
}
