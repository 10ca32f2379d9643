#include "multi_render.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
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

uint32_t chunk_size(size_t queued, size_t clusters, uint32_t nodes) {
  const size_t fair = (queued + 2 * clusters - 1) / (2 * std::max<size_t>(clusters, 1));
  const size_t busy = 2 * (static_cast<size_t>(nodes) + 1);  // two slots a node, and core 1
  return static_cast<uint32_t>(std::max<size_t>(std::max(fair, busy), 1));
}

namespace {

// The state the clusters' threads share, under one lock.
struct Handout {
  std::mutex mu;
  std::condition_variable changed;
  std::deque<uint32_t> queue;  // tiles no cluster holds, in index order
  std::vector<bool> seen;
  uint32_t outstanding = 0;  // tiles handed out and not yet arrived or given back
  uint32_t done = 0, total = 0;
  size_t alive = 0;         // clusters still taking chunks
  std::exception_ptr stop;  // an interrupt: every thread ends
  std::exception_ptr last_failure;
};

uint32_t subset_tiles(const TileSubset& s) {
  uint32_t n = 0;
  for (uint8_t k = 0; k < s.count; ++k) n += s.ranges[k].count;
  return n;
}

// Tiles of the chunk that did not arrive go back to the front of the queue, in index order.
void give_back(Handout& h, const TileSubset& chunk) {
  std::vector<uint32_t> back;
  for (uint8_t k = 0; k < chunk.count; ++k)
    for (uint32_t t = chunk.ranges[k].first; t < chunk.ranges[k].first + chunk.ranges[k].count; ++t)
      if (!h.seen[t]) back.push_back(t);
  h.outstanding -= subset_tiles(chunk);
  h.queue.insert(h.queue.begin(), back.begin(), back.end());
  std::sort(h.queue.begin(), h.queue.end());
}

// Asks `client` for the chunk's tiles. False when the cluster failed: its tiles that had not
// arrived are back in the queue and the failure is recorded (an interrupt stops every cluster).
bool run_chunk(Handout& h, Client& client, const RenderRequest& job, const TileSubset& chunk,
               ClusterShare& share, uint16_t* image,
               const std::function<void(uint32_t, uint32_t)>& on_progress) {
  RenderRequest ask = job;
  ask.subset = chunk;
  TileTarget target;
  target.image = image;
  target.on_tile = [&](uint32_t tile, uint32_t iterations) {
    std::lock_guard<std::mutex> lk(h.mu);
    h.seen[tile] = true;
    const TileTask t = tile_task(job.geometry, tile);
    ++share.tiles;
    share.pixels += static_cast<uint64_t>(t.rect.w) * t.rect.h;
    share.iterations += iterations;
    ++h.done;
    if (on_progress) on_progress(h.done, h.total);
  };
  const auto t0 = std::chrono::steady_clock::now();
  try {
    RenderResult r = render_on_cluster(client, ask, {}, target);
    std::lock_guard<std::mutex> lk(h.mu);
    share.wall_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ++share.requests;
    share.rounds += static_cast<uint32_t>(r.rounds);
    share.tiles_computed += r.tiles_computed;
    share.frame_bytes += r.frame_bytes;
    add_summary(&share.summary, r.summary);
    h.outstanding -= subset_tiles(chunk);
    h.changed.notify_all();
    return true;
  } catch (...) {
    std::lock_guard<std::mutex> lk(h.mu);
    share.wall_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ++share.requests;
    give_back(h, chunk);
    --h.alive;
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

// One host thread per cluster: each asks for its next chunk when it has delivered the last.
void serve_cluster(Handout& h, Client& client, const RenderRequest& job, ClusterShare& share,
                   uint16_t* image, const std::function<void(uint32_t, uint32_t)>& on_progress) {
  const uint32_t nodes = client.device().node_count;
  for (;;) {
    TileSubset chunk;
    {
      std::unique_lock<std::mutex> lk(h.mu);
      h.changed.wait(lk, [&] { return h.stop || !h.queue.empty() || h.outstanding == 0; });
      if (h.stop || h.queue.empty()) return;
      chunk = take_chunk(&h.queue, chunk_size(h.queue.size(), h.alive, nodes));
      h.outstanding += subset_tiles(chunk);
    }
    if (!run_chunk(h, client, job, chunk, share, image, on_progress)) return;
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
    const TileSubset chunk =
        take_chunk(&h.queue, chunk_size(h.queue.size(), h.alive, clients[k]->device().node_count));
    h.outstanding += subset_tiles(chunk);
    alive[k] = run_chunk(h, *clients[k], job, chunk, shares[k], image, on_progress);
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
  const auto start = std::chrono::steady_clock::now();
  for (size_t k = 0; k < clients.size(); ++k) res.clusters[k].port = ports[k];
  if (modelled) {
    serve_by_modelled_clock(h, clients, job, res.clusters, res.counts.data(), on_progress);
  } else {
    std::vector<std::thread> threads;
    for (size_t k = 0; k < clients.size(); ++k)
      threads.emplace_back([&, k] {
        serve_cluster(h, *clients[k], job, res.clusters[k], res.counts.data(), on_progress);
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
