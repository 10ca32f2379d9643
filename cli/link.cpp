#include "link.h"

#include <fcntl.h>
#include <libserialport.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "emu_port.h"
#include "errors.h"
#include "parse.h"
#include "rfc2217.h"
#include "usb_reset.h"

namespace picocray::cli {

int connect_tcp(const std::string& spec, const std::string& scheme) {
  std::string hp = spec.substr(scheme.size());
  size_t colon = hp.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= hp.size())
    throw CliError(kExitUsage, "--port '" + spec + "' must be " + scheme + "HOST:PORT");
  std::string host = hp.substr(0, colon), port = hp.substr(colon + 1);
  port = std::to_string(parse_whole(port, "--port '" + spec + "': the TCP port", 1, 65535));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int g = getaddrinfo(host.c_str(), port.c_str(), &hints, &res);
  if (g != 0) throw CliError(kExitPort, "cannot resolve " + spec + ": " + gai_strerror(g));
  int fd = -1;
  std::string err = "no address";
  for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    // Connect with a bound wait, so a missing rig fails fast.
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    int c = ::connect(fd, a->ai_addr, a->ai_addrlen);
    if (c != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, 3000) == 1) {
        int so = 0;
        socklen_t sl = sizeof so;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &sl);
        c = so == 0 ? 0 : -1;
        errno = so;
      } else {
        errno = ETIMEDOUT;
      }
    }
    if (c == 0) break;
    err = std::strerror(errno);
    ::close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd < 0) throw CliError(kExitPort, "cannot connect to " + spec + ": " + err);
  return fd;
}

namespace {

class SimLink final : public Link {
 public:
  explicit SimLink(const sim::Config& cfg) : sim_(cfg) {}
  void write(const uint8_t* data, size_t len) override {
    if (!stalled_) sim_.host_write(data, len);
  }
  size_t read(uint8_t* buf, size_t cap, int timeout_ms) override {
    // --fault link-cut=BYTES or link-stall=BYTES: after that many bytes from the device,
    // mid-frame or not, the link ends (cut), or stays open and silent both ways (stall).
    const sim::Faults::LinkEnd end = sim_.config().faults.link_end();
    if (end.at > 0 && read_total_ >= end.at) {
      if (!end.stalls) throw CliError(kExitPort, name() + ": the link was cut (--fault link-cut)");
      stalled_ = true;
      // The read's wait passes with nothing, as on a silent cable.
      std::this_thread::sleep_for(std::chrono::milliseconds(std::max(timeout_ms, 0)));
      return 0;
    }
    if (end.at > 0) cap = static_cast<size_t>(std::min<uint64_t>(cap, end.at - read_total_));
    size_t n = sim_.host_read(buf, cap, timeout_ms);
    read_total_ += n;
    // The simulated controller rebooted: its USB link dropped, as a real one would.
    uint32_t resets = sim_.link_resets();
    if (n == 0 && resets != resets_seen_) {
      resets_seen_ = resets;
      throw CliError(kExitPort, name() + ": the controller rebooted and the USB link dropped");
    }
    return n;
  }
  std::string name() const override { return "sim:" + std::to_string(sim_.config().nodes); }
  sim::Simulator* simulator() override { return &sim_; }
  uint64_t paused_ns() override { return sim_.paused_ns(); }

 private:
  sim::Simulator sim_;
  uint32_t resets_seen_ = 0;
  uint64_t read_total_ = 0;
  bool stalled_ = false;
};

// A file descriptor link: termios devices libserialport refuses (pseudo-terminals) and TCP.
class FdLink final : public Link {
 public:
  FdLink(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  ~FdLink() override { ::close(fd_); }
  void write(const uint8_t* data, size_t len) override {
    size_t off = 0;
    while (off < len) {
      ssize_t n = ::write(fd_, data + off, len - off);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
        pollfd p{fd_, POLLOUT, 0};
        ::poll(&p, 1, 100);
        continue;
      }
      if (n <= 0 && errno == EPIPE && name_.rfind("tcp://", 0) == 0)
        throw CliError(kExitPort, name_ + ": the server closed the connection");
      if (n <= 0) throw CliError(kExitPort, name_ + ": write failed: " + std::strerror(errno));
      off += static_cast<size_t>(n);
    }
  }
  size_t read(uint8_t* buf, size_t cap, int timeout_ms) override {
    pollfd p{fd_, POLLIN, 0};
    int r = ::poll(&p, 1, timeout_ms);
    if (r < 0 && errno == EINTR) return 0;
    if (r <= 0) return 0;
    ssize_t n = ::read(fd_, buf, cap);
    if (n == 0)
      throw CliError(kExitPort, name_ + (name_.rfind("tcp://", 0) == 0
                                             ? ": the server closed the connection (its link "
                                               "failed, or, if it is `picocray sim`, another "
                                               "client holds it)"
                                             : ": the device closed the connection"));
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return 0;
      throw CliError(kExitPort, name_ + ": read failed: " + std::strerror(errno));
    }
    return static_cast<size_t>(n);
  }
  std::string name() const override { return name_; }

 private:
  int fd_;
  std::string name_;
};

