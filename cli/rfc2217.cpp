#include "rfc2217.h"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "errors.h"

namespace picocray::cli {

using namespace telnet;

std::vector<uint8_t> TelnetCodec::opening() {
  us_[kBinary] = us_[kSuppressGoAhead] = us_[kComPort] = Option::asked;
  him_[kBinary] = him_[kSuppressGoAhead] = Option::asked;
  return {kIac, kWill, kBinary,          kIac, kDo,   kBinary, kIac, kWill, kSuppressGoAhead,
          kIac, kDo,   kSuppressGoAhead, kIac, kWill, kComPort};
}

std::vector<uint8_t> TelnetCodec::escape(const uint8_t* data, size_t len) {
  std::vector<uint8_t> out;
  out.reserve(len + len / 64 + 4);
  for (size_t i = 0; i < len; ++i) {
    out.push_back(data[i]);
    if (data[i] == kIac) out.push_back(kIac);
  }
  return out;
}

std::vector<uint8_t> TelnetCodec::com_port(uint8_t command, const std::vector<uint8_t>& value) {
  std::vector<uint8_t> out = {kIac, kSb, kComPort, command};
  std::vector<uint8_t> v = escape(value.data(), value.size());
  out.insert(out.end(), v.begin(), v.end());
  out.push_back(kIac);
  out.push_back(kSe);
  return out;
}

std::vector<uint8_t> TelnetCodec::set_baudrate(uint32_t baud) {
  return com_port(kSetBaudrate, {static_cast<uint8_t>(baud >> 24), static_cast<uint8_t>(baud >> 16),
                                 static_cast<uint8_t>(baud >> 8), static_cast<uint8_t>(baud)});
}

// The options we take: binary both ways, no go-ahead, and (ours only) the serial control.
// Anything else is refused. A request that agrees with what is already so gets no answer, so two
// sides never loop (RFC 1143's rule, in its simple form).
void TelnetCodec::option(uint8_t verb, uint8_t opt, std::vector<uint8_t>* reply) {
  auto send = [&](uint8_t v) {
    reply->push_back(kIac);
    reply->push_back(v);
    reply->push_back(opt);
  };
  const bool ours = opt == kBinary || opt == kSuppressGoAhead || opt == kComPort;
  const bool his = opt == kBinary || opt == kSuppressGoAhead;
  switch (verb) {
    case kDo:
      if (!ours) return send(kWont);
      if (us_[opt] == Option::no) send(kWill);
      us_[opt] = Option::yes;
      return;
    case kDont:
      if (us_[opt] == Option::yes) send(kWont);
      us_[opt] = Option::no;
      return;
    case kWill:
      if (!his) return send(kDont);
      if (him_[opt] == Option::no) send(kDo);
      him_[opt] = Option::yes;
      return;
    case kWont:
      if (him_[opt] == Option::yes) send(kDont);
      him_[opt] = Option::no;
      return;
    default: return;
  }
}

void TelnetCodec::subnegotiation() {
  // The server's answers to COM-PORT-OPTION; only the baud rate's matters here.
  if (sb_.size() >= 6 && sb_[0] == kComPort && sb_[1] == kServerOffset + kSetBaudrate) {
    server_baud_ = static_cast<uint32_t>(sb_[2]) << 24 | static_cast<uint32_t>(sb_[3]) << 16 |
                   static_cast<uint32_t>(sb_[4]) << 8 | sb_[5];
    ++baud_answers_;
  }
  sb_.clear();
}

void TelnetCodec::feed(const uint8_t* in, size_t len, std::vector<uint8_t>* data,
                       std::vector<uint8_t>* reply) {
  for (size_t i = 0; i < len; ++i) {
    const uint8_t b = in[i];
    switch (state_) {
      case State::data:
        if (b == kIac)
          state_ = State::iac;
        else
          data->push_back(b);
        break;
      case State::iac:
        state_ = State::data;
        if (b == kIac) {
          data->push_back(kIac);
        } else if (b == kDo || b == kDont || b == kWill || b == kWont) {
          verb_ = b;
          state_ = State::verb;
        } else if (b == kSb) {
          sb_.clear();
          state_ = State::sb;
        }  // NOP, GA, DM and the rest carry nothing for a byte stream
        break;
      case State::verb:
        option(verb_, b, reply);
        state_ = State::data;
        break;
      case State::sb:
        if (b == kIac)
          state_ = State::sb_iac;
        else if (sb_.size() < 256)
          sb_.push_back(b);
        break;
      case State::sb_iac:
        if (b == kIac) {
          if (sb_.size() < 256) sb_.push_back(kIac);
          state_ = State::sb;
        } else {
          if (b == kSe) subnegotiation();
          state_ = State::data;  // SE, or a broken subnegotiation: back to data either way
        }
        break;
    }
  }
}

bool is_rfc2217_port(const std::string& port) {
  return port.rfind("rfc2217://", 0) == 0;
}

namespace {

constexpr int kNegotiationMs = 3000;

class Rfc2217Link final : public Link {
 public:
  Rfc2217Link(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  ~Rfc2217Link() override { ::close(fd_); }

  void start() {
    send_raw(codec_.opening());
    wait_for([&] { return codec_.com_port_state() != TelnetCodec::Option::asked; }, kNegotiationMs);
    if (codec_.com_port_state() == TelnetCodec::Option::asked)
      throw CliError(kExitPort, name_ +
                                    ": no telnet answer within 3 s (a raw TCP server? use "
                                    "tcp://HOST:PORT for that)");
    if (codec_.com_port_state() == TelnetCodec::Option::no)
      throw CliError(kExitPort, name_ +
                                    ": the telnet server refused RFC 2217 (COM-PORT-OPTION); "
                                    "for plain telnet or raw TCP use tcp://HOST:PORT");
    // The line a controller's USB CDC port expects; its rate means nothing but must not be 1200.
    if (!set_baud(115200))
      spdlog::warn("{}: the server did not confirm 115200 baud; going on", name_);
    send_raw(TelnetCodec::com_port(kSetDatasize, {8}));
    send_raw(TelnetCodec::com_port(kSetParity, {1}));    // none
    send_raw(TelnetCodec::com_port(kSetStopsize, {1}));  // one
    send_raw(TelnetCodec::com_port(kSetControl, {1}));   // no flow control
    if (!codec_.binary_in())
      spdlog::debug("{}: the server did not agree to binary transmission", name_);
  }

  void write(const uint8_t* data, size_t len) override { send_raw(TelnetCodec::escape(data, len)); }

  size_t read(uint8_t* buf, size_t cap, int timeout_ms) override {
    if (pending_.empty()) pull(timeout_ms, [&] { return !pending_.empty(); });
    const size_t n = std::min(cap, pending_.size());
    std::copy(pending_.begin(), pending_.begin() + static_cast<long>(n), buf);
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<long>(n));
    return n;
  }

