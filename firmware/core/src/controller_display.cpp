// The controller's LCD: the render mirror, DISPLAY_READ, and when standalone mode starts.
#include "picocray/controller.h"
#include "picocray/timing.h"

namespace picocray {

namespace {

// Panel rows per DISPLAY_ROWS frame: 3 rows of 640 bytes fit the answer scratch.
constexpr uint16_t kRowsPerFrame = 3;
static_assert(3 + kRowsPerFrame * 2 * kLcdWidth <= HostSession::kScratch, "rows fit a frame");

}  // namespace

uint64_t Controller::poll_display(uint64_t now) {
  if (!display_.present()) return kNoDeadline;
  if (standalone_.active()) return standalone_.poll(now);
  // A host that holds the link open (or has spoken) keeps the controller serving it.
  if (host_spoke_ || scheduler_.active() || enrolment_.open() || board_.host.connected())
    return kNoDeadline;
  const uint64_t at = boot_us_ + timing::kStandaloneAfterUs;
  if (now < at) return at;
  standalone_.begin(now);
  return standalone_.poll(now);
}

bool Controller::start_mirror(uint16_t seq, const RenderRequest& q) {
  if (!display_.present()) {
    host_.send_error(seq, ErrorCode::not_supported, "this controller has no display");
    return false;
  }
  // A subset is a render asked again for the tiles it lost: drawn over what the panel shows.
  const bool whole = q.subset.count == 0;
  display_.begin_mirror(q.geometry, static_cast<Palette>(q.display_palette), whole);
  scheduler_.start(seq, q, &display_);
  return true;
}

void Controller::handle_display_read(uint16_t seq) {
  if (!display_.present()) {
    host_.send_error(seq, ErrorCode::not_supported, "this controller has no display");
    return;
  }
  display_seq_ = seq;
  display_row_ = 0;
  mode_ = Mode::reading_display;
}

void Controller::send_display_rows() {
  if (display_row_ >= kLcdHeight) {
    mode_ = Mode::serving;
    Writer w(host_.scratch(), HostSession::kScratch);
    w.u16(kLcdWidth);
    w.u16(kLcdHeight);
    send_body(display_seq_, w);
    return;
  }
  const uint16_t left = static_cast<uint16_t>(kLcdHeight - display_row_);
  const uint16_t rows = left < kRowsPerFrame ? left : kRowsPerFrame;
  Writer w(host_.scratch(), HostSession::kScratch);
  w.u16(display_row_);
  w.u8(static_cast<uint8_t>(rows));
  display_.read_rows(display_row_, rows, host_.scratch() + 3);
  display_row_ = static_cast<uint16_t>(display_row_ + rows);
  host_.send(MsgType::display_rows, display_seq_, host_.scratch(), 3u + rows * 2u * kLcdWidth);
}

}  // namespace picocray
