#include "picocray/i2c_map.h"

#include "picocray/crc32.h"
#include "picocray/crc8.h"
#include "picocray/protocol.h"
#include "picocray/wire.h"

namespace picocray::i2c {

void seal(uint8_t* out, size_t n) {
  Writer w(out + n, 4);
  w.u32(crc32(out, n));
}

bool sealed(const uint8_t* in, size_t len) {
  if (len < 4) return false;
  Reader r(in + len - 4, 4);
  return crc32(in, len - 4) == r.u32();
}

namespace {

// Runs the field writer over a buffer of exactly `len` bytes (CRC included) and seals it.
template <typename Fields>
size_t build_block(size_t len, uint8_t* out, size_t cap, Fields fields) {
  if (cap < len) return 0;
  Writer w(out, len - 4);
  fields(w);
  if (!w.ok() || w.size() != len - 4) return 0;
  seal(out, len - 4);
  return len;
}

}  // namespace

size_t build(const StatusBlock& b, uint8_t* out, size_t cap) {
  return build_block(kStatusLen, out, cap, [&](Writer& w) {
    w.u8(static_cast<uint8_t>(b.phase));
    w.u8(b.ready);
    w.u8(b.free);
    w.u8(b.rx_errors);
    w.u16(b.job_id);
    w.u16(b.ready_len);
    w.u32(b.last_tile);
    w.u16(b.beat);
  });
}

bool parse(const uint8_t* in, size_t len, StatusBlock* b) {
  if (len != kStatusLen || !sealed(in, len)) return false;
  Reader r(in, len - 4);
  uint8_t phase = r.u8();
  b->phase = static_cast<NodePhase>(phase);
  b->ready = r.u8();
  b->free = r.u8();
  b->rx_errors = r.u8();
  b->job_id = r.u16();
  b->ready_len = r.u16();
  b->last_tile = r.u32();
  b->beat = r.u16();
  return r.done() && phase <= static_cast<uint8_t>(NodePhase::busy);
}

size_t build_poll(const StatusBlock& b, uint8_t* out, size_t cap) {
  if (cap < kPollLen) return 0;
  Writer w(out, kPollLen - 1);
  w.u8(b.ready);
  w.u8(b.free);
  w.u16(b.ready_len);
  w.u16(static_cast<uint16_t>(b.last_tile));
  w.u16(b.beat);
  out[kPollLen - 1] = crc8(out, kPollLen - 1);
  return kPollLen;
}

bool parse_poll(const uint8_t* in, size_t len, StatusBlock* b) {
  if (len != kPollLen || crc8(in, kPollLen - 1) != in[kPollLen - 1]) return false;
  Reader r(in, kPollLen - 1);
  b->ready = r.u8();
  b->free = r.u8();
  b->ready_len = r.u16();
  b->last_tile = r.u16();
  b->beat = r.u16();
  return r.done() && b->free <= kSlots && b->ready <= kSlots;
}

size_t build(const IdentBlock& b, uint8_t* out, size_t cap) {
  return build_block(kIdentLen, out, cap, [&](Writer& w) {
    w.u64(b.unique_id);
    w.u8(b.fw_major);
    w.u8(b.fw_minor);
    w.u8(b.fw_patch);
    w.u8(b.cores);
    w.u32(b.capabilities);
  });
}

bool parse(const uint8_t* in, size_t len, IdentBlock* b) {
  if (len != kIdentLen || !sealed(in, len)) return false;
  Reader r(in, len - 4);
  b->unique_id = r.u64();
  b->fw_major = r.u8();
  b->fw_minor = r.u8();
  b->fw_patch = r.u8();
  b->cores = r.u8();
  b->capabilities = r.u32();
  return r.done();
}

size_t build(const JobBlock& b, uint8_t* out, size_t cap) {
  const bool named = b.codec != kTileCodecRuns;
  return build_block(named ? kJobLenCodec : kJobLen, out, cap, [&](Writer& w) {
    const JobGeometry& g = b.geometry;
    w.u16(b.job_id);
    w.u8(static_cast<uint8_t>(g.precision));
    w.u16(g.max_iter);
    w.u16(g.width);
    w.u16(g.height);
    encode_region(w, g.region);
    w.u8(g.tile_w);
    w.u8(g.tile_h);
    if (named) w.u8(b.codec);
  });
}

bool parse(const uint8_t* in, size_t len, JobBlock* b) {
  if ((len != kJobLen && len != kJobLenCodec) || !sealed(in, len)) return false;
  Reader r(in, len - 4);
  JobGeometry& g = b->geometry;
  b->job_id = r.u16();
  uint8_t p = r.u8();
  g.precision = static_cast<Precision>(p);
  g.max_iter = r.u16();
  g.width = r.u16();
  g.height = r.u16();
  g.region = decode_region(r);
  g.tile_w = r.u8();
  g.tile_h = r.u8();
  b->codec = len == kJobLenCodec ? r.u8() : kTileCodecRuns;
  // The long block exists only to name a codec other than 1, so each job has one form.
  if (len == kJobLenCodec ? b->codec != kTileCodecRange : b->codec != kTileCodecRuns) return false;
  const char* why = nullptr;
  return r.done() && validate(g, &why);
}

size_t build(const TileAssign& b, uint8_t* out, size_t cap) {
  return build_block(kTileAssignLen, out, cap, [&](Writer& w) {
    w.u16(b.job_id);
    w.u32(b.tile_index);
    encode_rect(w, b.rect);
  });
}

bool parse(const uint8_t* in, size_t len, TileAssign* b) {
  if (len != kTileAssignLen || !sealed(in, len)) return false;
  Reader r(in, len - 4);
  b->job_id = r.u16();
  b->tile_index = r.u32();
  b->rect = decode_rect(r);
  return r.done() && rect_valid(b->rect);
}

size_t build(const AckBlock& b, uint8_t* out, size_t cap) {
  return build_block(kAckLen, out, cap, [&](Writer& w) { w.u32(b.tile_index); });
}

bool parse(const uint8_t* in, size_t len, AckBlock* b) {
  if (len != kAckLen || !sealed(in, len)) return false;
  Reader r(in, len - 4);
  b->tile_index = r.u32();
  return r.done();
}

size_t build(const ClaimBlock& b, uint8_t* out, size_t cap) {
  return build_block(kClaimLen, out, cap, [&](Writer& w) {
    w.u64(b.unique_id);
    w.u8(b.address);
  });
}

bool parse(const uint8_t* in, size_t len, ClaimBlock* b) {
  if (len != kClaimLen || !sealed(in, len)) return false;
  Reader r(in, len - 4);
  b->unique_id = r.u64();
  b->address = r.u8();
  return r.done() && b->address >= kFirstNodeAddress && b->address < kFirstNodeAddress + 64;
}

size_t build_magic(uint8_t magic, uint8_t* out, size_t cap) {
  return build_block(1 + 4, out, cap, [&](Writer& w) { w.u8(magic); });
}

bool parse_magic(const uint8_t* in, size_t len, uint8_t magic) {
  return len == 5 && sealed(in, len) && in[0] == magic;
}

size_t build_echo(const uint8_t* data, size_t n, uint8_t* out, size_t cap) {
  if (n > kEchoMax) return 0;
  return build_block(n + 4, out, cap, [&](Writer& w) { w.bytes(data, n); });
}

}  // namespace picocray::i2c
