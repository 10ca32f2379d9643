// A render on the rig, taken apart: its final answer, its tiles decoded, its LOG texts.
#pragma once
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "picocray/tile_codec.h"
#include "rig.h"

namespace picocray_test {

struct Rendered {
  HostFrame final;
  std::map<uint32_t, std::vector<uint16_t>> tiles;  // by index, decoded
  std::vector<std::string> logs;
  int duplicates = 0;
};

// The LOG texts and decoded tiles of a render's streamed frames.
inline void take(const std::vector<HostFrame>& streamed, Rendered* out) {
  for (const HostFrame& f : streamed) {
    if (f.is(MsgType::log)) {
      Reader r(f.body.data(), f.body.size());
      r.u8();
      char text[256];
      r.str(text, sizeof text);
      out->logs.push_back(text);
    }
    if (!f.is(MsgType::tile)) continue;
    TileHeader h;
    const uint8_t* payload = nullptr;
    REQUIRE(tile_block_parse(f.body.data(), f.body.size(), &h, &payload));
    std::vector<uint16_t> c(static_cast<size_t>(h.rect.w) * h.rect.h);
    REQUIRE(tile_decode_codec(h.codec, payload, h.payload_len, h.rect.w, h.rect.h, c.data()));
    if (out->tiles.count(h.tile_index) != 0) ++out->duplicates;
    out->tiles[h.tile_index] = c;
  }
}

// Sends the render and, once the first tile has started on the board `stop_board` (if >= 0),
// takes that board off the bus; runs to the final answer.
inline Rendered render(Rig& rig, const RenderRequest& q, int stop_board = -1) {
  Rendered out;
  auto seq = rig.send(MsgType::render, encoded_body(q));
  if (stop_board >= 0) {
    REQUIRE(rig.run_until([&] { return rig.board(stop_board).tiles_started >= 1; }, 1000000));
    rig.board(stop_board).stop();
  }
  std::vector<HostFrame> streamed;
  out.final = rig.await(seq, 20000000, &streamed);
  take(streamed, &out);
  return out;
}

inline void check_exact(const Rendered& r, const RenderRequest& q) {
  REQUIRE_MESSAGE(r.final.is(MsgType::ok), "the render did not end in OK");
  CHECK(r.duplicates == 0);
  REQUIRE(r.tiles.size() == tile_count(q.geometry));
  for (const auto& [index, counts] : r.tiles) {
    std::vector<uint16_t> ref(counts.size());
    compute_tile(tile_task(q.geometry, index), ref.data());
    CHECK_MESSAGE(counts == ref, "tile " << index << " differs from the host reference");
  }
}

inline RenderSummary summary(const HostFrame& f) {
  RenderSummary s;
  Reader r(f.body.data(), f.body.size());
  REQUIRE(decode(r, &s));
  return s;
}

}  // namespace picocray_test
