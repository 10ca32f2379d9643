#include "picocray/host_session.h"

#include "picocray/log_text.h"

namespace picocray {

namespace {

void copy_text(char* out, size_t cap, const char* s) {
  size_t i = 0;
  for (; s[i] != '\0' && i + 1 < cap; ++i) out[i] = s[i];
  out[i] = '\0';
}

}  // namespace

void HostSession::start() {
  out_len_ = out_pos_ = 0;
  rx_len_ = rx_pos_ = 0;
  decoder_.clear();
  frames_out_ = 0;
  minor_ = kProtocolMinor;
  notes_head_ = notes_count_ = 0;
  notes_dropped_ = 0;
}

bool HostSession::next_request() {
  while (!output_busy()) {
    if (rx_pos_ == rx_len_) {
      rx_len_ = link_.read(rx_, sizeof rx_);
      rx_pos_ = 0;
      if (rx_len_ == 0) return false;
    }
    // Bytes after a request whose answer is still going out wait for the next pass.
    while (rx_pos_ < rx_len_)
      if (decoder_.push(rx_[rx_pos_++])) return true;
  }
  return false;
}

bool HostSession::flush() {
  while (out_pos_ < out_len_) {
    size_t n = link_.write(out_ + out_pos_, out_len_ - out_pos_);
    if (n == 0) return false;
    out_pos_ += n;
  }
  out_pos_ = out_len_ = 0;
  return true;
}

bool HostSession::send(MsgType type, uint16_t seq, const uint8_t* body, size_t len) {
  if (output_busy()) return false;
  FrameHeader h;
  h.type = static_cast<uint8_t>(type);
  h.seq = seq;
  out_len_ = frame_encode(h, body, len, out_, sizeof out_);
  out_pos_ = 0;
  if (out_len_ == 0) return false;
  ++frames_out_;
  flush();
  return true;
}

bool HostSession::send_error(uint16_t seq, ErrorCode code, const char* text) {
  ErrorReply e;
  e.code = code;
  copy_text(e.text, sizeof e.text, text);
  Writer w(body_, sizeof body_);
  encode(w, e);
  return send(MsgType::error, seq, body_, w.size());
}

void HostSession::note(LogLevel level, const char* text) {
  if (minor_ < 1) return;  // LOG is defined since 1.1: a 1.0 host gets none
  if (notes_count_ == kNotes) {
    notes_dropped_ += notes_dropped_ == 0 ? 2 : 1;  // the line this one replaces, and this one
    Note& last = notes_[(notes_head_ + kNotes - 1) % kNotes];
    last.level = LogLevel::warn;
    Text t;
    log_text::notes_dropped(t, notes_dropped_);
    copy_text(last.text, sizeof last.text, t.str());
    return;
  }
  Note& n = notes_[(notes_head_ + notes_count_++) % kNotes];
  n.level = level;
  copy_text(n.text, sizeof n.text, text);
}

void HostSession::flush_note(uint16_t seq) {
  if (notes_count_ == 0 || output_busy()) return;
  const Note& n = notes_[notes_head_];
  Writer w(body_, sizeof body_);
  w.u8(static_cast<uint8_t>(n.level));
  w.str(n.text);
  notes_head_ = static_cast<uint8_t>((notes_head_ + 1) % kNotes);
  if (--notes_count_ == 0) notes_dropped_ = 0;
  send(MsgType::log, seq, body_, w.size());
}

}  // namespace picocray
