// Host-side speed for the simulator: tiles are computed ahead, on every host core (through the
// host kernels, host_kernels.h), in the order the controller hands them out. The counts of a tile
// do not depend on which node computes it or when, so computing early changes nothing but wall
// time; modelled time is untouched.
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "picocray/kernel.h"

namespace picocray::sim {

class TileCache {
 public:
  // workers: threads computing ahead (0 computes everything on the caller's thread).
  explicit TileCache(unsigned workers);
  ~TileCache();
  TileCache(const TileCache&) = delete;
  TileCache& operator=(const TileCache&) = delete;

  // The counts (w*h), per-row sums of counts and per-row work (the kernels' iterations, plain and
  // checked) of a tile: from the cache, or computed now. The tiles after it in the job's grid are
  // queued for the workers.
  void get(const TileTask& t, uint16_t* counts, uint32_t* row_sums, TileWork* row_work);

  // Whether two tasks belong to the same job (its geometry, every bit of the corners).
  static bool same_job(const JobGeometry& a, const JobGeometry& b);

  // Wall time spent inside get() so far, the call in progress included: while a board waits for
  // counts its cluster's clock stands still. Any thread may ask.
  uint64_t waited_ns();

 private:
  struct Entry {
    TileTask task;
    enum class State { queued, running, done } state = State::queued;
    std::vector<uint16_t> counts;
    std::vector<uint32_t> row_sums;
    std::vector<TileWork> row_work;
  };
  using EntryPtr = std::shared_ptr<Entry>;

  static void compute(Entry& e);
  void worker();
  EntryPtr find(const TileTask& t);
  void predict(const TileTask& t);  // with mu_ held
  bool run_one(std::unique_lock<std::mutex>& lk);
  void take(const TileTask& t, uint16_t* counts, uint32_t* row_sums, TileWork* row_work);  // get()

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<EntryPtr> queue_;
  std::vector<EntryPtr> entries_;  // queued, running or done, not yet taken
  bool have_job_ = false;
  JobGeometry job_;
  uint32_t predicted_up_to_ = 0;  // place in the hand-out order the queue reaches
  uint32_t asked_ = 0;            // tiles asked for in this job
  bool stop_ = false;
  std::vector<std::thread> threads_;
  // The time in get(): apart from mu_, which a worker may hold while get() waits.
  std::mutex wait_mu_;
  uint64_t waited_ns_ = 0;
  bool waiting_ = false;
  std::chrono::steady_clock::time_point wait_since_{};
};

}  // namespace picocray::sim
