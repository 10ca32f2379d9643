// Builds a short log line without printf: text, decimal numbers, two-digit hex.
#pragma once
#include <cstddef>
#include <cstdint>

namespace picocray {

template <size_t Cap>
class BasicText {
 public:
  BasicText& add(const char* s) {
    while (*s != '\0' && n_ + 1 < Cap) buf_[n_++] = *s++;
    cut_ = cut_ || *s != '\0';
    buf_[n_] = '\0';
    return *this;
  }
  BasicText& num(uint32_t v) {
    char d[11];
    int k = 0;
    do d[k++] = static_cast<char>('0' + v % 10);
    while ((v /= 10) != 0);
    while (k > 0 && n_ + 1 < Cap) buf_[n_++] = d[--k];
    cut_ = cut_ || k > 0;
    buf_[n_] = '\0';
    return *this;
  }
  BasicText& hex2(uint8_t v) {
    const char* x = "0123456789abcdef";
    char s[3] = {x[v >> 4], x[v & 15], '\0'};
    return add(s);
  }
  const char* str() const { return buf_; }
  size_t size() const { return n_; }
  // True when something added did not fit.
  bool cut() const { return cut_; }

 private:
  char buf_[Cap] = {};
  size_t n_ = 0;
  bool cut_ = false;
};

// Every LOG line the controller writes fits (tests/core/log_text_test.cpp holds it to that).
constexpr size_t kLogTextMax = 160;
using Text = BasicText<kLogTextMax>;

}  // namespace picocray
