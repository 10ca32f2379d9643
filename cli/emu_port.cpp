#include "emu_port.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "util.h"

#ifndef PICOCRAY_SOURCE_DIR
#define PICOCRAY_SOURCE_DIR "."
#endif

namespace picocray::cli {

namespace {

// Boot, USB enumeration and the first enrolment run before the emulator says it is listening.
constexpr int kStartupMs = 180000;

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::string emu_dir() {
  if (const char* env = std::getenv("PICOCRAY_EMU_DIR")) return env;
  return std::string(PICOCRAY_SOURCE_DIR) + "/firmware/emu";
}

// The emulator process; ends it (SIGTERM, then SIGKILL) when dropped.
class Child {
 public:
  explicit Child(pid_t pid) : pid_(pid) {}
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    if (pid_ <= 0) return;
    // With --once it ends by itself when its client has gone (printing its session figures).
    for (int i = 0; i < 40; ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 20; ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }

 private:
  pid_t pid_;
};

class EmuLink final : public Link {
 public:
  EmuLink(std::unique_ptr<Child> child, std::unique_ptr<Link> tcp, std::string name)
      : child_(std::move(child)), tcp_(std::move(tcp)), name_(std::move(name)) {}
  ~EmuLink() override {
    tcp_.reset();  // first the connection, so the emulator sees its client go
    child_.reset();
  }
  void write(const uint8_t* data, size_t len) override { tcp_->write(data, len); }
  size_t read(uint8_t* buf, size_t cap, int timeout_ms) override {
    try {
      return tcp_->read(buf, cap, timeout_ms);
    } catch (const CliError& e) {
      throw CliError(e.exit_code, name_ + ": the emulated controller dropped its USB link");
    }
  }
  std::string name() const override { return name_; }

 private:
  std::unique_ptr<Child> child_;
  std::unique_ptr<Link> tcp_;
  std::string name_;
};

pid_t spawn(const std::vector<std::string>& argv, int stdout_fd) {
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) throw CliError(kExitPort, std::string("emu: fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive picocray, however it ends
    if (::getppid() != parent) ::_exit(127);
    ::dup2(stdout_fd, STDOUT_FILENO);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

}  // namespace

bool is_emu_port(const std::string& port) {
  return port == "emu" || port.rfind("emu:", 0) == 0;
}

std::string emu_firmware_path() {
  if (const char* env = std::getenv("PICOCRAY_FIRMWARE"); env != nullptr && *env != '\0')
    return env;
  return std::string(PICOCRAY_SOURCE_DIR) + "/build/firmware-pico/picocray.elf";
}

std::vector<std::string> emu_command(uint32_t secondaries, const std::string& listen, bool once) {
  std::string firmware = emu_firmware_path();
  if (!exists(firmware))
    throw CliError(kExitPort, "emu: no firmware image at " + firmware +
                                  ": build it with scripts/firmware.sh (needs the Pico SDK), or "
                                  "give --firmware PATH or PICOCRAY_FIRMWARE");
  std::string dir = emu_dir();
  if (!exists(dir + "/main.js"))
    throw CliError(kExitPort, "emu: the emulator is missing (" + dir + "/main.js)");
  if (!exists(dir + "/node_modules/rp2040js"))
    throw CliError(kExitPort, "emu: rp2040js is not installed: run `npm ci` in " + dir +
                                  " (scripts/setup.sh does)");
  std::vector<std::string> argv{"node",          dir + "/main.js",
                                "--firmware",    firmware,
                                "--secondaries", std::to_string(secondaries),
                                "--listen",      listen};
  if (once) argv.push_back("--once");
  return argv;
}

std::unique_ptr<Link> open_emu(const std::string& port) {
  uint32_t n = 2;
  if (port.size() > 3) {
    std::string s = port.substr(4);
    if (s.size() != 1 || s[0] < '1' || s[0] > '8')
      throw CliError(kExitUsage, "--port '" + port + "': emu:N takes N from 1 to 8");
    n = static_cast<uint32_t>(s[0] - '0');
  }
  auto argv = emu_command(n, "127.0.0.1:0", /*once=*/true);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    throw CliError(kExitPort, std::string("emu: pipe failed: ") + std::strerror(errno));
  pid_t pid = spawn(argv, fds[1]);
  ::close(fds[1]);
  auto child = std::make_unique<Child>(pid);
  // The emulator's first stdout line: "listening HOST:PORT".
  std::string line;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kStartupMs);
  while (line.find('\n') == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    pollfd p{fds[0], POLLIN, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) break;
    char buf[128];
    ssize_t r = ::read(fds[0], buf, sizeof buf);
    if (r <= 0) break;
    line.append(buf, static_cast<size_t>(r));
  }
  ::close(fds[0]);
  const std::string prefix = "listening ";
  size_t nl = line.find('\n');
  if (line.rfind(prefix, 0) != 0 || nl == std::string::npos)
    throw CliError(kExitPort, "emu: the emulator did not come up (see its messages above)");
  std::string where = line.substr(prefix.size(), nl - prefix.size());
  auto tcp = open_link("tcp://" + where, SimOptions{});
  return std::make_unique<EmuLink>(std::move(child), std::move(tcp), "emu:" + std::to_string(n));
}

}  // namespace picocray::cli
