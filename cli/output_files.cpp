#include "output_files.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "errors.h"

namespace picocray::cli {

namespace {

std::string dir_of(const std::string& path) {
  size_t p = path.rfind('/');
  if (p == std::string::npos) return ".";
  if (p == 0) return "/";
  return path.substr(0, p);
}

std::string base_of(const std::string& path) {
  size_t p = path.rfind('/');
  return p == std::string::npos ? path : path.substr(p + 1);
}

// The file a path names once symlinks are followed; for a dangling symlink, the path of the file
// writing it would create.
std::string resolve(const std::string& path) {
  // A device, FIFO or pipe is opened by the name given: /dev/stdout's link leads to
  // /proc/self/fd/1, whose own "link" (pipe:[N]) names no file, though opening it works.
  struct stat named {};
  if (::stat(path.c_str(), &named) == 0 && !S_ISREG(named.st_mode) && !S_ISDIR(named.st_mode))
    return path;
  std::string p = path;
  for (int depth = 0; depth < 40; ++depth) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return p;
    char buf[PATH_MAX];
    ssize_t n = ::readlink(p.c_str(), buf, sizeof buf - 1);
    if (n <= 0) return p;
    std::string target(buf, static_cast<size_t>(n));
    p = target[0] == '/' ? target : dir_of(p) + "/" + target;
  }
  return p;
}

// The same file, however it is named: the canonical path of the file, or of its directory.
std::string identity(const std::string& path) {
  if (is_stdout(path)) return "-";
  std::string r = resolve(path);
  char buf[PATH_MAX];
  if (::realpath(r.c_str(), buf) != nullptr) return buf;
  if (::realpath(dir_of(r).c_str(), buf) != nullptr) return std::string(buf) + "/" + base_of(r);
  return r;
}

mode_t process_umask() {
  static const mode_t m = [] {
    mode_t u = ::umask(022);
    ::umask(u);
    return u;
  }();
  return m;
}

CliError write_error(const std::string& path, int e) {
  return CliError(kExitFailure, "cannot write '" + path + "': " + std::strerror(e));
}

void write_all(int fd, const std::vector<uint8_t>& bytes, const std::string& path) {
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + off, bytes.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw write_error(path, n < 0 ? errno : EIO);
    off += static_cast<size_t>(n);
  }
}

}  // namespace

void check_output(const std::string& path, const std::string& what) {
  if (is_stdout(path)) return;
  const std::string name = what.empty() ? "'" + path + "'" : what + " '" + path + "'";
  if (path.empty()) throw CliError(kExitUsage, (what.empty() ? "an output" : what) + " is empty");
  const std::string r = resolve(path);
  if (base_of(r).size() > NAME_MAX)
    throw CliError(kExitUsage, "cannot write " + name + ": the file name is longer than " +
                                   std::to_string(NAME_MAX) + " bytes");
  struct stat st {};
  if (::stat(r.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode))
      throw CliError(kExitUsage, "cannot write " + name + ": it is a directory");
    if (::access(r.c_str(), W_OK) != 0)
      throw CliError(kExitUsage, "cannot write " + name + ": " + std::strerror(errno));
    if (!S_ISREG(st.st_mode)) return;  // a device or FIFO: written directly
  }
  const std::string dir = dir_of(r);
  struct stat ds {};
  if (::stat(dir.c_str(), &ds) != 0)
    throw CliError(kExitUsage, "cannot write " + name + ": directory '" + dir + "' " +
                                   (errno == ENOENT ? "does not exist" : std::strerror(errno)));
  if (!S_ISDIR(ds.st_mode))
    throw CliError(kExitUsage, "cannot write " + name + ": '" + dir + "' is not a directory");
  if (::access(dir.c_str(), W_OK) != 0)
    throw CliError(kExitUsage,
                   "cannot write " + name + ": directory '" + dir + "': " + std::strerror(errno));
}

void OutputSet::add(const std::string& path, const std::string& what) {
  std::string id = identity(path);
  if (ids_.insert(id).second) {
    taken_.emplace_back(id, what);
    return;
  }
  for (const auto& [other, other_what] : taken_)
    if (other == id)
      throw CliError(kExitUsage,
                     is_stdout(path)
                         ? other_what + " and " + what + " both write to stdout"
                         : other_what + " and " + what + " name the same file '" + path + "'");
}

void write_output(const std::string& path, const std::vector<uint8_t>& bytes) {
  if (is_stdout(path)) {
    std::fflush(stdout);
    write_all(STDOUT_FILENO, bytes, "stdout");
    return;
  }
  const std::string r = resolve(path);
  struct stat st {};
  const bool exists = ::stat(r.c_str(), &st) == 0;
  if (exists && !S_ISREG(st.st_mode)) {
    // A device or FIFO: there is nothing to replace, and renaming over it would destroy it.
    int fd = ::open(r.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) throw write_error(path, errno);
    try {
      write_all(fd, bytes, path);
    } catch (...) {
      ::close(fd);
      throw;
    }
    if (::close(fd) != 0) throw write_error(path, errno);
    return;
  }
  // The temporary name: hidden, beside the target, and never longer than NAME_MAX.
  const std::string base = base_of(r);
  std::string tmp = dir_of(r) + "/." + base.substr(0, NAME_MAX - 8) + ".XXXXXX";
  std::vector<char> name(tmp.begin(), tmp.end());
  name.push_back('\0');
  int fd = mkstemp(name.data());
  if (fd < 0) throw write_error(path, errno);
  try {
    write_all(fd, bytes, path);
    if (exists) {
      if (geteuid() == 0 && fchown(fd, st.st_uid, st.st_gid) != 0) {
      }  // best effort: the file keeps its owner when root replaces it
      if (fchmod(fd, st.st_mode & 07777) != 0) throw write_error(path, errno);
    } else if (fchmod(fd, 0666 & ~process_umask()) != 0) {
      throw write_error(path, errno);
    }
  } catch (...) {
    ::close(fd);
    ::unlink(name.data());
    throw;
  }
  if (::close(fd) != 0 || ::rename(name.data(), r.c_str()) != 0) {
    int e = errno;
    ::unlink(name.data());
    throw write_error(path, e);
  }
}

void remove_output(const std::string& path) {
  if (is_stdout(path)) return;
  const std::string r = resolve(path);
  struct stat st {};
  if (::lstat(r.c_str(), &st) == 0 && S_ISREG(st.st_mode)) ::unlink(r.c_str());
}

void check_stdout() {
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    int e = errno;
    std::clearerr(stdout);
    throw StdoutError(kExitFailure,
                      std::string("cannot write to stdout: ") + std::strerror(e != 0 ? e : EIO));
  }
}

bool output_exists(const std::string& path) {
  if (is_stdout(path)) return false;
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
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

}  // namespace picocray::cli
