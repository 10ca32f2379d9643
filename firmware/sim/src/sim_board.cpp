#include <algorithm>

#include "sim_internal.h"

namespace picocray::sim {

using hal::I2cStatus;

bool Lines::read(hal::Line line, size_t reader, uint64_t pass) const {
  size_t l = static_cast<size_t>(line);
  for (size_t b = 0; b < drivers_.size(); ++b) {
    const Drive& d = drivers_[b].line[l];
    bool low = (b == reader || d.pass < pass) ? d.low : d.prev;
    if (low) return false;
  }
  return true;
}

bool Lines::pull_low(hal::Line line, size_t board, bool low, uint64_t pass) {
  Drive& d = drivers_[board].line[static_cast<size_t>(line)];
  if (d.low == low) return false;
  if (d.pass != pass) d.prev = d.low;
  d.low = low;
  d.pass = pass;
  return true;
}

Board::Board(Cluster& cluster, size_t index, uint64_t uid, bool controller)
    : cluster_(cluster),
      index_(index),
      uid_(uid),
      controller_(controller),
      board_{*this, *this, *this, *this, *this, *this, *this},
      node_(nullptr),
      rng_(uid ^ 0x9E3779B97F4A7C15ull) {
  // Only the controller has the LCD's lines; whether a panel answers on them is the config's.
  if (controller) board_.display = &cluster.panel();
  node_.reset(new Node(board_));
}

bool Board::connected() {
  return cluster_.config().host_present;
}

// ------------------------------------------------------------------------------- the I2C bus

I2cStatus Board::write(uint8_t address, const uint8_t* data, size_t len, uint32_t timeout_us) {
  return cluster_.bus().transfer(address, data, len, nullptr, 0, timeout_us);
}

I2cStatus Board::read(uint8_t address, uint8_t* data, size_t len, uint32_t timeout_us) {
  return cluster_.bus().transfer(address, nullptr, 0, data, len, timeout_us);
}

I2cStatus Board::write_read(uint8_t address, const uint8_t* tx, size_t tx_len, uint8_t* rx,
                            size_t rx_len, uint32_t timeout_us) {
  return cluster_.bus().transfer(address, tx, tx_len, rx, rx_len, timeout_us);
}

uint32_t Board::clock_hz() const {
  return cluster_.model().i2c_hz;
}

void Board::listen(uint8_t address, hal::I2cTargetHandler* handler) {
  cluster_.bus().listen(index_, address, handler);
}

void Board::stop() {
  cluster_.bus().stop(index_);
}

// ------------------------------------------------------------------------------- lines, clock

bool Board::read(hal::Line line) {
  // GPIO22 is each board's own strap, not a shared wire.
  if (line == hal::Line::role) return !controller_;
  return cluster_.lines().read(line, index_, cluster_.pass());
}

void Board::pull_low(hal::Line line, bool low) {
  if (line == hal::Line::role) return;  // strapped, not driven
  if (cluster_.lines().pull_low(line, index_, low, cluster_.pass())) cluster_.touch();
}

uint64_t Board::now_us() {
  return cluster_.now_ns() / 1000;
}

// ------------------------------------------------------------------------------- host link

size_t Board::read(uint8_t* buf, size_t cap) {
  return cluster_.link_read(buf, cap);
}

size_t Board::write(const uint8_t* data, size_t len) {
  return cluster_.link_write(data, len);
}

// ------------------------------------------------------------------------------- compute

void Board::start(const TileTask& task, uint16_t* counts) {
  beats_ = heartbeat();
  const Model& m = cluster_.model();
  const Precision width = task.geometry.precision;
  const int p = width == Precision::p32 ? 0 : width == Precision::p64 ? 1 : 2;
  // Two cores split a tile by rows; the tile is done when the slower half is. The cycles are the
  // iterations the kernels ran (fewer than the counts where a cycle proved a point inside).
  uint64_t cycles = 0, all = 0;
  iterations_ = 0;
  uint32_t row_sums[kMaxTileSide];
  TileWork row_work[kMaxTileSide];
  cluster_.tiles().get(task, counts, row_sums, row_work);
  uint8_t parts = cores();
  parts_ = parts;
  pieces_per_row_ = (task.rect.w + compute_piece_pixels(task) - 1) / compute_piece_pixels(task);
  for (uint8_t part = 0; part < parts; ++part) {
    uint32_t it = 0;
    uint64_t c = 0;
    rows_[part] = 0;
    for (uint32_t r = part; r < task.rect.h; r += parts) {
      it += row_sums[r];
      c += row_work[r].plain * m.cycles_per_iter[p] +
           row_work[r].checked * m.cycles_per_checked_iter[p] +
           static_cast<uint64_t>(task.rect.w) * m.cycles_per_pixel;
      row_end_ns_[part][rows_[part]++] = c * 1000000000ull / m.cpu_hz;
    }
    cycles = std::max(cycles, c);
    all += c;
    iterations_ += it;
  }
  // Then one core of a secondary encodes the tile into its block (the controller's core 0 encodes
  // its own core 1's tiles in codec 1 between transfers: its CPU there is not modelled).
  const uint64_t encode =
      controller_ ? 0 : uint64_t{task.rect.w} * task.rect.h * m.encode_cycles_per_pixel;
  cycles += encode;
  all += encode;
  uint64_t ns = cycles * 1000000000ull / m.cpu_hz;
  computing_ = true;
  started_ns_ = cluster_.now_ns();
  compute_done_ns_ = cluster_.now_ns() + ns;
  cluster_.stats().compute_ns += ns;
  cluster_.stats().compute_cycles += all;
  cluster_.note_tile_cycles(task, all);
  cluster_.touch();
}

uint32_t Board::heartbeat() {
  if (stuck_) return stuck_beat_;
  uint32_t beats = beats_;
  if (parts_ == 0 || started_ns_ > cluster_.now_ns()) return beats;
  const uint64_t t = cluster_.now_ns() - started_ns_;
  for (uint8_t part = 0; part < parts_; ++part) {
    uint64_t row_start = 0;
    for (uint8_t r = 0; r < rows_[part]; ++r) {
      const uint64_t end = row_end_ns_[part][r];
      if (t >= end) {
        beats += pieces_per_row_;
      } else {
        if (end > row_start)
          beats += static_cast<uint32_t>((t - row_start) * pieces_per_row_ / (end - row_start));
        break;
      }
      row_start = end;
    }
  }
  return beats;
}

void Board::abandon() {
  if (!computing_ || stuck_) return;
  beats_ = heartbeat();
  parts_ = 0;
  compute_done_ns_ = cluster_.now_ns();
  cluster_.touch();
}

bool Board::done() {
  if (stuck_) return false;  // injected: busy forever
  if (computing_ && cluster_.now_ns() >= compute_done_ns_) {
    computing_ = false;
    cluster_.touch();
  }
  return !computing_;
}

// ------------------------------------------------------------------------------- system

void Board::power_off() {
  stop();
  cluster_.lines().pull_low(hal::Line::assert_, index_, false, cluster_.pass());
  cluster_.lines().pull_low(hal::Line::attention, index_, false, cluster_.pass());
  powered_ = false;
  computing_ = false;
  cluster_.touch();
}

void Board::power_on() {
  powered_ = true;
  stuck_ = false;
  hung_ = false;
  computing_ = false;
  node_->start();
  cluster_.touch();
}

void Board::reboot(hal::RebootKind) {
  reboot_requested_ = true;
  cluster_.touch();
}

uint32_t Board::random() {
  if (first_random_zero_) {
    first_random_zero_ = false;
    return 0;
  }
  // xorshift64*: repeatable for a given seed.
  rng_ ^= rng_ >> 12;
  rng_ ^= rng_ << 25;
  rng_ ^= rng_ >> 27;
  return static_cast<uint32_t>((rng_ * 0x2545F4914F6CDD1Dull) >> 32);
}

uint32_t Board::cpu_hz() {
  return cluster_.model().cpu_hz;
}

}  // namespace picocray::sim
