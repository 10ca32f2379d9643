#include "util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>

#include "picocray/decimal.h"

namespace picocray::cli {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t p = s.find(sep, start);
    out.push_back(s.substr(start, p == std::string::npos ? std::string::npos : p - start));
    if (p == std::string::npos) break;
    start = p + 1;
  }
  return out;
}

namespace {

std::string dir_of(const std::string& path) {
  size_t p = path.rfind('/');
  if (p == std::string::npos) return ".";
  if (p == 0) return "/";
  return path.substr(0, p);
}

}  // namespace

std::vector<std::string> split_shell(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quote == '\'') {
      if (c == '\'')
        quote = 0;
      else
        cur += c;
    } else if (quote == '"') {
      if (c == '"')
        quote = 0;
      else if (c == '\\' && i + 1 < line.size() && (line[i + 1] == '"' || line[i + 1] == '\\'))
        cur += line[++i];
      else
        cur += c;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      if (in_word) out.push_back(cur);
      cur.clear();
      in_word = false;
    } else if (c == '#' && !in_word) {
      break;  // a comment runs to the end of the line
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < line.size()) {
      cur += line[++i];
      in_word = true;
    } else {
      cur += c;
      in_word = true;
    }
  }
  if (quote != 0) throw CliError(kExitUsage, std::string("unterminated ") + quote + " quote");
  if (in_word) out.push_back(cur);
  return out;
}

namespace {

bool parse_uint(const std::string& s, uint32_t* v) {
  if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos)
    return false;
  *v = static_cast<uint32_t>(std::stoul(s));
  return true;
}

}  // namespace

std::vector<uint32_t> parse_index_list(const std::string& s, const std::string& what,
                                       uint32_t limit) {
  std::set<uint32_t> seen;
  for (const std::string& part : split(s, ',')) {
    uint32_t a = 0, b = 0;
    size_t dash = part.find('-');
    bool ok = dash == std::string::npos ? parse_uint(part, &a) && parse_uint(part, &b)
                                        : parse_uint(part.substr(0, dash), &a) &&
                                              parse_uint(part.substr(dash + 1), &b) && a <= b;
    if (!ok)
      throw CliError(kExitUsage, what + " '" + s + "' must be indexes and ranges such as 0,2-3");
    if (b >= 64) throw CliError(kExitUsage, what + " '" + s + "': node indexes are 0 to 63");
    if (limit != UINT32_MAX && b >= limit)
      throw CliError(kExitUsage,
                     what + " '" + s + "' names node " + std::to_string(b) +
                         ", but the cluster has " + std::to_string(limit) +
                         (limit == 0 ? " nodes" : " (0-" + std::to_string(limit - 1) + ")"));
    for (uint32_t k = a; k <= b; ++k) seen.insert(k);
  }
  return std::vector<uint32_t>(seen.begin(), seen.end());
}

std::vector<uint32_t> parse_count_list(const std::string& s, const std::string& what, uint32_t min,
                                       uint32_t max) {
  std::vector<uint32_t> out;
  for (const std::string& part : split(s, ',')) {
    uint32_t v = 0;
    if (!parse_uint(part, &v) || v < min || v > max)
      throw CliError(kExitUsage, what + " '" + s + "' must be numbers from " + std::to_string(min) +
                                     " to " + std::to_string(max) + " separated by commas");
    out.push_back(v);
  }
  return out;
}

namespace {

// Finds the one conversion; returns its position and length, or npos.
size_t find_conversion(const std::string& p, size_t* len) {
  size_t found = std::string::npos;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] != '%') continue;
    if (i + 1 < p.size() && p[i + 1] == '%') {
      ++i;
      continue;
    }
    size_t j = i + 1;
    if (j < p.size() && p[j] == '0') {
      ++j;
      if (j < p.size() && p[j] >= '1' && p[j] <= '9')
        ++j;
      else
        j = p.size();
    }
    if (j >= p.size() || p[j] != 'd' || found != std::string::npos)
      throw CliError(kExitUsage, "'" + p + "' must hold exactly one %d or %0Nd (and %% for a %)");
    found = i;
    *len = j + 1 - i;
    i = j;
  }
  return found;
}

}  // namespace

