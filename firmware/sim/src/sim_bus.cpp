#include "sim_bus.h"

#include <algorithm>

namespace picocray::sim {

using hal::I2cStatus;

// Where a transfer is on the wires: 9 SCL periods a byte (8 data + ACK), one for each of start,
// repeated start and stop, plus the controller's software per byte and per transfer
// (Model::i2c_*_byte_ns, i2c_overhead_ns), against the deadline from its start.
class Bus::Span {
 public:
  Span(const Model& m, uint32_t timeout_us)
      : m_(m), period_(scl_period_cycles(m)), deadline_ns_(uint64_t{timeout_us} * 1000) {}
  // Each returns false when what it adds ends at or past the deadline: pico-sdk looks at the
  // clock before the block's status, so a transfer ending at the deadline has timed out.
  bool byte(uint32_t software_ns) {
    bits_ += 9;
    software_ns_ += software_ns;
    if (ns() >= deadline_ns_) return false;
    ++bytes_;
    return true;
  }
  bool condition() {
    bits_ += 1;
    return ns() < deadline_ns_;
  }
  uint64_t ns() const {
    return bits_ * period_ * 1000000000ull / m_.cpu_hz + software_ns_ + m_.i2c_overhead_ns;
  }
  uint64_t deadline_ns() const { return deadline_ns_; }
  size_t bytes() const { return bytes_; }

 private:
  const Model& m_;
  uint64_t period_;  // clk_sys cycles per SCL period
  uint64_t deadline_ns_;
  uint64_t bits_ = 1;  // the start condition
  uint64_t software_ns_ = 0;
  size_t bytes_ = 0;  // whole bytes on the wires
};

I2cStatus Bus::transfer(uint8_t address, const uint8_t* tx, size_t tx_len, uint8_t* rx,
                        size_t rx_len, uint32_t timeout_us) {
  env_.touch();
  ++env_.stats().i2c_transactions;
  const Model& m = env_.model();
  Span s(m, timeout_us);
  address = static_cast<uint8_t>(env_.on_wire(static_cast<uint8_t>(address << 1)) >> 1);
  std::vector<Target*> hit;
  for (Target& t : targets_)
    if (t.address == address) hit.push_back(&t);
  if (!s.byte(0)) return timed_out(s, {});
  if (hit.empty() || env_.drop_transfer())
    return s.condition() ? end(s, I2cStatus::nack_address) : timed_out(s, {});
  for (size_t i = 0; i < tx_len; ++i) {
    if (!s.byte(m.i2c_write_byte_ns)) return timed_out(s, hit);
    const uint8_t b = env_.on_wire(tx[i]);
    for (Target* t : hit) t->handler->on_receive(b);
  }
  if (tx_len > 0 && rx_len > 0) {  // the repeated start, then the address again
    if (!s.condition()) return timed_out(s, hit);
    for (Target* t : hit) t->handler->on_finish();
    if (!s.byte(0)) return timed_out(s, hit);
  }
  if (hit.size() > 1 && rx_len > 0) ++env_.stats().collisions_seen;
  // Open drain: when several targets drive the same read, a 0 from any of them wins. A target is
  // asked for a byte as the byte starts.
  for (size_t i = 0; i < rx_len; ++i) {
    uint8_t v = 0xFF;
    for (Target* t : hit) v &= t->handler->on_request();
    if (!s.byte(m.i2c_read_byte_ns)) return timed_out(s, hit);
    rx[i] = env_.on_wire(v);
  }
  if (!s.condition()) return timed_out(s, hit);  // the stop
  for (Target* t : hit) t->handler->on_finish();
  return end(s, I2cStatus::ok);
}

I2cStatus Bus::end(const Span& s, I2cStatus status) {
  Stats& st = env_.stats();
  env_.advance(s.ns());
  st.i2c_bytes += s.bytes();
  st.i2c_busy_ns += s.ns();
  return status;
}

I2cStatus Bus::timed_out(const Span& s, const std::vector<Target*>& hit) {
  // The firmware gives the bus up at the deadline (firmware/rp2040: recover_bus ends with a STOP).
  for (Target* t : hit) t->handler->on_finish();
  Stats& st = env_.stats();
  env_.advance(s.deadline_ns());
  st.i2c_bytes += s.bytes();
  st.i2c_busy_ns += s.deadline_ns();
  ++st.i2c_timeouts;
  return I2cStatus::timeout;
}

void Bus::listen(size_t board, uint8_t address, hal::I2cTargetHandler* handler) {
  stop(board);
  targets_.push_back(Target{board, address, handler});
  env_.touch();
}

void Bus::stop(size_t board) {
  targets_.erase(std::remove_if(targets_.begin(), targets_.end(),
                                [board](const Target& x) { return x.board == board; }),
                 targets_.end());
}

}  // namespace picocray::sim
