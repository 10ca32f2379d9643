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

bool FrameReader::read(Link& link, Frame* f, int timeout_ms, int slice_ms,
                       const std::function<void()>& before_read) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  uint8_t buf[4096];
  for (;;) {
    if (next(f)) return true;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) return false;
    if (before_read) before_read();
    size_t n = link.read(buf, sizeof buf, static_cast<int>(std::min<long long>(left, slice_ms)));
    feed(buf, n);
  }
}

void FrameReader::discard() {
  pending_.clear();
  pos_ = 0;
  decoder_.clear();
}

}  // namespace picocray::cli
