#include <algorithm>
#include <stdexcept>
#include <string>

#include "picocray/timing.h"
#include "sim_internal.h"

namespace picocray::sim {

namespace {

uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

constexpr uint64_t kNs = 1000;
// Host bytes a busy cluster holds back at most this long on the virtual clock (see deliver_link).
constexpr uint64_t kHostHoldMaxNs = 1000000000ull;

}  // namespace

static unsigned ahead_threads(const Config& cfg) {
  if (cfg.host_threads > 0) return cfg.host_threads;
  // Every core: the simulation's own thread mostly waits on them, and computes too while it does.
  unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? n : 1;
}

Cluster::Cluster(Simulator& sim, const Config& cfg)
    : sim_(sim),
      cfg_(cfg),
      lines_(cfg.nodes + 1),
      panel_(*this, cfg.display),
      fault_rng_(splitmix64(cfg.faults.seed ^ 0xFA17FA17ull) | 1),
      fired_(cfg.faults.nodes.size(), false),
      tiles_(ahead_threads(cfg)) {
  for (size_t i = 0; i <= cfg_.nodes; ++i) {
    uint64_t uid = splitmix64(cfg_.seed * 1000003ull + i);
    boards_.push_back(std::make_unique<Board>(*this, i, uid, i == 0));
  }
  uint32_t collide = std::max(cfg_.collide, cfg_.faults.collide);
  for (size_t i = 1; i <= cfg_.nodes && i <= collide; ++i) boards_[i]->force_first_random_zero();
  for (const NodeFault& f : cfg_.faults.nodes)
    if (f.node >= cfg_.nodes)
      throw std::invalid_argument("fault names node " + std::to_string(f.node) +
                                  ", but the cluster has " + std::to_string(cfg_.nodes) +
                                  " secondaries (0 to " + std::to_string(cfg_.nodes - 1) + ")");
  for (auto& b : boards_) b->node().start();
  // A late node is off until its moment comes.
  for (const NodeFault& f : cfg_.faults.nodes)
    if (f.kind == NodeFault::Kind::late) secondary_by_index(f.node)->power_off();
}

Board* Cluster::secondary_by_index(uint32_t index) {
  // Indexes as the controller numbers nodes: by unique ID.
  std::vector<Board*> s;
  for (size_t i = 1; i < boards_.size(); ++i) s.push_back(boards_[i].get());
  std::sort(s.begin(), s.end(), [](Board* a, Board* b) { return a->unique_id() < b->unique_id(); });
  return s.at(index);
}

double Cluster::chance() {
  fault_rng_ ^= fault_rng_ >> 12;
  fault_rng_ ^= fault_rng_ << 25;
  fault_rng_ ^= fault_rng_ >> 27;
  return static_cast<double>((fault_rng_ * 0x2545F4914F6CDD1Dull) >> 11) / 9007199254740992.0;
}

uint8_t Cluster::on_wire(uint8_t byte) {
  if (cfg_.faults.i2c_corrupt <= 0 || chance() >= cfg_.faults.i2c_corrupt) return byte;
  ++stats_.corrupted_bytes;
  return static_cast<uint8_t>(byte ^ (1u << static_cast<unsigned>(chance() * 8)));
}

bool Cluster::drop_transfer() {
  if (cfg_.faults.i2c_nack <= 0 || chance() >= cfg_.faults.i2c_nack) return false;
  ++stats_.nacks_injected;
  return true;
}

// Bytes crossing the USB link: some lost, and noise before each frame (a 0x00 that follows a 0x00
// opens one).
std::vector<uint8_t> Cluster::link_fault(const std::vector<uint8_t>& bytes, uint8_t* last) {
  const Faults& f = cfg_.faults;
  if (f.link_drop <= 0 && f.link_garbage == 0) return bytes;
  std::vector<uint8_t> out;
  for (uint8_t b : bytes) {
    if (b == 0 && *last == 0 && f.link_garbage > 0) {
      for (uint32_t k = 0; k < f.link_garbage; ++k)
        out.push_back(static_cast<uint8_t>(chance() * 256));
      stats_.link_garbage_bytes += f.link_garbage;
    }
    *last = b;
    if (f.link_drop > 0 && chance() < f.link_drop) {
      ++stats_.link_bytes_dropped;
      continue;
    }
    out.push_back(b);
  }
  return out;
}

void Cluster::note_tile_cycles(const TileTask& t, uint64_t cycles) {
  if (tile_cycles_.empty() || !TileCache::same_job(cycles_job_.geometry, t.geometry)) {
    cycles_job_ = t;
    tile_cycles_.clear();
    stats_.job_cycles = 0;
  }
  auto [it, fresh] = tile_cycles_.emplace(static_cast<uint32_t>(t.rect.x) << 16 | t.rect.y, cycles);
  if (!fresh) {
    stats_.job_cycles -= it->second;
    it->second = cycles;
  }
  stats_.job_cycles += cycles;
}

void Cluster::fire_faults() {
  const Faults& f = cfg_.faults;
  if (f.nodes.empty() && f.controller_reboot_at < 0) return;
  uint32_t done = 0, total = 0;
  if (!boards_[0]->node().controller().job_progress(&done, &total) || total == 0) return;
  double frac = static_cast<double>(done) / total;
  for (size_t i = 0; i < f.nodes.size(); ++i) {
    if (fired_[i] || frac < f.nodes[i].at) continue;
    fired_[i] = true;
    ++stats_.node_faults_fired;
    Board* b = secondary_by_index(f.nodes[i].node);
    switch (f.nodes[i].kind) {
      case NodeFault::Kind::dies: b->power_off(); break;
      case NodeFault::Kind::late: b->power_on(); break;
      case NodeFault::Kind::stuck: b->set_stuck(); break;
      case NodeFault::Kind::hangs: b->set_hung(); break;
      case NodeFault::Kind::reboot:
        b->power_off();
        b->power_on();
        break;
    }
  }
  if (!reboot_fired_ && f.controller_reboot_at >= 0 && frac >= f.controller_reboot_at) {
    reboot_fired_ = true;
    ++stats_.controller_reboots;
    boards_[0]->reboot(hal::RebootKind::normal);
  }
}

size_t Cluster::link_read(uint8_t* buf, size_t cap) {
  size_t n = std::min(cap, usb_in_.size());
  for (size_t i = 0; i < n; ++i) {
    buf[i] = usb_in_.front();
    usb_in_.pop_front();
  }
  if (n > 0) touch();
  return n;
}

size_t Cluster::link_write(const uint8_t* data, size_t len) {
  const Model& m = cfg_.model;
  size_t room = m.usb_buffer > usb_out_bytes_ ? m.usb_buffer - usb_out_bytes_ : 0;
  size_t n = std::min(room, len);
  if (n == 0) return 0;
  // The bytes leave at the USB rate, after whatever is queued ahead of them.
  uint64_t start = std::max(now_ns_, usb_free_at_ns_);
  uint64_t at = start + static_cast<uint64_t>(n) * 1000000000ull / m.usb_bytes_per_s;
  usb_free_at_ns_ = at;
  usb_out_.push_back(Chunk{at, std::vector<uint8_t>(data, data + n)});
  usb_out_bytes_ += n;
  advance(n * m.usb_cpu_ns_per_byte);  // the controller's CPU putting them in TinyUSB's queue
  touch();
  return n;
}

void Cluster::deliver_link(bool idle) {
  std::vector<uint8_t> out;
  while (!usb_out_.empty() && usb_out_.front().at_ns <= now_ns_) {
    auto& c = usb_out_.front();
    auto bytes = link_fault(c.bytes, &last_to_host_);
    out.insert(out.end(), bytes.begin(), bytes.end());
    usb_out_bytes_ -= c.bytes.size();
    usb_out_.pop_front();
    touch();
  }
  std::lock_guard<std::mutex> lk(sim_.mu_);
  publish();
  take_touch(idle);
  if (!out.empty()) {
    sim_.to_host_.insert(sim_.to_host_.end(), out.begin(), out.end());
    sim_.out_cv_.notify_all();
  }
  // When the host's bytes come is the host's clock, not the virtual one: taken in whatever pass
  // happens to run, they would make a job's modelled time depend on the host's speed. So they are
  // taken when the cluster has gone idle (a deterministic point: after the last answer, all
  // settled), or, when it stays busy (a CANCEL during a render), a virtual second after they came.
  if (!sim_.to_device_.empty() && !host_held_) {
    host_held_ = true;
    host_held_since_ns_ = now_ns_;
  }
  if (!sim_.to_device_.empty() && (idle || now_ns_ - host_held_since_ns_ >= kHostHoldMaxNs)) {
    host_held_ = false;
    auto bytes = link_fault(std::vector<uint8_t>(sim_.to_device_.begin(), sim_.to_device_.end()),
                            &last_to_device_);
    usb_in_.insert(usb_in_.end(), bytes.begin(), bytes.end());
    sim_.to_device_.clear();
    touch();
  }
}

// The stats for the host's side; called with the simulator's lock held.
void Cluster::publish() {
  Controller& c = boards_[0]->node().controller();
  stats_.display = c.display_present();
  stats_.standalone = c.standalone();
  stats_.standalone_views = c.standalone_views();
  stats_.standalone_busy = c.standalone_busy();
  stats_.standalone_depth = c.standalone_depth();
  stats_.touches_done = touches_done_;
  stats_.now_ns = now_ns_;
  const Stats& was = sim_.snapshot_;
  const bool moved =
      was.standalone_views != stats_.standalone_views || was.touches_done != stats_.touches_done ||
      was.standalone != stats_.standalone || was.standalone_busy != stats_.standalone_busy;
  sim_.snapshot_ = stats_;
  if (moved) sim_.stats_cv_.notify_all();
}

// A touch is taken as host bytes are (deliver_link): when the cluster is idle, or a virtual
// second after it came while the cluster stays busy; one at a time, after the pen of the last
// one lifted. Called with the simulator's lock held.
void Cluster::take_touch(bool idle) {
  if (pen_held_ && !panel_.pressed()) {
    pen_held_ = false;
    ++touches_done_;
    touch();
  }
  if (pen_held_ || sim_.touches_.empty()) return;
  if (!touch_waiting_) {
    touch_waiting_ = true;
    touch_since_ns_ = now_ns_;
  }
  if (!idle && now_ns_ - touch_since_ns_ < kHostHoldMaxNs) return;
  const Touch t = sim_.touches_.front();
  sim_.touches_.pop_front();
  touch_waiting_ = false;
  pen_held_ = true;
  panel_.press(t.x, t.y, uint64_t{t.hold_ms} * 1000000ull);
  touch();
}

uint64_t Cluster::next_event() const {
  uint64_t t = UINT64_MAX;
  if (!usb_out_.empty()) t = usb_out_.front().at_ns;
  if (pen_held_ && panel_.pen_until_ns() > now_ns_) t = std::min(t, panel_.pen_until_ns());
  // A tile finished in the past is no event to wait for: nobody may be asking (a cancelled job's
  // tile on the controller's core 1 is abandoned by the next tile it starts).
  for (const auto& b : boards_)
    if (b->computing() && b->powered() && !b->stuck() && !b->hung() &&
        b->compute_done_ns() > now_ns_)
      t = std::min(t, b->compute_done_ns());
  return t;
}

void Cluster::run() {
  bool idle = false;  // the last pass ended waiting for the host
  for (;;) {
    deliver_link(idle);
    idle = false;
    uint64_t before = activity_;
    uint64_t deadline = kNoDeadline;
    fire_faults();
    for (auto& b : boards_) {
      if (!b->powered() || b->hung()) continue;
      if (b->reboot_requested()) {
        b->clear_reboot();
        if (b.get() == boards_[0].get()) {
          // USB drops with the controller: whatever was queued is lost.
          usb_out_.clear();
          usb_out_bytes_ = 0;
          usb_in_.clear();
          std::lock_guard<std::mutex> lk(sim_.mu_);
          ++sim_.link_resets_;
          sim_.out_cv_.notify_all();
        }
        b->stop();
        b->node().start();
      }
      deadline = std::min(deadline, b->node().poll());
    }
    ++pass_;
    if (activity_ != before) {
      if ((pass_ & 0xFFF) == 0) {
        std::lock_guard<std::mutex> lk(sim_.mu_);
        if (sim_.stop_) return;
      }
      continue;
    }  // something changed: everyone looks again now
    // Nothing changed in a whole pass: time moves on to the next event or deadline. A board that
    // asks to run again now without having done anything waits a microsecond, not forever.
    uint64_t now_us = now_ns_ / kNs;
    uint64_t next = next_event();
    if (deadline != kNoDeadline) next = std::min(next, std::max(deadline, now_us + 1) * kNs);
    if (next != UINT64_MAX) {
      if (next > now_ns_) now_ns_ = next;
      stats_.now_ns = now_ns_;
      std::lock_guard<std::mutex> lk(sim_.mu_);
      if (sim_.stop_) return;
      continue;
    }
    // Nothing will happen until the host sends something (or touches the panel).
    std::unique_lock<std::mutex> lk(sim_.mu_);
    publish();
    sim_.host_cv_.wait(
        lk, [this] { return sim_.stop_ || !sim_.to_device_.empty() || !sim_.touches_.empty(); });
    if (sim_.stop_) return;
    idle = true;
  }
}

// ------------------------------------------------------------------------------- Simulator

Simulator::Simulator(const Config& cfg) : cfg_(cfg) {
  cfg_.nodes = std::max<uint32_t>(1, std::min<uint32_t>(cfg_.nodes, 64));
  cluster_ = std::make_unique<Cluster>(*this, cfg_);
  thread_ = std::thread([this] { run(); });
}

Simulator::~Simulator() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stop_ = true;
  }
  host_cv_.notify_all();
  thread_.join();
}

