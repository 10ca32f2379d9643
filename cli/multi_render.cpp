#include "multi_render.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

#include "interrupt.h"

namespace picocray::cli {

TileSubset take_chunk(std::deque<uint32_t>* queue, uint32_t want) {
  TileSubset out;
  uint32_t taken = 0;
  while (!queue->empty() && taken < want) {
    const uint32_t t = queue->front();
    TileRange* last = out.count > 0 ? &out.ranges[out.count - 1] : nullptr;
    if (last != nullptr && last->first + last->count == t) {
      ++last->count;
    } else {
      if (out.count == kMaxTileRanges) break;
      out.ranges[out.count++] = {t, 1};
    }
    queue->pop_front();
    ++taken;
  }
  return out;
}

uint32_t chunk_size(double want, uint32_t nodes) {
  const auto fair = static_cast<size_t>(std::ceil(std::max(want, 0.0) - 1e-9));
  const size_t busy = 2 * (static_cast<size_t>(nodes) + 1);  // two slots a node, and core 1
  return static_cast<uint32_t>(std::max<size_t>(std::max(fair, busy), 1));
}

namespace {

constexpr size_t kNone = static_cast<size_t>(-1);

// What one cluster's thread is doing.
struct Slot {
  bool busy = false;
  TileSubset chunk;
  uint32_t tiles = 0;      // in the chunk
  uint32_t brought = 0;    // of those, the tiles this cluster wrote into the image
  bool copy = false;       // the chunk is a copy of another cluster's (a backup)
  size_t copy_of = kNone;  // whose
  bool copied = false;     // another cluster runs a copy of this chunk
  uint64_t id = 0;         // the chunk's number, so that a copy names the chunk it copies
  uint64_t copy_id = 0;    // for a copy: that number
  std::chrono::steady_clock::time_point started;
  std::chrono::steady_clock::time_point last_tile;  // or when the chunk began, before its first
};

// A tile's work, to compare clusters' speeds over tiles as different as the set's interior and
// its outside: its iterations, and for each pixel what a node spends outside the loop and on the
// bus, in iterations: about 5 for its 300 cycles against 62 a 32-bit iteration, and tens for its
// bytes when the bus is the bound. 4, 8 and 16 all spread the bench scenes better than equal
// shares did (docs/performance.md); 16 best.
constexpr double kPixelWork = 16;

// Where a cluster stands in this job, besides what its ClusterShare holds.
struct Pace {
  uint32_t chunks = 0;  // taken from the queue
  bool gone = false;    // out of the job
};

// The state the clusters' threads share, under one lock.
struct Handout {
  std::mutex mu;
  std::condition_variable changed;
  std::deque<uint32_t> queue;  // tiles no cluster holds, in index order
  std::vector<bool> seen;      // claimed: in the image, or being written by the cluster that has it
  std::vector<Slot> slots;     // one a cluster
  uint32_t outstanding = 0;    // tiles handed out (not as copies) and not yet arrived or given back
  uint32_t done = 0, total = 0;
  size_t alive = 0;         // clusters still taking chunks
  std::exception_ptr stop;  // an interrupt: every thread ends
  std::exception_ptr last_failure;
  uint64_t chunks = 0;     // chunks handed out so far
  bool racing = false;     // clusters run at once (threads): an idle one copies a chunk still due
  std::vector<Pace> pace;  // one a cluster
  const std::vector<ClusterShare>* shares = nullptr;  // one a cluster, as they stand
};

uint32_t subset_tiles(const TileSubset& s) {
  uint32_t n = 0;
  for (uint8_t k = 0; k < s.count; ++k) n += s.ranges[k].count;
  return n;
}

template <typename F>
void each_tile(const TileSubset& s, F f) {
  for (uint8_t k = 0; k < s.count; ++k)
    for (uint32_t t = s.ranges[k].first; t < s.ranges[k].first + s.ranges[k].count; ++t) f(t);
}

uint32_t unseen_tiles(const Handout& h, const TileSubset& s) {
  uint32_t n = 0;
  each_tile(s, [&](uint32_t t) { n += h.seen[t] ? 0 : 1; });
  return n;
}

// The work of the tiles a cluster brought so far.
double work_of(const ClusterShare& c) {
  return static_cast<double>(c.iterations) + kPixelWork * static_cast<double>(c.pixels);
}

// The time cluster k's chunks took so far: its controller's modelled time when the clusters are
// simulated in this process, else host time (its chunk under way counted too).
double seconds_of(const Handout& h, size_t k) {
  const ClusterShare& c = (*h.shares)[k];
  if (!h.racing) return static_cast<double>(c.summary.elapsed_us) / 1e6;
  const Slot& s = h.slots[k];
  const auto now = std::chrono::steady_clock::now();
  return c.wall_s + (s.busy ? std::chrono::duration<double>(now - s.started).count() : 0);
}

// Cluster k's work a second so far; 0 when not known yet.
double rate(const Handout& h, size_t k) {
  const double work = work_of((*h.shares)[k]), seconds = seconds_of(h, k);
  return work > 0 && seconds > 0 ? work / seconds : 0;
}

// Cluster k's share of the work left, by speed among the clusters still in the job (a cluster
// whose speed is not known yet counted at the mean of those known; all equal while none is).
double share_by_speed(const Handout& h, size_t k) {
  const double alive = static_cast<double>(std::max<size_t>(h.alive, 1));
  double known = 0;
  size_t n_known = 0;
  for (size_t j = 0; j < h.pace.size(); ++j)
    if (!h.pace[j].gone && rate(h, j) > 0) {
      known += rate(h, j);
      ++n_known;
    }
  const double mine = rate(h, k);
  if (mine <= 0 || n_known == 0) return 1 / alive;
  const double total = known + (alive - static_cast<double>(n_known)) * known / n_known;
  return mine / total;
}

// Tiles the other clusters still have ahead of them when cluster k asks: those still to come of
// their chunks (clusters racing), or, on the modelled clocks, the tiles their lead over k's clock
// is worth at their speed.
double tiles_ahead(const Handout& h, size_t k) {
  double ahead = 0, work = 0, tiles = 0;
  for (const ClusterShare& c : *h.shares) {
    work += work_of(c);
    tiles += c.tiles;
  }
  const double work_per_tile = tiles > 0 ? work / tiles : 0;
  for (size_t j = 0; j < h.pace.size(); ++j) {
    if (j == k || h.pace[j].gone) continue;
    const Slot& s = h.slots[j];
    if (h.racing) {
      if (s.busy && !s.copy) ahead += unseen_tiles(h, s.chunk);
    } else if (work_per_tile > 0 && seconds_of(h, j) > seconds_of(h, k)) {
      ahead += (seconds_of(h, j) - seconds_of(h, k)) * rate(h, j) / work_per_tile;
    }
  }
  return ahead;
}

// How many tiles cluster k takes next. Its first chunk of a job is half an equal share of the
// job (its speed is not known yet); each later one its share by speed of what is left, the tiles
// still waiting and those the others have ahead of them, so that the clusters end together.
double tiles_for(const Handout& h, size_t k) {
  const double alive = static_cast<double>(std::max<size_t>(h.alive, 1));
  if (h.pace[k].chunks == 0) return static_cast<double>(h.total) / (2 * alive);
  return share_by_speed(h, k) * (static_cast<double>(h.queue.size()) + tiles_ahead(h, k));
}

// Tiles of the chunk that did not arrive go back to the front of the queue, in index order.
void give_back(Handout& h, const TileSubset& chunk) {
  std::vector<uint32_t> back;
  each_tile(chunk, [&](uint32_t t) {
    if (!h.seen[t]) back.push_back(t);
  });
  h.outstanding -= subset_tiles(chunk);
  h.queue.insert(h.queue.begin(), back.begin(), back.end());
  std::sort(h.queue.begin(), h.queue.end());
}

// The chunk an idle cluster k copies once the queue is empty: the one of another cluster with the
// most tiles still to come, that nobody copies yet. kNone when there is none.
size_t chunk_to_copy(const Handout& h, size_t k) {
  size_t best = kNone;
  uint32_t most = 0;
  for (size_t j = 0; j < h.slots.size(); ++j) {
    const Slot& s = h.slots[j];
    if (j == k || !s.busy || s.copy || s.copied) continue;
    const uint32_t n = unseen_tiles(h, s.chunk);
    if (n > most) {
      most = n;
      best = j;
    }
  }
  return best;
}

// Whether cluster k's render can be given up: every tile of its chunk is in (or going into) the
// image and some came from another cluster, or it brought them all and the whole job is done but
// its final answer has not come for a second (the link may have stalled after its last tile).
bool overtaken(const Handout& h, size_t k) {
  const Slot& s = h.slots[k];
  if (!s.busy || unseen_tiles(h, s.chunk) != 0) return false;
  if (s.brought < s.tiles) return true;
  return h.done == h.total &&
         std::chrono::steady_clock::now() - s.last_tile > std::chrono::seconds(1);
}

// The end of cluster k's chunk, in every case: the slot is free, a chunk it copied can be copied
// again, and the handed-out count no longer holds its tiles.
void end_chunk(Handout& h, size_t k) {
  Slot& s = h.slots[k];
  Slot& from = h.slots[s.copy_of == kNone ? k : s.copy_of];
  if (s.copy && from.busy && from.id == s.copy_id) from.copied = false;
  if (!s.copy) h.outstanding -= s.tiles;
  s.busy = false;
}

// Asks `client` for the chunk in slot k. False when the cluster is done with this job: it failed
// (the tiles of its chunk that had not arrived are back in the queue, the failure is recorded;
// an interrupt stops every cluster), or it was overtaken on a chunk of its own with no tile of it
// in the last second (its link is stalled, or it is far slower than the others).
bool run_chunk(Handout& h, size_t k, Client& client, const RenderRequest& job, ClusterShare& share,
               uint16_t* image, const std::function<void(uint32_t, uint32_t)>& on_progress) {
  RenderRequest ask = job;
  ask.subset = h.slots[k].chunk;
  TileTarget target;
  target.image = image;
  target.claim = [&h, k](uint32_t tile) {
    std::lock_guard<std::mutex> lk(h.mu);
    if (h.seen[tile]) return false;
    h.seen[tile] = true;
    ++h.slots[k].brought;
    h.slots[k].last_tile = std::chrono::steady_clock::now();
    return true;
  };
  target.on_tile = [&](uint32_t tile, uint32_t iterations) {
    std::lock_guard<std::mutex> lk(h.mu);
    const TileTask t = tile_task(job.geometry, tile);
    ++share.tiles;
    share.pixels += static_cast<uint64_t>(t.rect.w) * t.rect.h;
    share.iterations += iterations;
    ++h.done;
    if (on_progress) on_progress(h.done, h.total);
    h.changed.notify_all();  // a chunk it copies may be complete now
  };
  if (h.racing)
    client.set_abandon([&h, k] {
      std::lock_guard<std::mutex> lk(h.mu);
      return overtaken(h, k);
    });
  struct Unset {
    Client& c;
    ~Unset() { c.set_abandon({}); }
  } unset{client};
  const auto t0 = std::chrono::steady_clock::now();
  auto took = [&] {
    share.wall_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ++share.requests;
  };
  try {
    RenderResult r = render_on_cluster(client, ask, {}, target);
    std::lock_guard<std::mutex> lk(h.mu);
    took();
    share.rounds += static_cast<uint32_t>(r.rounds);
    share.tiles_computed += r.tiles_computed;
    share.frame_bytes += r.frame_bytes;
    add_summary(&share.summary, r.summary);
    if (h.slots[k].copy) ++share.copies;
    end_chunk(h, k);
    h.changed.notify_all();
    return true;
  } catch (const Overtaken&) {
    std::lock_guard<std::mutex> lk(h.mu);
    took();
    ++share.overtaken;
    const Slot s = h.slots[k];
    if (s.copy) ++share.copies;
    end_chunk(h, k);
    h.changed.notify_all();
    // An overtaken copy, or a cluster that is slow but still bringing tiles, goes on; one whose
    // last tile (or, before any, its chunk's start) is more than a second old is done with the job
    // (its link stalled).
    const bool quiet = std::chrono::steady_clock::now() - s.last_tile > std::chrono::seconds(1);
    if (s.copy || !quiet) return true;
    --h.alive;
    h.pace[k].gone = true;
    spdlog::warn(
        "{}: another cluster brought the {} tiles of its chunk still to come ({} of {} came from "
        "it, none in the last second); it takes no more of this job",
        share.port, s.tiles - s.brought, s.brought, s.tiles);
    return false;
  } catch (...) {
    std::lock_guard<std::mutex> lk(h.mu);
    took();
    Slot& s = h.slots[k];
    if (s.copy) {
      end_chunk(h, k);  // the chunk's own cluster still has its tiles
    } else {
      give_back(h, s.chunk);
      s.busy = false;
    }
    --h.alive;
    h.pace[k].gone = true;
    bool interrupt = interrupted();
    try {
      throw;
    } catch (const CliError& e) {
      interrupt = interrupt || e.exit_code == kExitInterrupted;
      share.failed = e.what();
    } catch (const std::exception& e) {
      share.failed = e.what();
    }
    // The link's errors begin with its name, which the share has already.
    if (share.failed.rfind(share.port + ": ", 0) == 0) share.failed.erase(0, share.port.size() + 2);
    if (interrupt) {
      h.stop = std::current_exception();
    } else {
      h.last_failure = std::current_exception();
      if (h.alive > 0)
        spdlog::warn("{} failed: {}; {} other cluster{} take{} over its tiles", share.port,
                     share.failed, h.alive, h.alive == 1 ? "" : "s", h.alive == 1 ? "s" : "");
      else
        spdlog::warn("{} failed: {}", share.port, share.failed);
    }
    h.changed.notify_all();
    return false;
  }
}

// Puts the next chunk from the queue into slot k.
void take_from_queue(Handout& h, size_t k, uint32_t nodes, const std::string& port) {
  const size_t waiting = h.queue.size();
  const double want = tiles_for(h, k);  // while its slot is idle: its pace so far
  Slot& s = h.slots[k];
  s = Slot{};
  s.busy = true;
  s.chunk = take_chunk(&h.queue, chunk_size(want, nodes));
  ++h.pace[k].chunks;
  s.started = std::chrono::steady_clock::now();
  s.tiles = subset_tiles(s.chunk);
  spdlog::debug("{}: a chunk of {} of the {} tiles waiting (it asked for {:.1f}; {:.0f} work/s)",
                port, s.tiles, waiting, want, rate(h, k));
  s.id = ++h.chunks;
  s.last_tile = std::chrono::steady_clock::now();
  h.outstanding += s.tiles;
}

// Puts into slot k a copy of the tiles still to come of cluster `from`'s chunk.
void take_copy(Handout& h, size_t k, size_t from, const std::string& port) {
  Slot& f = h.slots[from];
  std::vector<bool> wanted(h.seen.size(), false);
  each_tile(f.chunk, [&](uint32_t t) { wanted[t] = true; });
  Slot& s = h.slots[k];
  s = Slot{};
  s.busy = true;
  s.copy = true;
  s.copy_of = from;
  s.copy_id = f.id;
  s.id = ++h.chunks;
  s.started = s.last_tile = std::chrono::steady_clock::now();
  s.chunk = missing_tiles(wanted, h.seen);
  s.tiles = subset_tiles(s.chunk);
  f.copied = true;
  spdlog::info("{}: copying {} tiles still to come of another cluster's chunk", port, s.tiles);
}

// One host thread per cluster: each asks for its next chunk when it has delivered the last. Once
// the queue is empty, an idle cluster asks for the tiles still to come of another cluster's
// chunk (a copy: the first to bring a tile writes it), so that a stalled or slow cluster holds
// up the render no longer than the others take to do its part.
void serve_cluster(Handout& h, size_t k, Client& client, const RenderRequest& job,
                   ClusterShare& share, uint16_t* image,
                   const std::function<void(uint32_t, uint32_t)>& on_progress) {
  const uint32_t nodes = client.device().node_count;
  for (;;) {
    {
      std::unique_lock<std::mutex> lk(h.mu);
      size_t copy_of = kNone;
      h.changed.wait(lk, [&] {
        if (h.stop || !h.queue.empty() || h.outstanding == 0) return true;
        copy_of = chunk_to_copy(h, k);
        return copy_of != kNone;
      });
      if (h.stop) return;
      if (!h.queue.empty()) {
        take_from_queue(h, k, nodes, share.port);
      } else if (copy_of != kNone && h.outstanding > 0) {
        take_copy(h, k, copy_of, share.port);
      } else {
        return;
      }
      h.changed.notify_all();  // the chunk taken may be one for another idle cluster to copy
    }
    if (!run_chunk(h, k, client, job, share, image, on_progress)) return;
  }
}

// Every cluster simulated in this process: the host's clock says nothing about their speed, their
// modelled clocks do. So the next chunk goes to the cluster whose modelled clock is earliest, one
// chunk at a time: the handout real clusters of those speeds would get, and the same every run.
void serve_by_modelled_clock(Handout& h, const std::vector<Client*>& clients,
                             const RenderRequest& job, std::vector<ClusterShare>& shares,
                             uint16_t* image,
                             const std::function<void(uint32_t, uint32_t)>& on_progress) {
  std::vector<bool> alive(clients.size(), true);
  while (!h.queue.empty() && h.alive > 0 && !h.stop) {
    size_t k = clients.size();
    for (size_t i = 0; i < clients.size(); ++i)
      if (alive[i] &&
          (k == clients.size() || shares[i].summary.elapsed_us < shares[k].summary.elapsed_us))
        k = i;
    take_from_queue(h, k, clients[k]->device().node_count, shares[k].port);
    alive[k] = run_chunk(h, k, *clients[k], job, shares[k], image, on_progress);
  }
}

}  // namespace

MultiRenderResult render_on_clusters(const std::vector<Client*>& clients,
                                     const std::vector<std::string>& ports,
                                     const RenderRequest& job,
                                     const std::function<void(uint32_t, uint32_t)>& on_progress,
                                     bool modelled) {
  MultiRenderResult res;
  res.counts.assign(static_cast<size_t>(job.geometry.width) * job.geometry.height, 0);
  res.clusters.resize(clients.size());
  Handout h;
  const uint32_t grid = tile_count(job.geometry);
  h.seen.assign(grid, false);
  for (uint32_t t = 0; t < grid; ++t) h.queue.push_back(t);
  h.total = grid;
  h.alive = clients.size();
  h.slots.resize(clients.size());
  h.pace.assign(clients.size(), Pace{});
  h.shares = &res.clusters;
  const auto start = std::chrono::steady_clock::now();
  for (size_t k = 0; k < clients.size(); ++k) res.clusters[k].port = ports[k];
  if (modelled) {
    serve_by_modelled_clock(h, clients, job, res.clusters, res.counts.data(), on_progress);
  } else {
    h.racing = true;
    std::vector<std::thread> threads;
    for (size_t k = 0; k < clients.size(); ++k)
      threads.emplace_back([&, k] {
        serve_cluster(h, k, *clients[k], job, res.clusters[k], res.counts.data(), on_progress);
      });
    for (auto& t : threads) t.join();
  }
  res.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (h.stop) std::rethrow_exception(h.stop);
  if (h.done < grid) {
    std::string why;
    for (const ClusterShare& c : res.clusters)
      why += (why.empty() ? "" : "; ") + c.port + ": " + c.failed;
    try {
      std::rethrow_exception(h.last_failure);
    } catch (const CliError& e) {
      throw CliError(e.exit_code, "every cluster failed (" + why + ")");
    }
  }
  for (const ClusterShare& c : res.clusters) {
    res.tiles += c.tiles;
    res.iterations += c.iterations;
  }
  return res;
}

}  // namespace picocray::cli
