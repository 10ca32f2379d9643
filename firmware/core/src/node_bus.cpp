#include "picocray/node_bus.h"

#include "picocray/timing.h"

namespace picocray {

using hal::I2cStatus;

I2cStatus NodeBus::write(uint8_t address, const uint8_t* data, size_t len) {
  ++transactions_;
  bytes_ += 1 + len;
  return i2c_.write(address, data, len, timing::transfer_timeout_us(1 + len, i2c_.clock_hz()));
}

I2cStatus NodeBus::write_magic(uint8_t address, i2c::Reg reg, uint8_t magic) {
  uint8_t msg[1 + i2c::kResetLen];  // BACKOFF has the same length
  msg[0] = static_cast<uint8_t>(reg);
  i2c::build_magic(magic, msg + 1, sizeof msg - 1);
  return write(address, msg, sizeof msg);
}

I2cStatus NodeBus::read_reg(uint8_t address, i2c::Reg reg, uint8_t* rx, size_t len) {
  ++transactions_;
  const size_t on_wire = 1 + 1 + 1 + len;  // address, register, address again, the block
  bytes_ += on_wire;
  uint8_t r = static_cast<uint8_t>(reg);
  return i2c_.write_read(address, &r, 1, rx, len,
                         timing::transfer_timeout_us(on_wire, i2c_.clock_hz()));
}

NodeBus::Read NodeBus::read_checked(NodeRecord& n, i2c::Reg reg, uint8_t* buf, size_t len,
                                    Check check, void* out) {
  uint8_t nacks = 0;
  for (uint8_t attempt = 0; attempt < timing::kMaxGarbled; ++attempt) {
    if (attempt > 0) ++n.retries;
    if (read_reg(n.address, reg, buf, len) != I2cStatus::ok) {
      if (++nacks >= timing::kMaxRetries) return Read::absent;
      continue;
    }
    nacks = 0;
    n.last_seen_us = clock_.now_us();
    if (check(buf, len, out)) return Read::ok;
    ++n.integrity_errors;
  }
  return Read::garbled;
}

NodeBus::Read NodeBus::read_poll(NodeRecord& n, i2c::StatusBlock* s) {
  uint8_t buf[i2c::kPollLen];
  const Read r = read_checked(
      n, i2c::Reg::poll, buf, sizeof buf,
      [](const uint8_t* b, size_t len, void* out) {
        return i2c::parse_poll(b, len, static_cast<i2c::StatusBlock*>(out));
      },
      s);
  if (r == Read::ok) n.heard(*s, clock_.now_us());
  return r;
}

NodeBus::Read NodeBus::read_status(NodeRecord& n, i2c::StatusBlock* s) {
  uint8_t buf[i2c::kStatusLen];
  const Read r = read_checked(
      n, i2c::Reg::status, buf, sizeof buf,
      [](const uint8_t* b, size_t len, void* out) {
        return i2c::parse(b, len, static_cast<i2c::StatusBlock*>(out));
      },
      s);
  if (r == Read::ok) n.heard(*s, clock_.now_us());
  return r;
}

bool NodeBus::probe_status(const NodeRecord& n, i2c::StatusBlock* s) {
  uint8_t buf[i2c::kStatusLen];
  return read_reg(n.address, i2c::Reg::status, buf, sizeof buf) == I2cStatus::ok &&
         i2c::parse(buf, sizeof buf, s);
}

NodeBus::Read NodeBus::read_tile(NodeRecord& n, uint8_t* block, size_t len, TileHeader* h) {
  struct Parsed {
    TileHeader* h;
    uint8_t address;
  } p{h, n.address};
  return read_checked(
      n, i2c::Reg::result, block, len,
      [](const uint8_t* b, size_t blen, void* out) {
        auto* q = static_cast<Parsed*>(out);
        const uint8_t* payload = nullptr;
        // A block from another node (a garbled address) is as bad as a bad CRC.
        return tile_block_parse(b, blen, q->h, &payload) && q->h->node == q->address;
      },
      &p);
}

I2cStatus NodeBus::write_job(uint8_t address, uint16_t job_id, const JobGeometry& g,
                             uint8_t codec) {
  uint8_t msg[i2c::kJobLenCodec + 1];
  msg[0] = static_cast<uint8_t>(i2c::Reg::job);
  i2c::JobBlock j;
  j.job_id = job_id;
  j.geometry = g;
  j.codec = codec;
  const size_t len = i2c::build(j, msg + 1, sizeof msg - 1);
  return write(address, msg, 1 + len);
}

I2cStatus NodeBus::write_tile(uint8_t address, const i2c::TileAssign& a) {
  uint8_t msg[i2c::kTileAssignLen + 1];
  msg[0] = static_cast<uint8_t>(i2c::Reg::tile);
  i2c::build(a, msg + 1, sizeof msg - 1);
  return write(address, msg, sizeof msg);
}

I2cStatus NodeBus::write_ack(uint8_t address, uint32_t tile_index) {
  uint8_t msg[i2c::kAckLen + 1];
  msg[0] = static_cast<uint8_t>(i2c::Reg::ack);
  i2c::AckBlock a;
  a.tile_index = tile_index;
  i2c::build(a, msg + 1, sizeof msg - 1);
  return write(address, msg, sizeof msg);
}

}  // namespace picocray