void Simulator::run() {
  cluster_->run();
}

void Simulator::host_write(const uint8_t* data, size_t len) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    to_device_.insert(to_device_.end(), data, data + len);
  }
  host_cv_.notify_all();
}

size_t Simulator::host_read(uint8_t* buf, size_t cap, int timeout_ms) {
  std::unique_lock<std::mutex> lk(mu_);
  out_cv_.wait_for(lk, std::chrono::milliseconds(timeout_ms), [this] { return !to_host_.empty(); });
  size_t n = std::min(cap, to_host_.size());
  for (size_t i = 0; i < n; ++i) {
    buf[i] = to_host_.front();
    to_host_.pop_front();
  }
  return n;
}

uint32_t Simulator::link_resets() {
  std::lock_guard<std::mutex> lk(mu_);
  return link_resets_;
}

uint64_t Simulator::paused_ns() {
  return cluster_->tiles().waited_ns();
}

void Simulator::touch(const Touch& t) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    touches_.push_back(t);
  }
  host_cv_.notify_all();
}

bool Simulator::wait_stats(const std::function<bool(const Stats&)>& pred, int timeout_ms) {
  std::unique_lock<std::mutex> lk(mu_);
  return stats_cv_.wait_for(lk, std::chrono::milliseconds(timeout_ms),
                            [&] { return pred(snapshot_); });
}

Stats Simulator::stats() {
  std::lock_guard<std::mutex> lk(mu_);
  return snapshot_;
}

}  // namespace picocray::sim
