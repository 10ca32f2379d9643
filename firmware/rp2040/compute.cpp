#include "compute.h"

#include "hardware/sync.h"
#include "pico/multicore.h"
#include "pico/time.h"

namespace picocray::rp2040 {
namespace {

Compute* g_compute = nullptr;
constexpr uint32_t kGo = 0x7111E5u;

// compute_tile_rows over rows first_row, first_row + row_step, ... in pieces of a few pixels of
// one row each; after each piece, between() says whether to go on. A piece is the same tile
// narrowed to a run of one row, so the counts are bit-identical to one compute_tile_rows call.
uint32_t compute_in_pieces(const TileTask& task, uint16_t* counts, uint8_t first_row,
                           uint8_t row_step, bool (*between)()) {
  const uint32_t run = compute_piece_pixels(task);
  uint32_t sum = 0;
  for (uint32_t r = first_row; r < task.rect.h; r += row_step) {
    for (uint32_t c = 0; c < task.rect.w; c += run) {
      TileTask piece = task;
      piece.rect.x = static_cast<uint16_t>(task.rect.x + c);
      piece.rect.y = static_cast<uint16_t>(task.rect.y + r);
      piece.rect.w = static_cast<uint8_t>(task.rect.w - c < run ? task.rect.w - c : run);
      piece.rect.h = 1;
      sum += compute_tile_rows(piece, counts + r * task.rect.w + c, 0, 1);
      if (!between()) return sum;
    }
  }
  return sum;
}

}  // namespace

void Compute::init(bool core0_shares, void (*between_chunks)()) {
  core0_shares_ = core0_shares;
  between_chunks_ = between_chunks;
  core1_first_row_ = core0_shares ? 1 : 0;
  core1_row_step_ = core0_shares ? 2 : 1;
  g_compute = this;
  multicore_launch_core1(&Compute::core1_main);
}

void Compute::core1_main() {
  Compute& c = *g_compute;
  for (;;) {
    if (multicore_fifo_pop_blocking() != kGo) continue;
    __dmb();  // see the task core 0 wrote before the FIFO word
    const TileTask task = c.task_;
    uint16_t* const counts = c.counts_;
    uint32_t sum = compute_in_pieces(task, counts, c.core1_first_row_, c.core1_row_step_, [] {
      g_compute->core1_heartbeat_ = g_compute->core1_heartbeat_ + 1;
      return !g_compute->core1_abort_;
    });
    c.core1_sum_ = sum;
    __dmb();  // the counts and the sum before the flag
    c.core1_done_ = true;
  }
}

void Compute::start(const TileTask& task, uint16_t* counts) {
  if (!core1_done_) {
    // A tile given up half way (a reset, a cancelled job): core 1 stops after its current piece.
    core1_abort_ = true;
    while (!core1_done_) {
      if (between_chunks_) between_chunks_();
    }
  }
  core1_abort_ = false;
  core0_abort_ = false;
  task_ = task;
  counts_ = counts;
  core0_sum_ = 0;
  core1_sum_ = 0;
  core1_done_ = false;
  busy_ = true;
  progress_at_ = time_us_64();
  progress_seen_ = core1_heartbeat_;
  __dmb();
  multicore_fifo_push_blocking(kGo);
  if (core0_shares_) {
    core0_sum_ = compute_in_pieces(task, counts, 0, 2, [] {
      g_compute->core0_heartbeat_ = g_compute->core0_heartbeat_ + 1;
      if (g_compute->between_chunks_) g_compute->between_chunks_();
      return !g_compute->core0_abort_;
    });
  }
}

bool Compute::done() {
  if (!busy_) return true;
  if (!core1_done_) return false;
  __dmb();  // core 1's counts are complete once its flag is seen
  iterations_ = core0_sum_ + core1_sum_;
  busy_ = false;
  return true;
}

bool Compute::core1_stalled(uint64_t now_us, uint64_t stall_us) {
  uint32_t beat = core1_heartbeat_;
  if (!busy_ || core1_done_ || beat != progress_seen_) {
    progress_seen_ = beat;
    progress_at_ = now_us;
    return false;
  }
  return now_us - progress_at_ > stall_us;
}

}  // namespace picocray::rp2040
