#include "tile_cache.h"

#include <algorithm>

#include "picocray/geometry.h"
#include "picocray/host_kernels.h"

namespace picocray::sim {

namespace {

constexpr uint32_t kLookahead = 96;  // tiles queued ahead of the furthest one asked for

uint64_t ns_since(std::chrono::steady_clock::time_point t) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t)
          .count());
}

bool same_corner(const Coord& a, const Coord& b) {
  for (int i = 0; i < 4; ++i)
    if (a.w[i] != b.w[i]) return false;
  return true;
}

// Row r's work, split as the node's kernel runs it: a pixel's first cycle_check_after iterations
// plain, the rest checked for a cycle.
TileWork row_work(const TileTask& t, const uint32_t* work, uint8_t r) {
  const uint32_t plain = cycle_check_after(t.geometry.precision, t.geometry.max_iter);
  TileWork w;
  for (uint32_t c = 0; c < t.rect.w; ++c) {
    const uint32_t ran = work[r * t.rect.w + c];
    const uint32_t p = ran < plain ? ran : plain;
    w.plain += p;
    w.checked += ran - p;
  }
  return w;
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
  const uint8_t h = t.rect.h;
  e.counts.resize(static_cast<size_t>(t.rect.w) * h);
  e.row_sums.resize(h);
  // Each pixel's work as the node's kernel runs it, from the host kernels (which run the node's
  // cycle check too).
  std::vector<uint32_t> work(e.counts.size());
  host::compute_tile(t, e.counts.data(), e.row_sums.data(), work.data());
  e.row_work.assign(h, TileWork{});
  for (uint8_t r = 0; r < h; ++r) e.row_work[r] = row_work(t, work.data(), r);
}

bool TileCache::same_job(const JobGeometry& a, const JobGeometry& b) {
  return a.precision == b.precision && a.max_iter == b.max_iter && a.width == b.width &&
         a.height == b.height && a.tile_w == b.tile_w && a.tile_h == b.tile_h &&
         same_corner(a.region.x0, b.region.x0) && same_corner(a.region.x1, b.region.x1) &&
         same_corner(a.region.y0, b.region.y0) && same_corner(a.region.y1, b.region.y1);
}

TileCache::EntryPtr TileCache::find(const TileTask& t) {
  for (auto& e : entries_) {
    const TileRect& a = e->task.rect;
    if (a.x == t.rect.x && a.y == t.rect.y && a.w == t.rect.w && a.h == t.rect.h &&
        same_job(e->task.geometry, t.geometry))
      return e;
  }
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
  if (!have_job_ || !same_job(job_, t.geometry)) {
    // A new job: what was computed ahead for the last one will not be asked for.
    queue_.clear();
    entries_.erase(
        std::remove_if(entries_.begin(), entries_.end(),
                       [](const EntryPtr& e) { return e->state != Entry::State::running; }),
        entries_.end());
    have_job_ = true;
    job_ = t.geometry;
    predicted_up_to_ = 0;
    asked_ = 0;
  }
  // Tiles are asked for in the controller's order, a stride through the grid: follow it, a
  // window ahead, with the grid functions the controller uses.
  const uint32_t total = tile_count(job_);
  const uint32_t stride = tile_order_stride(total);
  ++asked_;
  const uint32_t limit = std::min(total, asked_ + kLookahead);
  for (uint32_t k = predicted_up_to_; k < limit; ++k) {
    const uint32_t i = static_cast<uint32_t>((static_cast<uint64_t>(k) * stride) % total);
    TileTask n = tile_task(job_, i);
    if (find(n)) continue;
    auto e = std::make_shared<Entry>();
    e->task = n;
    entries_.push_back(e);
    queue_.push_back(e);
  }
  predicted_up_to_ = std::max(predicted_up_to_, limit);
  cv_.notify_all();
}

uint64_t TileCache::waited_ns() {
  std::lock_guard<std::mutex> lk(wait_mu_);
  return waited_ns_ + (waiting_ ? ns_since(wait_since_) : 0);
}

void TileCache::get(const TileTask& t, uint16_t* counts, uint32_t* row_sums, TileWork* row_work) {
  {
    std::lock_guard<std::mutex> lk(wait_mu_);
    waiting_ = true;
    wait_since_ = std::chrono::steady_clock::now();
  }
  take(t, counts, row_sums, row_work);
  std::lock_guard<std::mutex> lk(wait_mu_);
  waiting_ = false;
  waited_ns_ += ns_since(wait_since_);
}

void TileCache::take(const TileTask& t, uint16_t* counts, uint32_t* row_sums, TileWork* row_work) {
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
    std::copy(mine.row_work.begin(), mine.row_work.end(), row_work);
    return;
  }
  std::copy(e->counts.begin(), e->counts.end(), counts);
  std::copy(e->row_sums.begin(), e->row_sums.end(), row_sums);
  std::copy(e->row_work.begin(), e->row_work.end(), row_work);
  entries_.erase(std::find(entries_.begin(), entries_.end(), e));
}

}  // namespace picocray::sim
