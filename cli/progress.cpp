#include "progress.h"

#include <cstdio>

#include "util.h"

namespace picocray::cli {

ProgressBar::ProgressBar(bool enabled, std::string label)
    : on_(enabled && stderr_is_tty()), label_(std::move(label)) {}

ProgressBar::~ProgressBar() {
  clear();
}

void ProgressBar::update(uint32_t done, uint32_t total) {
  if (!on_ || total == 0) return;
  auto now = std::chrono::steady_clock::now();
  // At most 20 redraws a second, and always the last one.
  if (done < total && drawn_ && now - last_ < std::chrono::milliseconds(50)) return;
  last_ = now;
  constexpr int kWidth = 30;
  int fill = static_cast<int>(static_cast<uint64_t>(done) * kWidth / total);
  std::string bar(static_cast<size_t>(fill), '#');
  bar.append(static_cast<size_t>(kWidth - fill), '.');
  std::fprintf(stderr, "\r%s [%s] %u/%u tiles %3u%%\x1b[K", label_.c_str(), bar.c_str(), done,
               total, static_cast<unsigned>(static_cast<uint64_t>(done) * 100 / total));
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressBar::clear() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r\x1b[K");
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace picocray::cli
