// Faults the simulator can inject, so that recovery can be shown without hardware. Every fault is
// drawn from its own seeded generator: the same spec and seed give the same run.
//
//   i2c-corrupt=RATE   each byte on the bus has one bit flipped with this probability (both ways)
//   i2c-nack=RATE      each transfer is not acknowledged with this probability
//   node-dies=N@F      secondary N stops answering once a fraction F of the job's tiles is done
//   node-late=N@F      secondary N powers up only then
//   node-stuck=N@F     secondary N's compute freezes mid-tile then (its heartbeat stops; the
//                      node still answers on I2C and takes tiles it never finishes)
//   node-hangs=N@F     secondary N's main loop stops then: its I2C interrupt still answers
//                      (POLL, writes), but no tile starts or is delivered again
//   node-reboot=N@F    secondary N resets then and comes back unaddressed
//   collide=N          N secondaries claim the default address at the same moment at power-up
//   link-garbage=BYTES that many random bytes on the USB link before every frame, both ways
//   link-drop=RATE     each byte on the USB link is lost with this probability, both ways
//   controller-reboot=@F  the controller reboots then (the USB link drops)
//   link-cut=BYTES     the host link is cut once the device has sent this many bytes to the host
//                      (counted over the whole run): the connection closes and stays closed.
//                      The transport carries it out (`--port sim`, `picocray sim`), not the core
//   link-stall=BYTES   the host link goes silent once the device has sent this many bytes: it
//                      stays open, but nothing more reaches the host and nothing the host sends
//                      reaches the device (a hung hub or exporter). Carried out by the transport
//   seed=S             the seed of every fault's generator
// N is a node index as `picocray nodes` lists it (ordered by unique ID); F is in [0, 1].
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace picocray::sim {

struct NodeFault {
  enum class Kind { dies, late, stuck, hangs, reboot } kind = Kind::dies;
  uint32_t node = 0;
  double at = 0;
};

struct Faults {
  double i2c_corrupt = 0;
  double i2c_nack = 0;
  double link_drop = 0;
  uint32_t link_garbage = 0;
  uint32_t collide = 0;
  uint64_t link_cut = 0;    // 0: never
  uint64_t link_stall = 0;  // 0: never
  double controller_reboot_at = -1;
  std::vector<NodeFault> nodes;
  uint64_t seed = 1;
  bool any() const;
  // How the host link ends under link-cut or link-stall: after `at` bytes from the device (the
  // earlier of the two when both are given; 0: never), cut or silent.
  struct LinkEnd {
    uint64_t at = 0;
    bool stalls = false;
  };
  LinkEnd link_end() const;
};

// Adds one spec (or several separated by commas) to faults; on error returns false and says why
// in one line.
bool parse_faults(const std::string& spec, Faults* faults, std::string* error);

}  // namespace picocray::sim
