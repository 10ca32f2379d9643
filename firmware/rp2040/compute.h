// A tile over the board's two cores: core 1 runs a loop started once through pico_multicore and
// takes work over the inter-core FIFO; on a secondary core 0 computes the other half in start().
// Both work in pieces of at most a few pixels (about a second at the deepest), so the watchdog is
// fed and the USB stack runs however long a tile takes.
#pragma once
#include "picocray/hal.h"

namespace picocray::rp2040 {

class Compute final : public hal::Compute {
 public:
  // core0_shares: a secondary's core 0 takes the even rows (core 1 the odd ones); the controller's
  // core 0 runs the node, so its core 1 computes every row and start() returns at once.
  // between_chunks runs on core 0 between its pieces of work (watchdog, USB).
  void init(bool core0_shares, void (*between_chunks)());
  void start(const TileTask& task, uint16_t* counts) override;
  bool done() override;
  uint32_t iterations() override { return iterations_; }
  uint8_t cores() const override { return core0_shares_ ? 2 : 1; }
  uint32_t heartbeat() override { return core0_heartbeat_ + core1_heartbeat_; }
  void abandon() override {
    core1_abort_ = true;
    core0_abort_ = true;
  }

  // True when core 1 has a tile but has shown no progress for stall_us (then the watchdog is
  // left to bite).
  bool core1_stalled(uint64_t now_us, uint64_t stall_us);

 private:
  static void core1_main();

  bool core0_shares_ = false;
  void (*between_chunks_)() = nullptr;
  bool busy_ = false;
  uint32_t iterations_ = 0;
  uint32_t core0_sum_ = 0;
  uint64_t progress_at_ = 0;
  uint32_t progress_seen_ = 0;
  // Handed to core 1 before the FIFO word that starts it (and a barrier).
  TileTask task_;
  uint16_t* counts_ = nullptr;
  uint8_t core1_first_row_ = 0;
  uint8_t core1_row_step_ = 1;
  // Written by core 1.
  volatile uint32_t core1_sum_ = 0;
  volatile bool core1_done_ = true;
  volatile uint32_t core1_heartbeat_ = 0;
  // Written by core 0 after each of its pieces (read by the I2C interrupt, on core 0 too).
  volatile uint32_t core0_heartbeat_ = 0;
  // Written by core 0 (its main loop or the I2C interrupt): stop the tile in hand.
  volatile bool core1_abort_ = false;
  volatile bool core0_abort_ = false;
};

}  // namespace picocray::rp2040
