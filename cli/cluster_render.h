// One RenderRequest on the cluster: the request sent, the tiles the nodes encoded decoded and
// assembled into counts on the host, lost frames asked for again. And the host reference, the
// same counts computed here. (The user's side of a render, options and output files, is
// render_plan.h.)
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "client.h"
#include "picocray/protocol.h"

namespace picocray::cli {

struct RenderResult {
  std::vector<uint16_t> counts;  // width x height, row 0 at the top
  RenderSummary summary;
  double wall_s = 0;
  uint64_t frame_bytes = 0;  // tile bytes received over the link
  uint32_t tiles_received = 0;
  // Tiles the controller's own summaries counted, over every try (summary.tiles is then set to the
  // tiles the host holds, so it cannot be the check of the device's count).
  uint32_t device_tiles = 0;
  // Tries of the request (1 when nothing was lost), and the tiles the controller sent over all of
  // them (counted by its summaries; a try whose answer was lost counts the tiles that arrived).
  int rounds = 0;
  uint32_t tiles_computed = 0;
};

// A render that lost frames is asked again at most this many times in all, and given up after
// this many tries in a row that went silent and brought no new tile (a dead link fails as fast as
// before; a lossy one that still answers goes on: its largest tiles are the likeliest to be lost).
constexpr int kMaxRounds = 20;
constexpr int kFruitless = 3;

// Where a render's tiles go when not into RenderResult::counts: an image shared by several
// clusters' renders (each tile is a region of its own), and a note of each tile as it lands, so
// that a render that fails part way leaves a record of what it brought.
struct TileTarget {
  uint16_t* image = nullptr;  // width x height of the job, row 0 at the top
  // Asked before a decoded tile is written: false when another cluster's copy is in the image
  // (or being written), and this one is dropped (it counts as arrived for this render). Empty:
  // every tile is written.
  std::function<bool(uint32_t tile)> claim;
  std::function<void(uint32_t tile, uint32_t iterations)> on_tile;
};

// Runs the job; on_progress gets (tiles done, tiles total). Throws CliError or DeviceError.
RenderResult render_on_cluster(Client& client, const RenderRequest& job,
                               const std::function<void(uint32_t, uint32_t)>& on_progress = {},
                               const TileTarget& target = {});

// The tiles of `wanted` not yet `seen`, as at most kMaxTileRanges ranges in index order. When the
// runs of missing tiles are more, the narrowest gaps between them (tiles already here; the
// earlier among equals) are asked for too: their copies are ignored when they come.
TileSubset missing_tiles(const std::vector<bool>& wanted, const std::vector<bool>& seen);

// A later try's summary (or another request's) joins the first one's: its counters add up, its
// nodes' tiles too.
void add_summary(RenderSummary* into, const RenderSummary& s);

// The host reference: the same kernel over the same grid, on the host's cores.
std::vector<uint16_t> reference_counts(const RenderRequest& job);

}  // namespace picocray::cli
