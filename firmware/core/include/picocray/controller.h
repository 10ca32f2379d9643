// The controller: wires the host session, enrolment, the node bus and the scheduler, and answers
// the host's requests. Tiles are forwarded to the host as the nodes encoded them; the controller
// never holds the image. docs/architecture.md has the parts and who calls whom.
#pragma once
#include <cstdint>

#include "picocray/display.h"
#include "picocray/enrolment.h"
#include "picocray/hal.h"
#include "picocray/host_session.h"
#include "picocray/node_bus.h"
#include "picocray/node_table.h"
#include "picocray/protocol.h"
#include "picocray/scheduler.h"
#include "picocray/standalone.h"

namespace picocray {

class Controller {
 public:
  explicit Controller(hal::Board& board)
      : board_(board),
        host_(board.host),
        bus_(board.initiator, board.clock),
        scheduler_(board, table_, bus_, host_),
        enrolment_(board.gpio, board.clock, table_, bus_, scheduler_),
        standalone_(display_, scheduler_, table_) {}
  void start();
  // One pass of the main loop; returns when it next needs to run (timing.h).
  uint64_t poll();

  uint8_t node_count() const { return table_.count(); }
  bool enumerating() const { return enrolment_.open(); }
  bool job_active() const { return scheduler_.active(); }
  // Tiles delivered and in all, of the running job (false when none runs).
  bool job_progress(uint32_t* done, uint32_t* total) const {
    return scheduler_.progress(done, total);
  }
  bool display_present() const { return display_.present(); }
  bool standalone() const { return standalone_.active(); }
  // Standalone views drawn to the end.
  uint32_t standalone_views() const { return standalone_.views(); }
  bool standalone_busy() const { return standalone_.busy(); }
  uint8_t standalone_depth() const { return standalone_.depth(); }
  // A board's own touch calibration (docs/hardware.md).
  void set_touch_calibration(const TouchCalibration& c) { display_.set_calibration(c); }

 private:
  // What the controller is doing besides serving requests.
  enum class Mode : uint8_t {
    serving,
    answering_reset,  // a RESET of nodes waits for enrolment to settle before its OK
    rebooting,        // a RESET of the controller: its OK drains, then the board reboots
    reading_display,  // a DISPLAY_READ: its rows go out a frame at a time, then its OK
  };

  uint64_t poll_mode(uint64_t now, bool* done);
  void handle_request();
  void handle_hello(uint16_t seq, Reader& r);
  void handle_info(uint16_t seq);
  void handle_nodes(uint16_t seq);
  void handle_render(uint16_t seq, Reader& r);
  void handle_reset(uint16_t seq, Reader& r);
  void handle_cancel(uint16_t seq, Reader& r);
  void handle_node_echo(uint16_t seq, Reader& r);
  void handle_ping(uint16_t seq, Reader& r);
  void send_body(uint16_t seq, const Writer& w);
  // The display's side (controller_display.cpp).
  uint64_t poll_display(uint64_t now);
  void send_display_rows();
  void handle_display_read(uint16_t seq);
  bool start_mirror(uint16_t seq, const RenderRequest& q);

  hal::Board& board_;
  HostSession host_;
  NodeTable table_;
  NodeBus bus_;
  Scheduler scheduler_;
  Enrolment enrolment_;
  Mode mode_ = Mode::serving;
  uint16_t reset_seq_ = 0;
  uint64_t reboot_at_ = 0;
  hal::RebootKind reboot_kind_ = hal::RebootKind::normal;
  uint64_t boot_us_ = 0;
  Display display_;
  Standalone standalone_;
  bool host_spoke_ = false;  // a request came since start: no standalone mode
  uint16_t display_seq_ = 0;
  uint16_t display_row_ = 0;
};

}  // namespace picocray
