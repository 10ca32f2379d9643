#include "cluster_render.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "interrupt.h"
#include "picocray/host_kernels.h"
#include "picocray/tile_block.h"

namespace picocray::cli {

RenderResult render_on_cluster(Client& client, const RenderRequest& job,
                               const std::function<void(uint32_t, uint32_t)>& on_progress) {
  RenderResult res;
  res.counts.assign(static_cast<size_t>(job.geometry.width) * job.geometry.height, 0);
  const uint32_t total = tile_count(job.geometry);
  std::vector<bool> seen(total, false);
  uint32_t received = 0;
  std::vector<uint16_t> tile(kMaxTilePixels);
  std::vector<uint8_t> body(256);
  Writer w(body.data(), body.size());
  encode(w, job);
  body.resize(w.size());

  auto start = std::chrono::steady_clock::now();
  int round = 0;
  uint64_t iterations = 0;
  auto on_stream = [&](const Frame& f) {
    if (f.type == static_cast<uint8_t>(MsgType::progress)) return;
    if (f.type != static_cast<uint8_t>(MsgType::tile)) return;
    TileHeader h;
    const uint8_t* payload = nullptr;
    if (!tile_block_parse(f.body.data(), f.body.size(), &h, &payload))
      throw CliError(kExitCluster, "a tile arrived corrupted (CRC or header)");
    TileTask t = h.tile_index < total ? tile_task(job.geometry, h.tile_index) : TileTask{};
    if (h.tile_index >= total || t.rect.x != h.rect.x || t.rect.y != h.rect.y ||
        t.rect.w != h.rect.w || t.rect.h != h.rect.h)
      throw CliError(kExitCluster, "a tile arrived that does not belong to the job (index " +
                                       std::to_string(h.tile_index) + ")");
    if (seen[h.tile_index]) {
      if (round > 0) return;  // asked for again after a loss: the copy we have stands
      throw CliError(kExitCluster, "tile " + std::to_string(h.tile_index) + " arrived twice");
    }
    if (!tile_decode(payload, h.payload_len, h.rect.w, h.rect.h, tile.data()))
      throw CliError(kExitCluster, "tile " + std::to_string(h.tile_index) + " did not decode");
    seen[h.tile_index] = true;
    ++received;
    iterations += h.iterations;
    res.frame_bytes += f.body.size();
    for (uint32_t r = 0; r < h.rect.h; ++r)
      std::copy(
          tile.begin() + r * h.rect.w, tile.begin() + (r + 1) * h.rect.w,
          res.counts.begin() + static_cast<size_t>(h.rect.y + r) * job.geometry.width + h.rect.x);
    if (on_progress) on_progress(received, total);
  };
  // Frames lost on the link (a TILE, the final answer, or the request itself) are recovered by
  // asking again: a RENDER is safe to repeat, and tiles already here are kept, not replaced.
  constexpr int kRounds = 4;
  bool have_summary = false;
  for (;; ++round) {
    std::vector<uint8_t> reply;
    bool answered = true;
    try {
      reply = client.request(MsgType::render, body, on_stream);
    } catch (const CliError& e) {
      if (e.exit_code != kExitTimeout || round + 1 >= kRounds) throw;
      answered = false;  // Client::request has cancelled the render on the device
    }
    RenderSummary s;
    Reader r(reply.data(), reply.size());
    if (answered && !decode(r, &s)) throw CliError(kExitProtocol, "malformed render summary");
    if (answered) res.device_tiles += s.tiles;
    if (answered && !have_summary) {
      res.summary = s;
      have_summary = true;
    } else if (answered) {
      res.summary.elapsed_us += s.elapsed_us;
      res.summary.i2c_bytes += s.i2c_bytes;
      res.summary.i2c_transactions += s.i2c_transactions;
      res.summary.retries += s.retries;
      res.summary.integrity_errors += s.integrity_errors;
    }
    if (received == total) break;
    if (round + 1 >= kRounds)
      throw CliError(kExitCluster, "render ended with " + std::to_string(received) + " of " +
                                       std::to_string(total) + " tiles after " +
                                       std::to_string(kRounds) + " tries");
    spdlog::warn("{} of {} tiles were lost on the link; asking for the render again ({} of {})",
                 total - received, total, round + 2, kRounds);
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
