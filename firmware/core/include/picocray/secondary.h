// A secondary: enrols on the bus, takes tiles into two job slots, computes them on both cores,
// encodes them, and hands the blocks out through its register map (common/i2c_map.h).
#pragma once
#include <cstdint>

#include "picocray/hal.h"
#include "picocray/i2c_map.h"
#include "picocray/tile_block.h"

namespace picocray {

class Secondary final : public hal::I2cTargetHandler {
 public:
  explicit Secondary(hal::Board& board) : board_(board) {}
  // Forget everything and enrol again from the default address.
  void start();
  // One pass of the main loop; returns when it next needs to run (timing.h).
  uint64_t poll();

  uint8_t address() const { return address_; }
  bool enrolled() const { return address_ != 0; }

  // hal::I2cTargetHandler: called from the I2C interrupt on a board.
  void on_receive(uint8_t byte) override;
  uint8_t on_request() override;
  void on_finish() override;

 private:
  enum class SlotState : uint8_t { free, assigned, computing, ready };
  struct Slot {
    volatile SlotState state = SlotState::free;
    i2c::TileAssign tile;
    uint32_t order = 0;  // ready tiles are read out oldest first
    uint16_t len = 0;
    uint8_t codec = kTileCodecRuns;  // its job's, taken when it starts
    uint8_t block[kTileBlockMax];
  };

  void handle_write();
  bool take_job();
  // The job the interrupt last took, copied whole; false when none is loaded.
  bool copy_job(i2c::JobBlock* out) const;
  // The slot's tile belongs to the job loaded now.
  bool current(const Slot& s) const;
  bool take_tile();
  bool take_ack();
  void prepare_read();
  int oldest(SlotState s) const;
  void claim_or_wait(uint64_t now);
  uint64_t enrol(uint64_t now);

  hal::Board& board_;
  // Enrolment
  uint8_t address_ = 0;
  volatile uint8_t pending_address_ = 0;
  volatile bool backoff_ = false;
  volatile bool reset_ = false;
  bool holding_ = false;
  uint64_t hold_since_ = 0;
  uint64_t next_try_ = 0;
  // Job and slots
  // Written by the I2C interrupt, read by the main loop through copy_job.
  i2c::JobBlock job_;
  volatile bool job_loaded_ = false;
  volatile uint32_t job_writes_ = 0;  // odd while the interrupt writes job_
  Slot slots_[i2c::kSlots];
  uint32_t order_ = 0;
  int computing_ = -1;
  uint16_t counts_[kMaxTilePixels];
  uint32_t last_tile_ = 0xFFFFFFFFu;
  uint16_t last_job_ = 0;
  uint8_t rx_errors_ = 0;
  uint8_t echo_[i2c::kEchoMax];
  uint8_t echo_len_ = 0;
  // The transfer in progress (interrupt context)
  uint8_t reg_ = 0;
  bool have_reg_ = false;
  uint8_t rx_[96];
  uint16_t rx_len_ = 0;
  bool rx_overflow_ = false;
  const uint8_t* tx_ = nullptr;
  uint16_t tx_len_ = 0;
  uint16_t tx_pos_ = 0;
  bool reading_ = false;
  uint8_t tx_small_[48];
};

}  // namespace picocray
