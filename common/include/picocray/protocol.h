// Messages on the host link (docs/protocol.md is the reference a client is written from).
// Each message is one frame (frame.h); its header's seq ties answers and streams to requests.
#pragma once
#include <cstddef>
#include <cstdint>

#include "picocray/kernel.h"
#include "picocray/wire.h"

namespace picocray {

constexpr uint8_t kProtocolMajor = 1;
constexpr uint8_t kProtocolMinor = 5;
constexpr uint8_t kFirmwareMajor = 0;
constexpr uint8_t kFirmwareMinor = 6;
constexpr uint8_t kFirmwarePatch = 0;
constexpr uint8_t kMaxNodes = 64;

enum class MsgType : uint8_t {
  // host -> controller: requests
  hello = 0x01,
  info = 0x02,
  nodes = 0x03,
  render = 0x04,
  reset = 0x05,
  cancel = 0x06,
  ping = 0x07,
  node_echo = 0x08,     // since 1.1: node u8, then 1..32 bytes; OK carries what the node echoed
  display_read = 0x10,  // since 1.5: the LCD's memory, as DISPLAY_ROWS frames, then OK
  // controller -> host: the one final answer to each request
  ok = 0x80,
  error = 0x81,
  // controller -> host: streamed, naming their request by seq
  tile = 0x90,
  progress = 0x91,
  log = 0x92,
  display_rows = 0x93,  // since 1.5: y u16, rows u8, then rows * 320 RGB565 pixels (u16 each)
};

enum class ErrorCode : uint16_t {
  bad_request = 1,       // the body did not parse
  unknown_type = 2,      // a message type the controller does not take
  busy = 3,              // a render is already running
  bad_job = 4,           // render parameters out of range
  no_nodes = 5,          // the job names nodes that are not there
  cancelled = 6,         // a CANCEL ended the render
  cluster_fault = 7,     // a node failed and the job could not be finished
  version_mismatch = 8,  // HELLO with another protocol major
  not_supported = 9,     // a request this build cannot carry out
};

enum class Role : uint8_t { controller = 0, secondary = 1 };

// Capability bits in HELLO's answer.
constexpr uint32_t kCapSimulated = 1u << 0;
constexpr uint32_t kCapFixed32 = 1u << 1;
constexpr uint32_t kCapFixed64 = 1u << 2;
constexpr uint32_t kCapFixed128 = 1u << 3;
constexpr uint32_t kCapControllerCompute = 1u << 4;
constexpr uint32_t kCapAttentionLine = 1u << 5;
constexpr uint32_t kCapTileCodecRange = 1u << 6;  // writes tile blocks in codec 2 when asked
constexpr uint32_t kCapDisplay = 1u << 7;         // since 1.5: an ILI9341 answered at start-up

struct HelloRequest {
  uint8_t major = kProtocolMajor;
  uint8_t minor = kProtocolMinor;
};

struct HelloReply {
  uint8_t proto_major = kProtocolMajor;
  uint8_t proto_minor = kProtocolMinor;
  uint8_t fw_major = kFirmwareMajor, fw_minor = kFirmwareMinor, fw_patch = kFirmwarePatch;
  uint64_t unique_id = 0;
  Role role = Role::controller;
  uint32_t capabilities = 0;
  uint16_t max_frame_body = 0;
  uint8_t node_count = 0;
  char board[24] = {};
};

struct LinkCounters {
  uint32_t frames_in = 0, frames_out = 0, crc_errors = 0, malformed = 0, overlong = 0;
};

struct InfoReply {
  uint32_t cpu_hz = 0;
  uint32_t i2c_hz = 0;
  uint8_t node_count = 0;
  uint64_t uptime_us = 0;
  LinkCounters link;
  uint32_t jobs_done = 0;
};

enum class NodeState : uint8_t { idle = 0, busy = 1, lost = 2 };

struct NodeEntry {
  uint8_t index = 0;  // numbering ordered by unique ID: stable across resets
  uint8_t address = 0;
  uint64_t unique_id = 0;
  NodeState state = NodeState::idle;
  uint8_t cores = 0;
  uint8_t fw_major = 0, fw_minor = 0, fw_patch = 0;
  uint32_t tiles_done = 0;
  uint32_t integrity_errors = 0;
  uint32_t retries = 0;
  uint32_t last_seen_ms = 0;  // ms since the controller last heard from it
};

// A run of the job's tile grid: tiles first .. first + count - 1 (since protocol 1.2).
struct TileRange {
  uint32_t first = 0;
  uint32_t count = 0;
};

// The most ranges one RENDER may name: the controller keeps them in its job, a fixed array.
constexpr uint8_t kMaxTileRanges = 64;

// The tiles a render asks for (since protocol 1.2): ranges in index order, apart from each other;
// none means every tile of the grid.
struct TileSubset {
  // As on the wire. Above kMaxTileRanges only the first kMaxTileRanges ranges are held (and
  // encoded), and validate() refuses the job.
  uint8_t count = 0;
  TileRange ranges[kMaxTileRanges];
};

// A render job as the host asks for it.
struct RenderRequest {
  JobGeometry geometry;
  uint64_t node_mask = ~0ull;  // bit i: node index i may take tiles
  uint8_t flags = kRenderUseController;
  static constexpr uint8_t kRenderUseController = 1;  // the controller's core 1 computes too
  // Since 1.5: the tiles are drawn on the controller's LCD too, in display_palette.
  static constexpr uint8_t kRenderDisplay = 2;
  // Encoded only when it names ranges (or the display palette follows): without them the body is
  // the 1.0/1.1 one, which every controller takes.
  TileSubset subset;
  // Since 1.5, on the wire only with kRenderDisplay: a picocray::Palette value.
  uint8_t display_palette = 0;
};

// The tiles a valid job asks for: those of its subset, or the whole grid's.
uint32_t subset_size(const RenderRequest& m);
// The job's tile at `position` (0 .. subset_size - 1) of its tiles in index order.
uint32_t subset_tile(const RenderRequest& m, uint32_t position);
// Whether a valid job asks for tile `index`.
bool subset_contains(const RenderRequest& m, uint32_t index);

struct NodeTiles {
  uint8_t node = 0;
  uint32_t tiles = 0;
};

struct RenderSummary {
  uint32_t tiles = 0;
  uint64_t iterations = 0;
  uint64_t elapsed_us = 0;  // controller clock, request to final answer
  uint64_t i2c_bytes = 0;   // bytes on the bus, address bytes included
  uint32_t i2c_transactions = 0;
  uint32_t retries = 0;
  uint32_t integrity_errors = 0;
  uint8_t node_count = 0;  // entries in per_node
  NodeTiles per_node[kMaxNodes + 1];
  uint8_t nodes_lost = 0;  // secondaries dropped during the job (since protocol 1.1)
  uint8_t flags = 0;       // kFinishedOnController (since protocol 1.1)
  static constexpr uint8_t kFinishedOnController = 1;  // every secondary was lost
  // The protocol minor whose layout encode() writes: below 1 the body ends after per_node. decode()
  // sets the oldest minor with the layout it read (0 or 1).
  uint8_t layout_minor = kProtocolMinor;
};

// LOG body: level u8, then a u8-length text.
enum class LogLevel : uint8_t { info = 0, warn = 1, error = 2 };

struct ProgressUpdate {
  uint32_t tiles_done = 0;
  uint32_t tiles_total = 0;
};

enum class ResetKind : uint8_t { enumerate = 1, nodes = 2, controller = 3, bootsel = 4 };

struct ResetRequest {
  ResetKind kind = ResetKind::enumerate;
  uint64_t node_mask = 0;
};

struct ErrorReply {
  ErrorCode code = ErrorCode::bad_request;
  char text[96] = {};
};

// Field-by-field encoders and decoders. decode_* return false on a short, long or invalid body.
void encode(Writer& w, const HelloRequest& m);
bool decode(Reader& r, HelloRequest* m);
void encode(Writer& w, const HelloReply& m);
bool decode(Reader& r, HelloReply* m);
void encode(Writer& w, const InfoReply& m);
bool decode(Reader& r, InfoReply* m);
void encode(Writer& w, const NodeEntry& m);
bool decode(Reader& r, NodeEntry* m);
void encode(Writer& w, const RenderRequest& m);
bool decode(Reader& r, RenderRequest* m);
void encode(Writer& w, const RenderSummary& m);
bool decode(Reader& r, RenderSummary* m);
void encode(Writer& w, const ProgressUpdate& m);
bool decode(Reader& r, ProgressUpdate* m);
void encode(Writer& w, const ResetRequest& m);
bool decode(Reader& r, ResetRequest* m);
void encode(Writer& w, const ErrorReply& m);
bool decode(Reader& r, ErrorReply* m);
void encode_coord(Writer& w, const Coord& c);
Coord decode_coord(Reader& r);
// A region: x0, x1, y0, y1, each a Coord (16 bytes). A tile rectangle: x u16, y u16, w u8, h u8.
void encode_region(Writer& w, const Region& g);
Region decode_region(Reader& r);
void encode_rect(Writer& w, const TileRect& t);
TileRect decode_rect(Reader& r);
// Sides 1 to kMaxTileSide.
bool rect_valid(const TileRect& t);

// Checks a render job against the documented limits (geometry.h, and a node that may compute);
// on failure *why says which one.
bool validate(const RenderRequest& m, const char** why);

const char* error_name(ErrorCode c);

}  // namespace picocray
