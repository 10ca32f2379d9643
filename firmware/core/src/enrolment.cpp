#include "picocray/enrolment.h"

#include "picocray/timing.h"

namespace picocray {

using hal::I2cStatus;
using hal::Line;
using NodePhase = NodeRecord::Phase;

void Enrolment::start() {
  table_.clear();
  collisions_ = 0;
  phase_ = Phase::open;
  quiet_since_ = clock_.now_us();
  for (uint8_t a = i2c::kFirstNodeAddress; a < i2c::kFirstNodeAddress + kMaxNodes; ++a)
    bus_.write_magic(a, i2c::Reg::reset, i2c::kResetMagic);
}

void Enrolment::reset_nodes(uint64_t mask) {
  for (uint8_t i = 0; i < table_.count(); ++i) {
    if (((mask >> i) & 1u) == 0) continue;
    NodeRecord& n = table_[i];
    bus_.write_magic(n.address, i2c::Reg::reset, i2c::kResetMagic);
    n.phase = NodePhase::lost;
    n.job_id = 0;
  }
  phase_ = Phase::open;
  quiet_since_ = clock_.now_us();
}

void Enrolment::poll(uint64_t now) {
  serve_claim(now);
  verify_claimed(now);
}

bool Enrolment::settling(uint64_t now, uint64_t* wake) {
  if (phase_ != Phase::open) return false;
  uint64_t next_verify = kNoDeadline;
  for (uint8_t i = 0; i < table_.count(); ++i)
    if (table_[i].phase == NodePhase::claimed && table_[i].verify_at < next_verify)
      next_verify = table_[i].verify_at;
  const uint64_t quiet_end = quiet_since_ + timing::kEnumerationQuietUs;
  if (next_verify != kNoDeadline || now < quiet_end) {
    *wake = next_verify < quiet_end ? next_verify : quiet_end;
    return true;
  }
  phase_ = Phase::closed;
  return false;
}

void Enrolment::serve_claim(uint64_t now) {
  if (gpio_.read(Line::assert_)) return;
  uint8_t buf[i2c::kIdentLen];
  if (bus_.read_reg(i2c::kDefaultAddress, i2c::Reg::ident, buf, sizeof buf) != I2cStatus::ok)
    return;  // it let go before we asked
  i2c::IdentBlock id;
  if (!i2c::parse(buf, sizeof buf, &id)) {
    // Two boards answered at once (their bytes ANDed on the wire): both must back off.
    ++collisions_;
    quiet_since_ = now;
    bus_.write_magic(i2c::kDefaultAddress, i2c::Reg::backoff, i2c::kBackoffMagic);
    return;
  }
  give_address(id, now);
}

void Enrolment::give_address(const i2c::IdentBlock& id, uint64_t now) {
  int idx = table_.find_uid(id.unique_id);
  const bool known = idx >= 0;
  if (!known) {
    uint8_t addr = table_.free_address();
    if (addr == 0) {
      // 64 nodes already: tell it to let go, and do not hold enumeration open for it.
      bus_.write_magic(i2c::kDefaultAddress, i2c::Reg::backoff, i2c::kBackoffMagic);
      return;
    }
    // Ordered by unique ID, so numbering does not depend on who claimed first.
    idx = table_.insert(id.unique_id, addr);
  }
  quiet_since_ = now;
  NodeRecord& n = table_[static_cast<uint8_t>(idx)];
  if (known) reclaimed_.node_reclaimed(n);
  n.cores = id.cores;
  n.fw[0] = id.fw_major;
  n.fw[1] = id.fw_minor;
  n.fw[2] = id.fw_patch;
  n.capabilities = id.capabilities;
  n.phase = NodePhase::claimed;
  n.job_id = 0;
  n.n_out = 0;
  uint8_t msg[i2c::kClaimLen + 1];
  msg[0] = static_cast<uint8_t>(i2c::Reg::claim);
  i2c::ClaimBlock c;
  c.unique_id = id.unique_id;
  c.address = n.address;
  i2c::build(c, msg + 1, sizeof msg - 1);
  bus_.write(i2c::kDefaultAddress, msg, sizeof msg);
  n.verify_at = clock_.now_us() + timing::kAddressSettleUs;
}

void Enrolment::verify_claimed(uint64_t now) {
  for (uint8_t i = 0; i < table_.count(); ++i) {
    NodeRecord& n = table_[i];
    if (n.phase != NodePhase::claimed || now < n.verify_at) continue;
    uint8_t buf[i2c::kIdentLen];
    i2c::IdentBlock id;
    if (bus_.read_reg(n.address, i2c::Reg::ident, buf, sizeof buf) == I2cStatus::ok &&
        i2c::parse(buf, sizeof buf, &id) && id.unique_id == n.uid) {
      n.phase = NodePhase::ready;
      n.last_seen_us = clock_.now_us();
    } else if (now - n.verify_at > 10 * timing::kAddressSettleUs) {
      n.phase = NodePhase::lost;  // it never arrived; it will claim again
    } else {
      n.verify_at = now + timing::kAddressSettleUs;
    }
  }
}

}  // namespace picocray
