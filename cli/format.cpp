#include "format.h"

#include <cstdio>

#include "picocray/decimal.h"

namespace picocray::cli {

std::string format_coord(const Coord& c, int digits) {
  char buf[96];
  format_decimal(c, digits, buf, sizeof buf);
  return buf;
}

std::string short_coord(const Coord& c) {
  std::string s = format_coord(c, 40);
  size_t dot = s.find('.');
  if (dot != std::string::npos) {
    size_t end = s.find_last_not_of('0');
    if (end == dot) end = dot - 1;
    s.erase(end + 1);
  }
  if (s == "-0") s = "0";
  return s;
}

std::string shell_quote(const std::string& s) {
  if (!s.empty() &&
      s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                          "@%+=:,./_-") == std::string::npos)
    return s;
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

std::string seconds(int ms) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", ms / 1000.0);
  return b;
}

std::string version_string(unsigned major, unsigned minor, unsigned patch) {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

}  // namespace picocray::cli
