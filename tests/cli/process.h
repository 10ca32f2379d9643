// Running the built picocray from a test: a finished run with its exit status and both streams
// kept apart, or a background process whose output is read line by line (no sleeps: a test waits
// on what the process writes).
#pragma once
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace picocray::test {

struct Run {
  int status = -1;       // exit code, or 128 + signal
  std::string out, err;  // stdout, stderr
  double seconds = 0;
};

// A scratch directory, removed with everything in it at the end of the test.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/picocray-cli-test-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::string cmd = "rm -rf '" + path_ + "'";
    if (std::system(cmd.c_str()) != 0) {
    }
  }
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline bool file_exists(const std::string& p) {
  struct stat st {};
  return ::lstat(p.c_str(), &st) == 0;
}

inline std::string read_file(const std::string& p) {
  std::string s;
  int fd = ::open(p.c_str(), O_RDONLY);
  if (fd < 0) return s;
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return s;
}

inline void write_file(const std::string& p, const std::string& text) {
  int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) throw std::runtime_error("cannot write " + p);
  if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    throw std::runtime_error("short write to " + p);
  ::close(fd);
}

// Names in a directory (no . and ..).
std::vector<std::string> list_dir(const std::string& dir);

inline size_t count_lines(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

// A child process with pipes on stdin, stdout and stderr.
class Process {
 public:
  // argv[0] is the program; env entries are NAME=VALUE added to (or replacing in) the environment;
  // cwd empty: the test's own.
  Process(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {},
          const std::string& cwd = "");
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // The next line of stdout / stderr (without the newline); throws after timeout_s (a guard
  // against a hung child, not a way to wait for it) or at end of stream.
  std::string read_out_line(double timeout_s = 20) {
    return read_line(out_fd_, out_buf_, timeout_s);
  }
  std::string read_err_line(double timeout_s = 20) {
    return read_line(err_fd_, err_buf_, timeout_s);
  }
  void write_stdin(const std::string& s);
  void close_stdin();
  void signal(int sig) { ::kill(pid_, sig); }
  // Waits for the end (killing the child after timeout_s); collects what is left of both streams.
  Run wait(double timeout_s = 120);
  pid_t pid() const { return pid_; }

 private:
  std::string read_line(int fd, std::string& buf, double timeout_s);
  pid_t pid_ = -1;
  int in_fd_ = -1, out_fd_ = -1, err_fd_ = -1;
  std::string out_buf_, err_buf_;
  std::chrono::steady_clock::time_point start_;
  bool waited_ = false;
};

// Runs to the end: picocray's exit status and output.
Run run(const std::vector<std::string>& argv, const std::string& stdin_text = "",
        const std::map<std::string, std::string>& env = {}, const std::string& cwd = "");

}  // namespace picocray::test
