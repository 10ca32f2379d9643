#include "cluster_render.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "interrupt.h"
#include "picocray/host_kernels.h"
#include "picocray/tile_block.h"

namespace picocray::cli {

TileSubset missing_tiles(const std::vector<bool>& wanted, const std::vector<bool>& seen) {
  std::vector<TileRange> runs;
  for (uint32_t i = 0; i < wanted.size(); ++i) {
    if (!wanted[i] || seen[i]) continue;
    if (!runs.empty() && runs.back().first + runs.back().count == i)
      ++runs.back().count;
    else
      runs.push_back({i, 1});
  }
  if (runs.size() > kMaxTileRanges) {
    // Close the (runs - kMaxTileRanges) narrowest gaps, the earlier one first among equals.
    std::vector<size_t> gaps(runs.size() - 1);
    for (size_t k = 0; k < gaps.size(); ++k) gaps[k] = k;
    auto width = [&](size_t k) { return runs[k + 1].first - (runs[k].first + runs[k].count); };
    const size_t close = runs.size() - kMaxTileRanges;
    std::nth_element(gaps.begin(), gaps.begin() + close - 1, gaps.end(), [&](size_t a, size_t b) {
      return width(a) != width(b) ? width(a) < width(b) : a < b;
    });
    std::vector<bool> closed(runs.size(), false);
    for (size_t k = 0; k < close; ++k) closed[gaps[k]] = true;
    std::vector<TileRange> merged;
    for (size_t k = 0; k < runs.size(); ++k) {
      if (k > 0 && closed[k - 1])
        merged.back().count = runs[k].first + runs[k].count - merged.back().first;
      else
        merged.push_back(runs[k]);
    }
    runs.swap(merged);
  }
  TileSubset out;
  out.count = static_cast<uint8_t>(runs.size());
  std::copy(runs.begin(), runs.end(), out.ranges);
  return out;
}

namespace {

std::vector<uint8_t> request_body(const RenderRequest& job) {
  std::vector<uint8_t> body(16 + 8 * kMaxTileRanges + 256);
  Writer w(body.data(), body.size());
  encode(w, job);
  body.resize(w.size());
  return body;
}

}  // namespace

void add_summary(RenderSummary* into, const RenderSummary& s) {
  into->elapsed_us += s.elapsed_us;
  into->i2c_bytes += s.i2c_bytes;
  into->i2c_transactions += s.i2c_transactions;
  into->retries += s.retries;
  into->integrity_errors += s.integrity_errors;
  into->nodes_lost += s.nodes_lost;
  into->flags |= s.flags;
  for (uint8_t k = 0; k < s.node_count; ++k) {
    uint8_t j = 0;
    while (j < into->node_count && into->per_node[j].node != s.per_node[k].node) ++j;
    if (j == into->node_count) {
      if (into->node_count > kMaxNodes) continue;  // cannot happen: one entry per node
      into->per_node[into->node_count++] = {s.per_node[k].node, 0};
    }
    into->per_node[j].tiles += s.per_node[k].tiles;
  }
}

RenderResult render_on_cluster(Client& client, const RenderRequest& job,
                               const std::function<void(uint32_t, uint32_t)>& on_progress,
                               const TileTarget& target) {
  RenderResult res;
  if (target.image == nullptr)
    res.counts.assign(static_cast<size_t>(job.geometry.width) * job.geometry.height, 0);
  uint16_t* const image = target.image != nullptr ? target.image : res.counts.data();
  const uint32_t grid = tile_count(job.geometry);
  std::vector<bool> wanted(grid), seen(grid, false);
  for (uint32_t i = 0; i < grid; ++i) wanted[i] = subset_contains(job, i);
  const uint32_t total = subset_size(job);
  uint32_t received = 0, arrived_this_try = 0;
  std::vector<uint16_t> tile(kMaxTilePixels);
  // A controller of protocol 1.2 or later is asked again for the missing tiles only.
  const bool subsets = client.minor() >= 2;

  auto start = std::chrono::steady_clock::now();
  int round = 0;
  uint64_t iterations = 0;
  auto on_stream = [&](const Frame& f) {
    if (f.type != static_cast<uint8_t>(MsgType::tile)) return;
    TileHeader h;
    const uint8_t* payload = nullptr;
    if (!tile_block_parse(f.body.data(), f.body.size(), &h, &payload))
      throw CliError(kExitCluster, "a tile arrived corrupted (CRC or header)");
    TileTask t = h.tile_index < grid ? tile_task(job.geometry, h.tile_index) : TileTask{};
    if (h.tile_index >= grid || !wanted[h.tile_index] || t.rect.x != h.rect.x ||
        t.rect.y != h.rect.y || t.rect.w != h.rect.w || t.rect.h != h.rect.h)
      throw CliError(kExitCluster, "a tile arrived that does not belong to the job (index " +
                                       std::to_string(h.tile_index) + ")");
    ++arrived_this_try;
    if (seen[h.tile_index]) {
      if (round > 0) return;  // asked for again after a loss: the copy we have stands
      throw CliError(kExitCluster, "tile " + std::to_string(h.tile_index) + " arrived twice");
    }
    if (!tile_decode_codec(h.codec, payload, h.payload_len, h.rect.w, h.rect.h, tile.data()))
      throw CliError(kExitCluster, "tile " + std::to_string(h.tile_index) + " did not decode");
    seen[h.tile_index] = true;
    ++received;
    if (target.claim && !target.claim(h.tile_index)) {
      if (on_progress) on_progress(received, total);
      return;  // another cluster brought it first
    }
    iterations += h.iterations;
    res.frame_bytes += f.body.size();
    for (uint32_t r = 0; r < h.rect.h; ++r)
      std::copy(tile.begin() + r * h.rect.w, tile.begin() + (r + 1) * h.rect.w,
                image + static_cast<size_t>(h.rect.y + r) * job.geometry.width + h.rect.x);
    if (target.on_tile) target.on_tile(h.tile_index, h.iterations);
    if (on_progress) on_progress(received, total);
  };
  // Frames lost on the link (a TILE, the final answer, or the request itself) are recovered by
  // asking again: a RENDER is safe to repeat, and tiles already here are kept, not replaced.
  bool have_summary = false;
  int fruitless = 0;  // tries in a row that went silent (not a word) and brought no new tile
  for (;; ++round) {
    RenderRequest ask = job;
    if (round > 0 && subsets) {
      ask.subset = missing_tiles(wanted, seen);
      spdlog::debug("asking for {} tiles in {} ranges, the first from tile {}", subset_size(ask),
                    ask.subset.count, ask.subset.ranges[0].first);
    }
    const uint32_t before = received;
    arrived_this_try = 0;
    std::vector<uint8_t> reply;
    bool answered = true, silent = false;
    try {
      reply = client.request(MsgType::render, request_body(ask), on_stream);
    } catch (const CliError& e) {
      silent = !client.timeout_heard() && received == before;
      // A silent device is a timeout; one that still answers, on the last try, is a lossy link.
      if (e.exit_code != kExitTimeout ||
          (silent && (fruitless + 1 >= kFruitless || round + 1 >= kMaxRounds)))
        throw;
      answered = false;  // Client::request has cancelled the render on the device
    }
    RenderSummary s;
    Reader r(reply.data(), reply.size());
    if (answered && !decode(r, &s)) throw CliError(kExitProtocol, "malformed render summary");
    // Tiles the controller sent this try; when its answer was lost, those that arrived.
    res.tiles_computed += answered ? s.tiles : arrived_this_try;
    if (answered) res.device_tiles += s.tiles;
    if (answered && !have_summary) {
      res.summary = s;
      have_summary = true;
    } else if (answered) {
      add_summary(&res.summary, s);
    }
    res.rounds = round + 1;
    if (received == total) break;
    fruitless = silent ? fruitless + 1 : 0;
    if (round + 1 >= kMaxRounds || fruitless >= kFruitless)
      throw CliError(kExitCluster, "render ended with " + std::to_string(received) + " of " +
                                       std::to_string(total) + " tiles after " +
                                       std::to_string(round + 1) +
                                       " tries: the link lost the rest, or the requests for them, "
                                       "each time");
    spdlog::warn("{} of {} tiles were lost on the link; asking for {} again (try {} of at most {})",
                 total - received, total, subsets ? "those" : "the whole render", round + 2,
                 kMaxRounds);
  }
  if (!have_summary)
    spdlog::warn("the render's final answer was lost on the link: its device figures are missing");
  res.summary.tiles = total;
  res.summary.iterations = iterations;
  res.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  res.tiles_received = received;
  return res;
}

std::vector<uint16_t> reference_counts(const RenderRequest& job) {
  std::vector<uint16_t> out(static_cast<size_t>(job.geometry.width) * job.geometry.height);
  const uint32_t total = tile_count(job.geometry);
  std::atomic<uint32_t> next{0};
  auto worker = [&]() {
    std::vector<uint16_t> tile(kMaxTilePixels);
    for (uint32_t i = next++; i < total && !interrupted(); i = next++) {
      TileTask t = tile_task(job.geometry, i);
      host::compute_tile(t, tile.data());
      for (uint32_t r = 0; r < t.rect.h; ++r)
        std::copy(tile.begin() + r * t.rect.w, tile.begin() + (r + 1) * t.rect.w,
                  out.begin() + static_cast<size_t>(t.rect.y + r) * job.geometry.width + t.rect.x);
    }
  };
  unsigned n = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> threads;
  for (unsigned k = 1; k < n; ++k) threads.emplace_back(worker);
  worker();
  for (auto& th : threads) th.join();
  throw_if_interrupted();
  return out;
}

}  // namespace picocray::cli
