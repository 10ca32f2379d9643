// A whole picture through the simulated cluster: exact against the host reference, faster with
// more nodes in modelled time, and cheaper on the bus than one byte per pixel.
#include <doctest/doctest.h>

#include <vector>

#include "sim_host.h"

using namespace picocray;
using namespace picocray_test;

namespace {

struct Picture {
  RenderSummary summary;
  std::vector<uint16_t> counts;  // width x height, row-major
  uint32_t tiles = 0;
};

Picture render_picture(uint32_t nodes, const RenderRequest& job) {
  SimHost host(sim_config(nodes, 5));
  host.hello();
  Reply r = host.request(MsgType::render, body_of(job));
  Picture p;
  p.summary = summary_of(r);
  p.counts.assign(static_cast<size_t>(job.geometry.width) * job.geometry.height, 0);
  for (const Frame& f : r.streamed) {
    if (!f.is(MsgType::tile)) continue;
    Tile t = parse_tile(f);
    REQUIRE_MESSAGE(t.h.tile_index < tile_count(job.geometry), "tile index " << t.h.tile_index);
    for (uint32_t row = 0; row < t.h.rect.h; ++row)
      for (uint32_t col = 0; col < t.h.rect.w; ++col)
        p.counts[static_cast<size_t>(t.h.rect.y + row) * job.geometry.width + t.h.rect.x + col] =
            t.counts[row * t.h.rect.w + col];
    ++p.tiles;
  }
  return p;
}

std::vector<uint16_t> reference(const RenderRequest& job) {
  std::vector<uint16_t> out(static_cast<size_t>(job.geometry.width) * job.geometry.height);
  std::vector<uint16_t> tile(kMaxTilePixels);
  for (uint32_t i = 0; i < tile_count(job.geometry); ++i) {
    TileTask t = tile_task(job.geometry, i);
    compute_tile(t, tile.data());
    for (uint32_t row = 0; row < t.rect.h; ++row)
      for (uint32_t col = 0; col < t.rect.w; ++col)
        out[static_cast<size_t>(t.rect.y + row) * job.geometry.width + t.rect.x + col] =
            tile[row * t.rect.w + col];
  }
  return out;
}

}  // namespace

TEST_CASE("640x480 over 8 nodes: exact, faster than 1 node, under a byte per pixel on the bus") {
  const RenderRequest job = make_job(640, 480, 256, "-2.5", "1", "-1.25", "1.25");
  const uint64_t pixels = static_cast<uint64_t>(job.geometry.width) * job.geometry.height;
  CHECK_MESSAGE(job.geometry.precision == Precision::p32,
                "choose_precision picked " << int(job.geometry.precision) << " for a full view");

  const std::vector<uint16_t> want = reference(job);
  const Picture eight = render_picture(8, job);
  CHECK_MESSAGE(eight.tiles == tile_count(job.geometry),
                eight.tiles << " tiles of " << tile_count(job.geometry));
  size_t differ = 0, first = 0;
  for (size_t i = 0; i < want.size(); ++i)
    if (eight.counts[i] != want[i] && differ++ == 0) first = i;
  CHECK_MESSAGE(differ == 0, differ << " pixels differ from the reference; the first at ("
                                    << first % job.geometry.width << ","
                                    << first / job.geometry.width << "): " << eight.counts[first]
                                    << " vs " << want[first]);

  const Picture one = render_picture(1, job);
  CHECK_MESSAGE(one.counts == want, "the 1-node render differs from the reference");
  CHECK_MESSAGE(eight.summary.elapsed_us < one.summary.elapsed_us,
                "8 nodes took " << eight.summary.elapsed_us << " us, 1 node "
                                << one.summary.elapsed_us << " us");

  double per_pixel = static_cast<double>(eight.summary.i2c_bytes) / static_cast<double>(pixels);
  CHECK_MESSAGE(per_pixel < 1.0, eight.summary.i2c_bytes << " bus bytes for " << pixels
                                                         << " pixels (" << per_pixel << "/pixel)");
  MESSAGE("8 nodes: " << eight.summary.elapsed_us << " us, " << per_pixel
                      << " bus bytes/pixel; 1 node: " << one.summary.elapsed_us << " us");
}
