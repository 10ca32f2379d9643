// The secondary's I2C register map. A write transfer is [register][block]; a read is a write of
// [register] then, after a repeated start, a read of that register's block. Every block ends in a
// CRC-32 (crc32.h) over the bytes before it; a secondary drops a written block whose CRC fails
// (and counts it in STATUS.rx_errors); the controller re-reads a read block whose CRC fails.
#pragma once
#include <cstddef>
#include <cstdint>

#include "picocray/kernel.h"
#include "picocray/tile_codec.h"

namespace picocray::i2c {

// Unaddressed secondaries answer here, one at a time (the one holding the assert line).
constexpr uint8_t kDefaultAddress = 0x08;
// Enrolled secondaries: 0x10 + slot, slot 0..63.
constexpr uint8_t kFirstNodeAddress = 0x10;
constexpr uint8_t kSlots = 2;  // job slots per secondary
constexpr size_t kEchoMax = 32;

enum class Reg : uint8_t {
  status = 0x00,   // R  StatusBlock
  poll = 0x03,     // R  PollBlock: the few status fields a sweep needs, CRC-8 guarded
  ident = 0x01,    // R  IdentBlock
  echo = 0x02,     // W  up to 32 bytes + crc; R  the same bytes + crc
  job = 0x10,      // W  JobBlock: the geometry of the job tiles belong to
  tile = 0x11,     // W  TileAssign: a tile for a free slot
  result = 0x20,   // R  the oldest finished tile block (tile_block.h), ready_len bytes
  ack = 0x21,      // W  AckBlock: the controller has the tile; its slot is free again
  claim = 0x30,    // W  at the default address: ClaimBlock, move to a new address
  backoff = 0x31,  // W  at the default address: every listener lets go and retries later
  reset = 0x3E,    // W  ResetBlock: forget everything, drop the address, enrol again
};

enum class NodePhase : uint8_t { unaddressed = 0, idle = 1, busy = 2 };

struct StatusBlock {
  NodePhase phase = NodePhase::unaddressed;
  uint8_t ready = 0;                 // finished tiles waiting to be read
  uint8_t free = 0;                  // slots free for a new tile
  uint8_t rx_errors = 0;             // written blocks dropped for a bad CRC or length (wraps)
  uint16_t job_id = 0;               // job last loaded
  uint16_t ready_len = 0;            // length of the oldest finished tile block, 0 if none
  uint32_t last_tile = 0xFFFFFFFFu;  // tile_index of the last assignment taken
  uint16_t beat = 0;  // low 16 bits of the compute's heartbeat (hal::Compute), since 0.4.0
};
constexpr size_t kStatusLen = 14 + 4;

// POLL: ready u8, free u8, ready_len u16, low 16 bits of last_tile, beat u16, then a CRC-8
// (crc8.h). Read into a StatusBlock (phase, rx_errors and job_id are left as they were; last_tile
// holds 16 bits).
constexpr size_t kPollLen = 8 + 1;

struct IdentBlock {
  uint64_t unique_id = 0;
  uint8_t fw_major = 0, fw_minor = 0, fw_patch = 0;
  uint8_t cores = 0;
  uint32_t capabilities = 0;
};
constexpr size_t kIdentLen = 16 + 4;

struct JobBlock {
  uint16_t job_id = 0;
  JobGeometry geometry;
  uint8_t codec = kTileCodecRuns;  // the codec of the job's tile blocks (tile_codec.h)
};
// Codec 1 jobs keep the block every firmware takes; a node that offers kCapTileCodecRange also
// takes the longer block that names the codec.
constexpr size_t kJobLen = 75 + 4;
constexpr size_t kJobLenCodec = 76 + 4;

struct TileAssign {
  uint16_t job_id = 0;
  uint32_t tile_index = 0;
  TileRect rect;
};
constexpr size_t kTileAssignLen = 12 + 4;

struct AckBlock {
  uint32_t tile_index = 0;
};
constexpr size_t kAckLen = 4 + 4;

struct ClaimBlock {
  uint64_t unique_id = 0;
  uint8_t address = 0;
};
constexpr size_t kClaimLen = 9 + 4;

constexpr uint8_t kResetMagic = 0x52;  // 'R'
constexpr size_t kResetLen = 1 + 4;
constexpr uint8_t kBackoffMagic = 0x42;  // 'B'
constexpr size_t kBackoffLen = 1 + 4;

// Each build writes the block and its CRC, returning the length (0 if cap is short); each parse
// checks length and CRC.
size_t build(const StatusBlock& b, uint8_t* out, size_t cap);
bool parse(const uint8_t* in, size_t len, StatusBlock* b);
size_t build_poll(const StatusBlock& b, uint8_t* out, size_t cap);
bool parse_poll(const uint8_t* in, size_t len, StatusBlock* b);
size_t build(const IdentBlock& b, uint8_t* out, size_t cap);
bool parse(const uint8_t* in, size_t len, IdentBlock* b);
size_t build(const JobBlock& b, uint8_t* out, size_t cap);
bool parse(const uint8_t* in, size_t len, JobBlock* b);
size_t build(const TileAssign& b, uint8_t* out, size_t cap);
bool parse(const uint8_t* in, size_t len, TileAssign* b);
size_t build(const AckBlock& b, uint8_t* out, size_t cap);
bool parse(const uint8_t* in, size_t len, AckBlock* b);
size_t build(const ClaimBlock& b, uint8_t* out, size_t cap);
bool parse(const uint8_t* in, size_t len, ClaimBlock* b);
// One magic byte and its CRC (reset, backoff).
size_t build_magic(uint8_t magic, uint8_t* out, size_t cap);
bool parse_magic(const uint8_t* in, size_t len, uint8_t magic);
// Echo: up to kEchoMax bytes and their CRC.
size_t build_echo(const uint8_t* data, size_t n, uint8_t* out, size_t cap);

// Appends the CRC of out[0..n) at out[n]; checks the one at in[len-4].
void seal(uint8_t* out, size_t n);
bool sealed(const uint8_t* in, size_t len);

}  // namespace picocray::i2c
