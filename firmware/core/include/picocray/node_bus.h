// The controller's side of the I2C bus: register transfers to the secondaries, each block checked
// (CRC, and the tile block's sender), failed transfers retried, and the bytes counted. Every
// transfer's deadline grows with its length (timing::transfer_timeout_us).
#pragma once
#include <cstddef>
#include <cstdint>

#include "picocray/geometry.h"
#include "picocray/hal.h"
#include "picocray/i2c_map.h"
#include "picocray/node_table.h"
#include "picocray/tile_block.h"

namespace picocray {

class NodeBus {
 public:
  // ok: a block that passed its check; absent: kMaxRetries failed transfers in a row (the node is
  // gone); garbled: kMaxGarbled blocks in a row failed their check (a noisy bus).
  enum class Read { ok, absent, garbled };

  NodeBus(hal::I2cInitiator& initiator, hal::Clock& clock) : i2c_(initiator), clock_(clock) {}

  hal::I2cStatus write(uint8_t address, const uint8_t* data, size_t len);
  // RESET and BACKOFF: a register, one magic byte and its CRC.
  hal::I2cStatus write_magic(uint8_t address, i2c::Reg reg, uint8_t magic);
  hal::I2cStatus read_reg(uint8_t address, i2c::Reg reg, uint8_t* rx, size_t len);

  Read read_status(NodeRecord& n, i2c::StatusBlock* s);
  Read read_poll(NodeRecord& n, i2c::StatusBlock* s);
  // One STATUS read, no retries and no counters of the node's: is a lost node back?
  bool probe_status(const NodeRecord& n, i2c::StatusBlock* s);
  // The oldest finished tile block, len bytes (the POLL block's ready_len), into block.
  Read read_tile(NodeRecord& n, uint8_t* block, size_t len, TileHeader* h);
  // codec 2 only to a node that offers kCapTileCodecRange: older ones refuse the longer block.
  hal::I2cStatus write_job(uint8_t address, uint16_t job_id, const JobGeometry& g, uint8_t codec);
  hal::I2cStatus write_tile(uint8_t address, const i2c::TileAssign& a);
  hal::I2cStatus write_ack(uint8_t address, uint32_t tile_index);

  uint64_t bytes() const { return bytes_; }
  uint32_t transactions() const { return transactions_; }
  uint32_t clock_hz() const { return i2c_.clock_hz(); }
  void clear_counters() { bytes_ = transactions_ = 0; }

 private:
  using Check = bool (*)(const uint8_t*, size_t, void*);
  Read read_checked(NodeRecord& n, i2c::Reg reg, uint8_t* buf, size_t len, Check check, void* out);

  hal::I2cInitiator& i2c_;
  hal::Clock& clock_;
  uint64_t bytes_ = 0;
  uint32_t transactions_ = 0;
};

}  // namespace picocray
