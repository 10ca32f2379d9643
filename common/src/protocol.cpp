#include "picocray/protocol.h"

#include "picocray/palette.h"

namespace picocray {

void encode_coord(Writer& w, const Coord& c) {
  for (int i = 0; i < 4; ++i) w.u32(c.w[i]);
}

Coord decode_coord(Reader& r) {
  Coord c;
  for (int i = 0; i < 4; ++i) c.w[i] = r.u32();
  return c;
}

void encode_region(Writer& w, const Region& g) {
  encode_coord(w, g.x0);
  encode_coord(w, g.x1);
  encode_coord(w, g.y0);
  encode_coord(w, g.y1);
}

Region decode_region(Reader& r) {
  Region g;
  g.x0 = decode_coord(r);
  g.x1 = decode_coord(r);
  g.y0 = decode_coord(r);
  g.y1 = decode_coord(r);
  return g;
}

void encode_rect(Writer& w, const TileRect& t) {
  w.u16(t.x);
  w.u16(t.y);
  w.u8(t.w);
  w.u8(t.h);
}

TileRect decode_rect(Reader& r) {
  TileRect t;
  t.x = r.u16();
  t.y = r.u16();
  t.w = r.u8();
  t.h = r.u8();
  return t;
}

bool rect_valid(const TileRect& t) {
  return t.w >= 1 && t.h >= 1 && t.w <= kMaxTileSide && t.h <= kMaxTileSide;
}

void encode(Writer& w, const HelloRequest& m) {
  w.u8(m.major);
  w.u8(m.minor);
}

bool decode(Reader& r, HelloRequest* m) {
  m->major = r.u8();
  m->minor = r.u8();
  return r.done();
}

void encode(Writer& w, const HelloReply& m) {
  w.u8(m.proto_major);
  w.u8(m.proto_minor);
  w.u8(m.fw_major);
  w.u8(m.fw_minor);
  w.u8(m.fw_patch);
  w.u64(m.unique_id);
  w.u8(static_cast<uint8_t>(m.role));
  w.u32(m.capabilities);
  w.u16(m.max_frame_body);
  w.u8(m.node_count);
  w.str(m.board);
}

bool decode(Reader& r, HelloReply* m) {
  m->proto_major = r.u8();
  m->proto_minor = r.u8();
  // A later major may lay out the rest differently: stop here and let the caller compare.
  if (m->proto_major != kProtocolMajor) return r.ok();
  m->fw_major = r.u8();
  m->fw_minor = r.u8();
  m->fw_patch = r.u8();
  m->unique_id = r.u64();
  m->role = static_cast<Role>(r.u8());
  m->capabilities = r.u32();
  m->max_frame_body = r.u16();
  m->node_count = r.u8();
  r.str(m->board, sizeof m->board);
  // A later minor may append fields; take what this version knows.
  return r.ok();
}

void encode(Writer& w, const InfoReply& m) {
  w.u32(m.cpu_hz);
  w.u32(m.i2c_hz);
  w.u8(m.node_count);
  w.u64(m.uptime_us);
  w.u32(m.link.frames_in);
  w.u32(m.link.frames_out);
  w.u32(m.link.crc_errors);
  w.u32(m.link.malformed);
  w.u32(m.link.overlong);
  w.u32(m.jobs_done);
}

bool decode(Reader& r, InfoReply* m) {
  m->cpu_hz = r.u32();
  m->i2c_hz = r.u32();
  m->node_count = r.u8();
  m->uptime_us = r.u64();
  m->link.frames_in = r.u32();
  m->link.frames_out = r.u32();
  m->link.crc_errors = r.u32();
  m->link.malformed = r.u32();
  m->link.overlong = r.u32();
  m->jobs_done = r.u32();
  return r.done();
}

void encode(Writer& w, const NodeEntry& m) {
  w.u8(m.index);
  w.u8(m.address);
  w.u64(m.unique_id);
  w.u8(static_cast<uint8_t>(m.state));
  w.u8(m.cores);
  w.u8(m.fw_major);
  w.u8(m.fw_minor);
  w.u8(m.fw_patch);
  w.u32(m.tiles_done);
  w.u32(m.integrity_errors);
  w.u32(m.retries);
  w.u32(m.last_seen_ms);
}

bool decode(Reader& r, NodeEntry* m) {
  m->index = r.u8();
  m->address = r.u8();
  m->unique_id = r.u64();
  uint8_t state = r.u8();
  m->state = static_cast<NodeState>(state);
  m->cores = r.u8();
  m->fw_major = r.u8();
  m->fw_minor = r.u8();
  m->fw_patch = r.u8();
  m->tiles_done = r.u32();
  m->integrity_errors = r.u32();
  m->retries = r.u32();
  m->last_seen_ms = r.u32();
  return r.ok() && state <= static_cast<uint8_t>(NodeState::lost);
}

void encode(Writer& w, const RenderRequest& m) {
  const JobGeometry& g = m.geometry;
  w.u8(static_cast<uint8_t>(g.precision));
  w.u16(g.max_iter);
  w.u16(g.width);
  w.u16(g.height);
  w.u8(g.tile_w);
  w.u8(g.tile_h);
  w.u64(m.node_mask);
  w.u8(m.flags);
  encode_region(w, g.region);
  // Since 1.2: the subset, only when there is one (the body stays the 1.1 one otherwise), or when
  // the 1.5 display palette follows it (a count of 0 then).
  const TileSubset& s = m.subset;
  const bool display = (m.flags & RenderRequest::kRenderDisplay) != 0;
  if (s.count == 0 && !display) return;
  const uint8_t n = s.count < kMaxTileRanges ? s.count : kMaxTileRanges;
  w.u8(n);
  for (uint8_t k = 0; k < n; ++k) {
    w.u32(s.ranges[k].first);
    w.u32(s.ranges[k].count);
  }
  if (display) w.u8(m.display_palette);
}

bool decode(Reader& r, RenderRequest* m) {
  JobGeometry& g = m->geometry;
  g.precision = static_cast<Precision>(r.u8());
  g.max_iter = r.u16();
  g.width = r.u16();
  g.height = r.u16();
  g.tile_w = r.u8();
  g.tile_h = r.u8();
  m->node_mask = r.u64();
  m->flags = r.u8();
  g.region = decode_region(r);
  // A 1.0/1.1 body ends here; a 1.2 one appends the subset.
  TileSubset& s = m->subset;
  s.count = 0;
  m->display_palette = 0;
  // A body that asks for the display (1.5) always carries the subset count and the palette.
  if (r.ok() && r.remaining() == 0) return (m->flags & RenderRequest::kRenderDisplay) == 0;
  s.count = r.u8();
  for (uint16_t k = 0; k < s.count; ++k) {
    TileRange t;
    t.first = r.u32();
    t.count = r.u32();
    if (k < kMaxTileRanges) s.ranges[k] = t;
  }
  // A 1.5 body with kRenderDisplay ends with the display palette.
  if ((m->flags & RenderRequest::kRenderDisplay) != 0) m->display_palette = r.u8();
  return r.done();
}

uint32_t subset_size(const RenderRequest& m) {
  const TileSubset& s = m.subset;
  if (s.count == 0) return tile_count(m.geometry);
  uint32_t n = 0;
  for (uint8_t k = 0; k < s.count && k < kMaxTileRanges; ++k) n += s.ranges[k].count;
  return n;
}

uint32_t subset_tile(const RenderRequest& m, uint32_t position) {
  const TileSubset& s = m.subset;
  for (uint8_t k = 0; k < s.count && k < kMaxTileRanges; ++k) {
    if (position < s.ranges[k].count) return s.ranges[k].first + position;
    position -= s.ranges[k].count;
  }
  return position;  // no subset: the position is the index
}

bool subset_contains(const RenderRequest& m, uint32_t index) {
  const TileSubset& s = m.subset;
  if (s.count == 0) return index < tile_count(m.geometry);
  for (uint8_t k = 0; k < s.count && k < kMaxTileRanges; ++k)
    if (index >= s.ranges[k].first && index - s.ranges[k].first < s.ranges[k].count) return true;
  return false;
}

void encode(Writer& w, const RenderSummary& m) {
  w.u32(m.tiles);
  w.u64(m.iterations);
  w.u64(m.elapsed_us);
  w.u64(m.i2c_bytes);
  w.u32(m.i2c_transactions);
  w.u32(m.retries);
  w.u32(m.integrity_errors);
  w.u8(m.node_count);
  for (uint8_t i = 0; i < m.node_count; ++i) {
    w.u8(m.per_node[i].node);
    w.u32(m.per_node[i].tiles);
  }
  if (m.layout_minor < 1) return;  // a 1.0 summary ends after the entries
  w.u8(m.nodes_lost);
  w.u8(m.flags);
}

bool decode(Reader& r, RenderSummary* m) {
  m->tiles = r.u32();
  m->iterations = r.u64();
  m->elapsed_us = r.u64();
  m->i2c_bytes = r.u64();
  m->i2c_transactions = r.u32();
  m->retries = r.u32();
  m->integrity_errors = r.u32();
  m->node_count = r.u8();
  if (m->node_count > kMaxNodes + 1) return false;
  for (uint8_t i = 0; i < m->node_count; ++i) {
    m->per_node[i].node = r.u8();
    m->per_node[i].tiles = r.u32();
  }
  // A 1.0 controller ends the summary here.
  m->nodes_lost = 0;
  m->flags = 0;
  m->layout_minor = 0;
  if (r.ok() && r.remaining() == 0) return true;
  m->layout_minor = 1;
  m->nodes_lost = r.u8();
  m->flags = r.u8();
  return r.done();
}

void encode(Writer& w, const ProgressUpdate& m) {
  w.u32(m.tiles_done);
  w.u32(m.tiles_total);
}

bool decode(Reader& r, ProgressUpdate* m) {
  m->tiles_done = r.u32();
  m->tiles_total = r.u32();
  return r.done();
}

void encode(Writer& w, const ResetRequest& m) {
  w.u8(static_cast<uint8_t>(m.kind));
  w.u64(m.node_mask);
}

bool decode(Reader& r, ResetRequest* m) {
  uint8_t kind = r.u8();
  m->kind = static_cast<ResetKind>(kind);
  m->node_mask = r.u64();
  return r.done() && kind >= 1 && kind <= 4;
}

void encode(Writer& w, const ErrorReply& m) {
  w.u16(static_cast<uint16_t>(m.code));
  w.str(m.text);
}

bool decode(Reader& r, ErrorReply* m) {
  m->code = static_cast<ErrorCode>(r.u16());
  r.str(m->text, sizeof m->text);
  return r.done();
}

namespace {

// The subset's ranges: at most kMaxTileRanges, none empty, in index order without overlap, inside
// the grid (which validate(JobGeometry) has checked).
bool validate_subset(const RenderRequest& m, const char** why) {
  static_assert(kMaxTileRanges == 64, "the text below names the limit");
  const TileSubset& s = m.subset;
  if (s.count > kMaxTileRanges) {
    *why = "at most 64 tile ranges";
    return false;
  }
  const uint64_t total = tile_count(m.geometry);
  uint64_t end = 0;  // one past the previous range
  for (uint8_t k = 0; k < s.count; ++k) {
    const TileRange& t = s.ranges[k];
    if (t.count == 0) {
      *why = "a tile range must not be empty";
      return false;
    }
    if (k > 0 && t.first < end) {
      *why = "tile ranges must be in order and must not overlap";
      return false;
    }
    end = uint64_t{t.first} + t.count;
    if (end > total) {
      *why = "tile ranges must lie within the tile grid";
      return false;
    }
  }
  return true;
}

}  // namespace

bool validate(const RenderRequest& m, const char** why) {
  if (!validate(m.geometry, why)) return false;
  if (m.node_mask == 0 && (m.flags & RenderRequest::kRenderUseController) == 0) {
    *why = "no node may compute";
    return false;
  }
  if (m.display_palette >= kPaletteCount) {
    *why = "no such display palette";
    return false;
  }
  return validate_subset(m, why);
}

const char* error_name(ErrorCode c) {
  switch (c) {
    case ErrorCode::bad_request: return "bad_request";
    case ErrorCode::unknown_type: return "unknown_type";
    case ErrorCode::busy: return "busy";
    case ErrorCode::bad_job: return "bad_job";
    case ErrorCode::no_nodes: return "no_nodes";
    case ErrorCode::cancelled: return "cancelled";
    case ErrorCode::cluster_fault: return "cluster_fault";
    case ErrorCode::version_mismatch: return "version_mismatch";
    case ErrorCode::not_supported: return "not_supported";
  }
  return "unknown";
}

}  // namespace picocray
