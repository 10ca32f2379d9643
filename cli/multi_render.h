// One job over several clusters: the host hands out the job's tiles in chunks (tile subsets of
// the RENDER request), each cluster asking for the next chunk when it has delivered the last, so
// that a faster cluster gets more of them (simulated clusters: faster by their modelled clocks). A
// cluster that fails gives back the tiles of its chunk that had not arrived, and the others finish
// them. (One job on one cluster is cluster_render.h.)
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "cluster_render.h"

namespace picocray::cli {

// What one cluster did for a job over several clusters.
struct ClusterShare {
  std::string port;
  uint32_t tiles = 0;  // tiles it brought (those that landed in the image)
  uint64_t pixels = 0;
  uint64_t iterations = 0;  // the sum of those tiles' escape counts
  uint32_t requests = 0;    // chunks asked of it
  uint32_t rounds = 0;      // tries over all its chunks
  uint32_t tiles_computed = 0;
  uint64_t frame_bytes = 0;
  double wall_s = 0;       // host time its chunks took
  RenderSummary summary;   // its controller's figures, added up over its chunks (elapsed_us too)
  uint32_t copies = 0;     // chunks it ran as copies of another cluster's, once the queue was empty
  uint32_t overtaken = 0;  // chunks given up because another cluster brought their tiles first
  std::string failed;      // why it dropped out; empty when it did not
};

struct MultiRenderResult {
  std::vector<uint16_t> counts;  // width x height, row 0 at the top
  std::vector<ClusterShare> clusters;
  uint32_t tiles = 0;
  uint64_t iterations = 0;
  double wall_s = 0;
};

// The next chunk: up to `want` tiles from the front of `queue` (removed from it), as at most
// kMaxTileRanges ranges; fewer tiles when the queue's runs would need more ranges.
TileSubset take_chunk(std::deque<uint32_t>* queue, uint32_t want);
// How many tiles to hand a cluster of `nodes` secondaries that asks for `want` (rounded up): at
// least enough to keep its nodes busy.
uint32_t chunk_size(double want, uint32_t nodes);

// Runs the job (its own tile subset ignored: every tile) over the clients, one host thread each;
// ports names them. on_progress gets (tiles done, tiles total). Throws when a tile cannot be had
// from any cluster (the last failure's error), or on an interrupt. modelled: every cluster is
// simulated in this process, and the chunks go out by their modelled clocks instead, one at a
// time, to the cluster whose clock is earliest (deterministic; the shares real clusters of those
// speeds would get).
MultiRenderResult render_on_clusters(const std::vector<Client*>& clients,
                                     const std::vector<std::string>& ports,
                                     const RenderRequest& job,
                                     const std::function<void(uint32_t, uint32_t)>& on_progress,
                                     bool modelled = false);

}  // namespace picocray::cli