bool has_frame_pattern(const std::string& path) {
  size_t len = 0;
  return find_conversion(path, &len) != std::string::npos;
}

std::string frame_path(const std::string& pattern, uint32_t k) {
  size_t len = 0;
  size_t at = find_conversion(pattern, &len);
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (i == at) {
      int width = len == 4 ? pattern[i + 2] - '0' : 0;
      std::string num = std::to_string(k);
      if (static_cast<int>(num.size()) < width) num.insert(0, width - num.size(), '0');
      out += num;
      i += len - 1;
    } else if (pattern[i] == '%' && i + 1 < pattern.size() && pattern[i + 1] == '%') {
      out += '%';
      ++i;
    } else {
      out += pattern[i];
    }
  }
  return out;
}

bool stderr_is_tty() {
  return isatty(STDERR_FILENO) != 0;
}

Region parse_region(const std::string& s) {
  auto parts = split(s, ',');
  if (parts.size() != 4)
    throw CliError(kExitUsage, "--region needs four numbers X0,X1,Y0,Y1, got " +
                                   std::to_string(parts.size()) + " in '" + s + "'");
  Coord c[4];
  const char* names[4] = {"X0", "X1", "Y0", "Y1"};
  for (int i = 0; i < 4; ++i) {
    if (!parse_decimal(parts[i].data(), parts[i].size(), &c[i]))
      throw CliError(kExitUsage, std::string("--region ") + names[i] + " '" + parts[i] +
                                     "' is not a decimal number within (-16, 16)");
    if (fx::cmp(c[i], fx::from_int<4>(-kRegionLimit)) < 0 ||
        fx::cmp(c[i], fx::from_int<4>(kRegionLimit)) > 0)
      throw CliError(kExitUsage, std::string("--region ") + names[i] + " '" + parts[i] +
                                     "' is outside the allowed [-4, 4]");
  }
  if (fx::cmp(c[0], c[1]) >= 0)
    throw CliError(kExitUsage, "--region needs X0 < X1, got X0=" + parts[0] + " X1=" + parts[1]);
  if (fx::cmp(c[2], c[3]) >= 0)
    throw CliError(kExitUsage, "--region needs Y0 < Y1, got Y0=" + parts[2] + " Y1=" + parts[3]);
  return Region{c[0], c[1], c[2], c[3]};
}

void parse_size(const std::string& s, uint16_t* w, uint16_t* h, uint32_t max_side) {
  auto parts = split(s, 'x');
  auto bad = [&]() {
    return CliError(kExitUsage, "--size '" + s + "' must be WxH with each side 1 to " +
                                    std::to_string(max_side));
  };
  if (parts.size() != 2) throw bad();
  uint32_t v[2];
  for (int i = 0; i < 2; ++i) {
    const std::string& p = parts[i];
    if (p.empty() || p.size() > 6 || p.find_first_not_of("0123456789") != std::string::npos)
      throw bad();
    v[i] = static_cast<uint32_t>(std::stoul(p));
    if (v[i] < 1 || v[i] > max_side) throw bad();
  }
  *w = static_cast<uint16_t>(v[0]);
  *h = static_cast<uint16_t>(v[1]);
}

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

void check_writable(const std::string& path) {
  std::string dir = dir_of(path);
  if (access(dir.c_str(), W_OK) != 0)
    throw CliError(kExitUsage, "cannot write '" + path + "': directory '" + dir + "' " +
                                   (errno == ENOENT ? "does not exist" : std::strerror(errno)));
}

void write_atomic(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::string tmp = path + ".tmp-XXXXXX";
  std::vector<char> name(tmp.begin(), tmp.end());
  name.push_back('\0');
  int fd = mkstemp(name.data());
  if (fd < 0) throw CliError(kExitFailure, "cannot write '" + path + "': " + std::strerror(errno));
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + off, bytes.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      ::unlink(name.data());
      throw CliError(kExitFailure, "cannot write '" + path + "': " + std::strerror(e));
    }
    off += static_cast<size_t>(n);
  }
  fchmod(fd, 0644);
  if (::close(fd) != 0 || ::rename(name.data(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(name.data());
    throw CliError(kExitFailure, "cannot write '" + path + "': " + std::strerror(e));
  }
}

}  // namespace picocray::cli
