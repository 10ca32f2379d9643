// The standalone display (docs/hardware.md, "Standalone mode"): a controller with an LCD that no
// host has spoken to renders the overview itself across its secondaries; a tap zooms in by
// kZoom around the touched point, a long press zooms back out by kZoom. Each view is a local job
// of 320 x 240 pixels drawn on the panel as its tiles come, with the precision chosen from the
// pixel spacing (up to 128 bits) and more iterations the deeper it goes; a status line at the
// bottom then shows depth, iterations, nodes, precision and time.
#pragma once
#include <cstdint>

#include "picocray/display.h"
#include "picocray/fixed.h"
#include "picocray/hal.h"
#include "picocray/node_table.h"
#include "picocray/scheduler.h"

namespace picocray {

class Standalone {
 public:
  static constexpr uint32_t kZoom = 4;
  static constexpr uint64_t kLongPressUs = 800000;
  static constexpr uint64_t kTouchPollUs = 10000;  // the pen is looked at this often while down
  static constexpr uint16_t kStatusRows = 12;      // the bottom of the panel, below the picture
  static constexpr uint8_t kMaxDepth = 48;         // deeper, 128 bits no longer resolve a pixel

  Standalone(Display& display, Scheduler& scheduler, NodeTable& table)
      : display_(display), scheduler_(scheduler), table_(table) {}

  // Starts with the overview.
  void begin(uint64_t now);
  // A host took over: no more views or touches; a view being drawn is given up.
  void end();
  bool active() const { return phase_ != Phase::off; }
  // Touches, and the views' start and end; returns when it next needs to run.
  uint64_t poll(uint64_t now);
  // Views drawn to the end since start-up.
  uint32_t views() const { return views_; }
  uint8_t depth() const { return depth_; }
  // A view is waiting to be drawn or being drawn.
  bool busy() const { return pending_ || phase_ == Phase::drawing; }

  // The job of a view: centre (cx, cy), width span, 320 x 240 pixels (height 3/4 span), the
  // iterations for its depth (256 + 128 per zoom, at most 2048) and precision chosen for it.
  static RenderRequest view_job(const Coord& cx, const Coord& cy, const Coord& span, uint8_t depth);
  // The centre of panel pixel (x, y) of a view (its pixel centre, as the kernel's grid has it).
  static void touched_centre(const Coord& cx, const Coord& cy, const Coord& span, uint16_t x,
                             uint16_t y, Coord* out_x, Coord* out_y);
  static void overview(Coord* cx, Coord* cy, Coord* span);

 private:
  enum class Phase : uint8_t { off, drawing, shown };
  void start_view();
  void view_done();
  void gesture(bool long_press);
  void draw_status();

  Display& display_;
  Scheduler& scheduler_;
  NodeTable& table_;
  Phase phase_ = Phase::off;
  Coord cx_{}, cy_{}, span_{};
  uint8_t depth_ = 0;
  bool pending_ = false;  // the view changed: draw it once the scheduler is free
  bool pen_down_ = false;
  uint64_t pen_since_ = 0;
  TouchPoint pen_at_;
  uint32_t views_ = 0;
};

}  // namespace picocray
