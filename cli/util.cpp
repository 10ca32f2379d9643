#include "util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "picocray/decimal.h"

namespace picocray::cli {

namespace {

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

std::string dir_of(const std::string& path) {
  size_t p = path.rfind('/');
  if (p == std::string::npos) return ".";
  if (p == 0) return "/";
  return path.substr(0, p);
}

}  // namespace

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