  std::string name() const override { return name_; }

  // The 1200-baud touch: the server sets its serial port to 1200 baud, which a Pico's USB CDC
  // port takes as the request to reboot into BOOTSEL. The SDK's reset interface is not reachable.
  bool usb_bootsel(UsbBootsel how) override {
    if (how != UsbBootsel::baud_1200) return false;
    if (!set_baud(1200))
      throw CliError(kExitPort, name_ + ": the server did not confirm 1200 baud");
    return true;
  }

 private:
  bool set_baud(uint32_t baud) {
    const uint32_t before = codec_.baud_answers();
    send_raw(TelnetCodec::set_baudrate(baud));
    wait_for([&] { return codec_.baud_answers() != before; }, kNegotiationMs);
    return codec_.baud_answers() != before && codec_.server_baud() == baud;
  }

  template <typename Done>
  void wait_for(Done done, int timeout_ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!done()) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                            deadline - std::chrono::steady_clock::now())
                            .count();
      if (left <= 0) return;
      pull(static_cast<int>(left), done);
    }
  }

  // Reads what the server sent within timeout_ms (or until done() holds): data to pending_,
  // negotiation answered.
  template <typename Done>
  void pull(int timeout_ms, Done done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                            deadline - std::chrono::steady_clock::now())
                            .count();
      pollfd p{fd_, POLLIN, 0};
      const int r = ::poll(&p, 1, static_cast<int>(std::max<int64_t>(left, 0)));
      if (r < 0 && errno == EINTR) return;
      if (r <= 0) return;
      uint8_t raw[4096];
      const ssize_t n = ::read(fd_, raw, sizeof raw);
      if (n == 0) throw CliError(kExitPort, name_ + ": the server closed the connection");
      if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) continue;
        throw CliError(kExitPort, name_ + ": read failed: " + std::strerror(errno));
      }
      std::vector<uint8_t> reply;
      codec_.feed(raw, static_cast<size_t>(n), &pending_, &reply);
      if (!reply.empty()) send_raw(reply);
      if (done()) return;
    }
  }

  void send_raw(const std::vector<uint8_t>& bytes) {
    size_t off = 0;
    while (off < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
        pollfd p{fd_, POLLOUT, 0};
        ::poll(&p, 1, 100);
        continue;
      }
      if (n <= 0 && errno == EPIPE)
        throw CliError(kExitPort, name_ + ": the server closed the connection");
      if (n <= 0) throw CliError(kExitPort, name_ + ": write failed: " + std::strerror(errno));
      off += static_cast<size_t>(n);
    }
  }

  int fd_;
  std::string name_;
  TelnetCodec codec_;
  std::vector<uint8_t> pending_;  // data from the server not yet read
};

}  // namespace

std::unique_ptr<Link> open_rfc2217(const std::string& spec) {
  auto link = std::make_unique<Rfc2217Link>(connect_tcp(spec, "rfc2217://"), spec);
  link->start();
  return link;
}

}  // namespace picocray::cli