class SerialLink final : public Link {
 public:
  SerialLink(sp_port* port, std::string name) : port_(port), name_(std::move(name)) {}
  ~SerialLink() override {
    sp_close(port_);
    sp_free_port(port_);
  }
  void write(const uint8_t* data, size_t len) override {
    sp_return r = sp_blocking_write(port_, data, len, 2000);
    if (r < 0 || static_cast<size_t>(r) != len)
      throw CliError(kExitPort, name_ + ": write failed (device gone?)");
  }
  size_t read(uint8_t* buf, size_t cap, int timeout_ms) override {
    // Blocks for the first byte, then takes whatever else has arrived.
    sp_return r = sp_blocking_read_next(port_, buf, cap, static_cast<unsigned>(timeout_ms));
    if (r < 0) throw CliError(kExitPort, name_ + ": read failed (device gone?)");
    return static_cast<size_t>(r);
  }
  std::string name() const override { return name_; }
  bool usb_bootsel(UsbBootsel how) override {
    if (how == UsbBootsel::baud_1200) {
      // The CDC driver sends SET_LINE_CODING as the rate is set; the board answers it.
      if (sp_set_baudrate(port_, 1200) != SP_OK)
        throw CliError(kExitPort, name_ + ": cannot set 1200 baud");
      return true;
    }
    int bus = 0, address = 0;
    if (sp_get_port_transport(port_) != SP_TRANSPORT_USB ||
        sp_get_port_usb_bus_address(port_, &bus, &address) != SP_OK)
      throw CliError(kExitPort, name_ + ": not a USB serial port: no reset interface to ask");
    usb_reset_interface_bootsel(bus, address, name_);
    return true;
  }

 private:
  sp_port* port_;
  std::string name_;
};

std::unique_ptr<Link> open_termios(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw CliError(kExitPort, "cannot open " + path + ": " + std::strerror(errno));
  termios t{};
  if (tcgetattr(fd, &t) == 0) {
    cfmakeraw(&t);
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    tcsetattr(fd, TCSANOW, &t);
    tcflush(fd, TCIFLUSH);  // bytes meant for an earlier session are not ours
  }
  return std::make_unique<FdLink>(fd, path);
}

std::unique_ptr<Link> open_tcp(const std::string& spec) {
  return std::make_unique<FdLink>(connect_tcp(spec, "tcp://"), spec);
}

bool claims_sim(const std::string& port) {
  return port == "sim" || port.rfind("sim:", 0) == 0;
}

std::unique_ptr<Link> open_sim(const std::string& port, const SimOptions& opt) {
  sim::Config cfg;
  cfg.nodes = opt.nodes;
  cfg.seed = opt.seed;
  cfg.model = opt.model;
  cfg.faults = opt.faults;
  cfg.host_present = !opt.no_host;
  if (port.size() > 3) {
    try {
      cfg.nodes = static_cast<uint32_t>(parse_whole(port.substr(4), "--port", 1, 64));
    } catch (const CliError&) {
      throw CliError(kExitUsage, "--port '" + port + "': sim:N takes N from 1 to 64");
    }
  }
  try {
    return std::make_unique<SimLink>(cfg);
  } catch (const std::invalid_argument& e) {
    throw CliError(kExitUsage, std::string("--fault: ") + e.what());
  }
}

bool claims_tcp(const std::string& port) {
  return port.rfind("tcp://", 0) == 0;
}

std::unique_ptr<Link> open_device(const std::string& port) {
  struct stat st {};
  if (::stat(port.c_str(), &st) != 0)
    throw CliError(kExitPort, "cannot open " + port + ": " + std::strerror(errno));
  sp_port* p = nullptr;
  if (sp_get_port_by_name(port.c_str(), &p) == SP_OK && sp_open(p, SP_MODE_READ_WRITE) == SP_OK) {
    sp_set_baudrate(p, 115200);  // USB CDC ignores the rate; anything but 1200 (the reset rate)
    sp_set_bits(p, 8);
    sp_set_parity(p, SP_PARITY_NONE);
    sp_set_stopbits(p, 1);
    sp_set_flowcontrol(p, SP_FLOWCONTROL_NONE);
    return std::make_unique<SerialLink>(p, port);
  }
  if (p != nullptr) sp_free_port(p);
  // libserialport refuses pseudo-terminals (socat, virtual ports): plain termios takes them.
  if (S_ISCHR(st.st_mode)) return open_termios(port);
  throw CliError(kExitPort, "cannot open " + port + ": not a serial device");
}

}  // namespace

const std::vector<PortKind>& port_kinds() {
  static const std::vector<PortKind> kinds = {
      {"sim, sim:N", claims_sim, open_sim, true},
      {"emu, emu:N", is_emu_port,
       [](const std::string& p, const SimOptions&) { return open_emu(p); }, false},
      {"tcp://HOST:PORT", claims_tcp,
       [](const std::string& p, const SimOptions&) { return open_tcp(p); }, false},
      {"rfc2217://HOST:PORT", is_rfc2217_port,
       [](const std::string& p, const SimOptions&) { return open_rfc2217(p); }, false},
  };
  return kinds;
}

bool in_process_sim(const std::string& port) {
  for (const PortKind& k : port_kinds())
    if (k.claims(port)) return k.simulated_in_process;
  return false;
}

std::unique_ptr<Link> open_link(const std::string& port, const SimOptions& opt) {
  if (port.empty() || port == "auto")
    throw CliError(kExitPort, "no port given: use --port PATH, tcp://HOST:PORT or sim");
  const PortKind* kind = nullptr;
  for (const PortKind& k : port_kinds())
    if (k.claims(port)) kind = &k;
  if (opt.faults_given && (kind == nullptr || !kind->simulated_in_process))
    throw CliError(kExitUsage,
                   "--fault applies to a simulated cluster (--port sim or sim:N, or "
                   "`picocray sim --fault ...`), not to --port '" +
                       port + "'");
  return kind != nullptr ? kind->open(port, opt) : open_device(port);
}

}  // namespace picocray::cli
