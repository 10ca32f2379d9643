#include "emu_port.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "errors.h"
#include "parse.h"

#ifndef PICOCRAY_SOURCE_DIR
#define PICOCRAY_SOURCE_DIR "."
#endif

namespace picocray::cli {

namespace {

// Boot, USB enumeration and the first enrolment run before the emulator says it is listening.
constexpr int kStartupMs = 180000;
// The emulator runs 50 to 120 times slower than boards on a 2-core machine: host timeouts are
// stretched by this much.
constexpr double kTimeScale = 200.0;

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// The CRC the RP2040's boot ROM checks the second-stage boot loader with: CRC-32, polynomial
// 0x04C11DB7, MSB first, initial value 0xFFFFFFFF, no final inversion.
uint32_t boot2_crc(const uint8_t* p, size_t n) {
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; ++i) {
    crc ^= static_cast<uint32_t>(p[i]) << 24;
    for (int b = 0; b < 8; ++b) crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04C11DB7u : crc << 1;
  }
  return crc;
}

uint32_t le32(const std::string& s, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = v << 8 | static_cast<uint8_t>(s[at + static_cast<size_t>(i)]);
  return v;
}

// `n` bytes of `in` from `at`; fewer (or none) past the end.
std::string read_at(std::ifstream& in, uint64_t at, size_t n) {
  std::string out(n, '\0');
  in.clear();
  in.seekg(static_cast<std::streamoff>(at));
  in.read(out.data(), static_cast<std::streamsize>(n));
  out.resize(in ? n : static_cast<size_t>(std::max<std::streamsize>(in.gcount(), 0)));
  return out;
}

// Why `path` cannot boot on an emulated RP2040, or "" when it can: it must be an ARM ELF or a
// raw flash image whose first 256 bytes in flash are a second-stage boot loader with a good
// CRC, as the boot ROM demands (a board with a bad one stays in BOOTSEL). Reads only the
// headers and those 256 bytes.
std::string image_problem(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return "is not a file";
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::string("cannot be read: ") + std::strerror(errno);
  const std::string head = read_at(in, 0, 52);  // an ELF32 header
  if (head.empty()) return "is empty";
  if (head.size() >= 4 && le32(head, 0) == 0x0A324655u)
    return "is a UF2 file: give the .elf that scripts/firmware.sh builds beside it";
  std::string boot2;
  if (head.size() == 52 && head.compare(0, 4,
                                        "\x7f"
                                        "ELF") == 0) {
    const bool arm =
        head[4] == 1 && head[5] == 1 && static_cast<uint8_t>(head[18]) == 40 && head[19] == 0;
    if (!arm) return "is an ELF file, but not a 32-bit ARM one";
    const uint32_t phoff = le32(head, 28);
    const uint32_t phentsize = le32(head, 42) & 0xFFFF, phnum = le32(head, 44) & 0xFFFF;
    for (uint32_t i = 0; i < phnum && boot2.empty(); ++i) {
      const std::string ph = read_at(in, phoff + static_cast<uint64_t>(i) * phentsize, 32);
      if (ph.size() < 32) break;
      if (le32(ph, 0) == 1 && le32(ph, 12) == 0x10000000u && le32(ph, 16) >= 256)
        boot2 = read_at(in, le32(ph, 4), 256);  // PT_LOAD at the start of flash
    }
    if (boot2.empty()) return "loads nothing at the start of flash (0x10000000)";
  } else {
    boot2 = read_at(in, 0, 256);
  }
  if (boot2.size() < 256 ||
      boot2_crc(reinterpret_cast<const uint8_t*>(boot2.data()), 252) != le32(boot2, 252))
    return "has no valid RP2040 second-stage boot loader at the start of flash (its CRC fails, "
           "so the boot ROM would not run it): not an RP2040 image (a pico2 build is for the "
           "RP2350)";
  return "";
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
  bool running() const { return pid_ > 0 && ::waitpid(pid_, nullptr, WNOHANG) == 0; }
  ~Child() {
    if (pid_ <= 0) return;
    // SIGTERM: it reports the session's emulated time and exits.
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 40; ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }

 private:
  pid_t pid_;
};

// The emulator's stdin: USB requests from the host to the controller, one a line (main.js).
class UsbRequests {
 public:
  explicit UsbRequests(int fd) : fd_(fd) {}
  UsbRequests(const UsbRequests&) = delete;
  UsbRequests& operator=(const UsbRequests&) = delete;
  ~UsbRequests() { ::close(fd_); }
  void send(const std::string& line) {
    const std::string text = line + "\n";
    if (::write(fd_, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
      throw CliError(kExitPort, "emu: the emulator takes no USB requests (it has ended?)");
  }

 private:
  int fd_;
};

class EmuLink final : public Link {
 public:
  EmuLink(std::unique_ptr<Link> tcp, std::string name, std::shared_ptr<UsbRequests> usb)
      : tcp_(std::move(tcp)), name_(std::move(name)), usb_(std::move(usb)) {}
  void write(const uint8_t* data, size_t len) override { tcp_->write(data, len); }
  size_t read(uint8_t* buf, size_t cap, int timeout_ms) override {
    try {
      return tcp_->read(buf, cap, timeout_ms);
    } catch (const CliError& e) {
      throw CliError(e.exit_code, name_ + ": the emulated controller dropped its USB link");
    }
  }
  std::string name() const override { return name_; }
  double time_scale() const override { return kTimeScale; }
  bool usb_bootsel(UsbBootsel how) override {
    usb_->send(how == UsbBootsel::baud_1200 ? "usb line-coding 1200"
                                            : "usb reset-interface bootsel");
    return true;
  }

 private:
  std::unique_ptr<Link> tcp_;
  std::string name_;
  std::shared_ptr<UsbRequests> usb_;
};

pid_t spawn(const std::vector<std::string>& argv, int stdin_fd, int stdout_fd) {
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) throw CliError(kExitPort, std::string("emu: fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive picocray, however it ends
    if (::getppid() != parent) ::_exit(127);
    ::dup2(stdin_fd, STDIN_FILENO);
    ::dup2(stdout_fd, STDOUT_FILENO);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

// One emulated cluster per port name for the life of picocray: a command that reopens the port
// (reset --controller waiting for the rebooted controller) finds the same cluster, as it would
// find the same boards. Ended when picocray exits (and by PR_SET_PDEATHSIG however it exits).
struct Running {
  std::unique_ptr<Child> child;
  std::shared_ptr<UsbRequests> usb;
  std::string where;  // HOST:PORT of its host link
};

Running start_cluster(uint32_t n) {
  auto argv = emu_command(n, "127.0.0.1:0", /*once=*/false);
  int fds[2], in[2];
  if (::pipe2(fds, O_CLOEXEC) != 0 || ::pipe2(in, O_CLOEXEC) != 0)
    throw CliError(kExitPort, std::string("emu: pipe failed: ") + std::strerror(errno));
  pid_t pid = spawn(argv, in[0], fds[1]);
  ::close(fds[1]);
  ::close(in[0]);
  auto usb = std::make_shared<UsbRequests>(in[1]);
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
  return Running{std::move(child), std::move(usb), line.substr(prefix.size(), nl - prefix.size())};
}

std::map<std::string, Running>& running_clusters() {
  static std::map<std::string, Running> clusters;
  return clusters;
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
  if (const std::string why = image_problem(firmware); !why.empty())
    throw CliError(kExitPort, "emu: the firmware image " + firmware + " " + why);
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
  // More of the emulator's options (docs/emulator.md), e.g. --watchdog-fault K for a test.
  if (const char* more = std::getenv("PICOCRAY_EMU_OPTIONS")) {
    std::istringstream words(more);
    for (std::string w; words >> w;) argv.push_back(w);
  }
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
  const std::string name = "emu:" + std::to_string(n);
  auto& clusters = running_clusters();
  auto it = clusters.find(name);
  if (it != clusters.end() && !it->second.child->running()) {
    clusters.erase(it);
    it = clusters.end();
  }
  if (it == clusters.end()) it = clusters.emplace(name, start_cluster(n)).first;
  const std::string where = it->second.where;
  auto tcp = open_link("tcp://" + where, SimOptions{});
  return std::make_unique<EmuLink>(std::move(tcp), name, it->second.usb);
}

}  // namespace picocray::cli
