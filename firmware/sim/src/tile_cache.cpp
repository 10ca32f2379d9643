#include "tile_cache.h"

#include <algorithm>

#include "picocray/host_kernels.h"
#include "picocray/protocol.h"

namespace picocray::sim {

namespace {

constexpr uint32_t kLookahead = 96;  // tiles queued ahead of the furthest one asked for

bool same_corner(const Coord& a, const Coord& b) {
  for (int i = 0; i < 4; ++i)
    if (a.w[i] != b.w[i]) return false;
  return true;
}

}  // namespace

TileCache::TileCache(unsigned workers) {
  for (unsigned i = 0; i < workers; ++i) threads_.emplace_back([this] { worker(); });
}

TileCache::~TileCache() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void TileCache::compute(Entry& e) {
  const TileTask& t = e.task;
  e.counts.resize(static_cast<size_t>(t.w) * t.h);
  e.row_sums.resize(t.h);
  host::compute_tile(t, e.counts.data(), e.row_sums.data());
}

bool TileCache::same_job(const TileTask& a, const TileTask& b) const {
  return a.precision == b.precision && a.max_iter == b.max_iter && a.width == b.width &&
         a.height == b.height && same_corner(a.x0, b.x0) && same_corner(a.x1, b.x1) &&
         same_corner(a.y0, b.y0) && same_corner(a.y1, b.y1);
}

TileCache::EntryPtr TileCache::find(const TileTask& t) {
  for (auto& e : entries_)
    if (e->task.x == t.x && e->task.y == t.y && e->task.w == t.w && e->task.h == t.h &&
        same_job(e->task, t))
      return e;
  return nullptr;
}

// Takes the next queued tile and computes it; false when the queue is empty.
bool TileCache::run_one(std::unique_lock<std::mutex>& lk) {
  if (queue_.empty()) return false;
  EntryPtr e = queue_.front();
  queue_.pop_front();
  e->state = Entry::State::running;
  lk.unlock();
  compute(*e);
  lk.lock();
  e->state = Entry::State::done;
  cv_.notify_all();
  return true;
}

void TileCache::worker() {
  std::unique_lock<std::mutex> lk(mu_);
  for (;;) {
    cv_.wait(lk, [this] { return stop_ || !queue_.empty(); });
    if (stop_) return;
    run_one(lk);
  }
}

void TileCache::predict(const TileTask& t) {
  if (!have_job_ || !same_job(job_, t)) {
    // A new job: what was computed ahead for the last one will not be asked for.
    queue_.clear();
    entries_.erase(
        std::remove_if(entries_.begin(), entries_.end(),
                       [](const EntryPtr& e) { return e->state != Entry::State::running; }),
        entries_.end());
    have_job_ = true;
    job_ = t;
    tile_w_ = tile_h_ = 0;
    predicted_up_to_ = 0;
    asked_ = 0;
  }
  // The grid's tile size is that of the largest tile seen (edge tiles are cut short). Tiles are
  // asked for in the controller's order, a stride through the grid: follow it, a window ahead.
  tile_w_ = std::max(tile_w_, t.w);
  tile_h_ = std::max(tile_h_, t.h);
  const uint32_t across = (t.width + tile_w_ - 1u) / tile_w_;
  const uint32_t down = (t.height + tile_h_ - 1u) / tile_h_;
  const uint32_t total = across * down;
  const uint32_t stride = tile_order_stride(total);
  ++asked_;
  const uint32_t limit = std::min(total, asked_ + kLookahead);
  for (uint32_t k = predicted_up_to_; k < limit; ++k) {
    const uint32_t i = static_cast<uint32_t>((static_cast<uint64_t>(k) * stride) % total);
    TileTask n = t;
    n.x = static_cast<uint16_t>((i % across) * tile_w_);
    n.y = static_cast<uint16_t>((i / across) * tile_h_);
    n.w = static_cast<uint8_t>(std::min<uint32_t>(tile_w_, t.width - n.x));
    n.h = static_cast<uint8_t>(std::min<uint32_t>(tile_h_, t.height - n.y));
    if (find(n)) continue;
    auto e = std::make_shared<Entry>();
    e->task = n;
    entries_.push_back(e);
    queue_.push_back(e);
  }
  predicted_up_to_ = std::max(predicted_up_to_, limit);
  cv_.notify_all();
}

void TileCache::get(const TileTask& t, uint16_t* counts, uint32_t* row_sums) {
  std::unique_lock<std::mutex> lk(mu_);
  predict(t);
  EntryPtr e = find(t);
  if (e && e->state == Entry::State::queued) {
    queue_.erase(std::find(queue_.begin(), queue_.end(), e));
    e->state = Entry::State::running;
    lk.unlock();
    compute(*e);
    lk.lock();
    e->state = Entry::State::done;
  } else if (e) {
    // Being computed elsewhere: help with the queue meanwhile rather than idle.
    while (e->state != Entry::State::done)
      if (!run_one(lk))
        cv_.wait(lk, [&] { return e->state == Entry::State::done || !queue_.empty(); });
  } else {
    lk.unlock();
    Entry mine;
    mine.task = t;
    compute(mine);
    std::copy(mine.counts.begin(), mine.counts.end(), counts);
    std::copy(mine.row_sums.begin(), mine.row_sums.end(), row_sums);
    return;
  }
  std::copy(e->counts.begin(), e->counts.end(), counts);
  std::copy(e->row_sums.begin(), e->row_sums.end(), row_sums);
  entries_.erase(std::find(entries_.begin(), entries_.end(), e));
}

}  // namespace picocray::sim
