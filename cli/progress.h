// A one-line progress bar on stderr, drawn only when stderr is a terminal.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace picocray::cli {

class ProgressBar {
 public:
  // enabled: the caller's choice (not --quiet); the bar also needs stderr to be a terminal.
  ProgressBar(bool enabled, std::string label);
  ~ProgressBar();
  void set_label(std::string label) { label_ = std::move(label); }
  void update(uint32_t done, uint32_t total);
  // Clears the line, so that whatever is logged next starts clean.
  void clear();

 private:
  bool on_;
  bool drawn_ = false;
  std::string label_;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace picocray::cli
