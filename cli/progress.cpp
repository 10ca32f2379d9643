#include "progress.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "terminal.h"

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
  // The line fits the terminal (one column spare, so it never wraps): the bar shrinks first,
  // then goes, then the label is cut.
  char counts[64];
  std::snprintf(counts, sizeof counts, " %u/%u tiles %3u%%", done, total,
                static_cast<unsigned>(static_cast<uint64_t>(done) * 100 / total));
  const int room = stderr_columns() - 1;
  std::string label = label_;
  int width = std::min(30, room - static_cast<int>(label.size() + std::strlen(counts)) - 3);
  if (width < 5) width = 0;
  std::string line = label;
  if (width > 0) {
    int fill = static_cast<int>(static_cast<uint64_t>(done) * width / total);
    line += " [" + std::string(static_cast<size_t>(fill), '#') +
            std::string(static_cast<size_t>(width - fill), '.') + "]";
  }
  line += counts;
  if (static_cast<int>(line.size()) > room) line.resize(static_cast<size_t>(std::max(room, 0)));
  std::fprintf(stderr, "\r%s\x1b[K", line.c_str());
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
