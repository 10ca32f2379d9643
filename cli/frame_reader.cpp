#include "frame_reader.h"

#include <algorithm>
#include <chrono>

namespace picocray::cli {

void FrameReader::feed(const uint8_t* data, size_t len) {
  if (pos_ == pending_.size()) {
    pending_.clear();
    pos_ = 0;
  }
  pending_.insert(pending_.end(), data, data + len);
  bytes_in_ += len;
}

bool FrameReader::next(Frame* f) {
  while (pos_ < pending_.size()) {
    if (decoder_.push(pending_[pos_++])) {
      f->type = decoder_.header().type;
      f->seq = decoder_.header().seq;
      f->body.assign(decoder_.body(), decoder_.body() + decoder_.body_len());
      return true;
    }
  }
  return false;
}

SilenceClock::SilenceClock(Link& link)
    : link_(link), start_(std::chrono::steady_clock::now()), paused0_(link.paused_ns()) {}

int64_t SilenceClock::elapsed_ms() const {
  const auto wall = std::chrono::steady_clock::now() - start_;
  const auto paused = std::chrono::nanoseconds(link_.paused_ns() - paused0_);
  return std::chrono::duration_cast<std::chrono::milliseconds>(wall - paused).count();
}

bool FrameReader::read(Link& link, Frame* f, int timeout_ms, int slice_ms,
                       const std::function<void()>& before_read) {
  const SilenceClock silence(link);
  uint8_t buf[4096];
  for (;;) {
    if (next(f)) return true;
    const int64_t left = timeout_ms - silence.elapsed_ms();
    if (left <= 0) return false;
    if (before_read) before_read();
    size_t n = link.read(buf, sizeof buf, static_cast<int>(std::min<int64_t>(left, slice_ms)));
    feed(buf, n);
  }
}

void FrameReader::discard() {
  pending_.clear();
  pos_ = 0;
  decoder_.clear();
}

}  // namespace picocray::cli
