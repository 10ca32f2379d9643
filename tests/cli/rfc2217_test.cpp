// rfc2217:// links: the telnet codec byte by byte, and the link against a small RFC 2217 server
// in this process (negotiation, the line settings, 0xFF escaped both ways, the 1200-baud touch).
#include "rfc2217.h"

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

#include "errors.h"
#include "link.h"

using namespace picocray::cli;
using namespace picocray::cli::telnet;
using Bytes = std::vector<uint8_t>;

TEST_CASE("rfc2217: the codec escapes 0xFF, reads IAC IAC as data, skips commands") {
  CHECK(TelnetCodec::escape(Bytes{1, 0xFF, 0, 0xFF}.data(), 4) ==
        Bytes{1, 0xFF, 0xFF, 0, 0xFF, 0xFF});
  TelnetCodec c;
  Bytes data, reply;
  const Bytes in = {7, kIac, kIac, 0, kIac, 241 /* NOP */, 9, kIac};
  c.feed(in.data(), in.size(), &data, &reply);
  CHECK(data == Bytes{7, 0xFF, 0, 9});
  const Bytes rest = {kIac, 5};  // the IAC split across two reads
  c.feed(rest.data(), rest.size(), &data, &reply);
  CHECK(data == Bytes{7, 0xFF, 0, 9, 0xFF, 5});
  CHECK(reply.empty());
}

TEST_CASE("rfc2217: the codec's negotiation agrees once, refuses the rest, never loops") {
  TelnetCodec c;
  const Bytes open = c.opening();
  CHECK(open == Bytes{kIac, kWill, kBinary, kIac, kDo, kBinary, kIac, kWill, kSuppressGoAhead, kIac,
                      kDo, kSuppressGoAhead, kIac, kWill, kComPort});
  Bytes data, reply;
  // The answers to what we asked: no reply owed.
  const Bytes agree = {kIac, kDo, kBinary, kIac, kWill, kBinary, kIac, kDo, kComPort};
  c.feed(agree.data(), agree.size(), &data, &reply);
  CHECK(reply.empty());
  CHECK(c.com_port_state() == TelnetCodec::Option::yes);
  CHECK(c.binary_in());
  // ECHO offered, and asked of us: refused both ways; the same again: refused again, no more.
  const Bytes echo = {kIac, kWill, 1, kIac, kDo, 1};
  c.feed(echo.data(), echo.size(), &data, &reply);
  CHECK(reply == Bytes{kIac, kDont, 1, kIac, kWont, 1});
  // The baud rate's answer, a value holding 0xFF (escaped inside the subnegotiation).
  reply.clear();
  const Bytes baud = {kIac, kSb, kComPort, 101, 0, 0, kIac, kIac, 0x10, kIac, kSe, 42};
  c.feed(baud.data(), baud.size(), &data, &reply);
  CHECK(c.server_baud() == 0xFF10u);
  CHECK(c.baud_answers() == 1);
  CHECK(data.back() == 42);
  CHECK(reply.empty());
  CHECK(TelnetCodec::set_baudrate(1200) ==
        Bytes{kIac, kSb, kComPort, kSetBaudrate, 0, 0, 4, 0xB0, kIac, kSe});
}

namespace {

// A one-client RFC 2217 server: agrees to the options, answers every SET-BAUDRATE with the rate,
// records the rates and the data it got (unescaped), and sends `greeting` (escaped) first.
struct FakeServer {
  int listen_fd = -1;
  uint16_t port = 0;
  std::vector<uint32_t> rates;
  Bytes got;
  Bytes greeting;
  bool refuse = false;  // DONT COM-PORT-OPTION instead
  std::thread thread;

  FakeServer() {
    listen_fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listen_fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(listen_fd, 1) == 0);
    socklen_t len = sizeof a;
    ::getsockname(listen_fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  ~FakeServer() {
    if (thread.joinable()) thread.join();
    ::close(listen_fd);
  }
  std::string address() const { return "rfc2217://127.0.0.1:" + std::to_string(port); }

  // Serves until the client closes, or (when stop_at_1200) right after it sets 1200 baud.
  void serve(bool stop_at_1200) {
    thread = std::thread([this, stop_at_1200] {
      int fd = ::accept(listen_fd, nullptr, nullptr);
      Bytes hello = {kIac,    kDo, kBinary, kIac, kWill, kBinary, kIac, refuse ? kDont : kDo,
                     kComPort};
      ::send(fd, hello.data(), hello.size(), MSG_NOSIGNAL);
      Bytes g = TelnetCodec::escape(greeting.data(), greeting.size());
      ::send(fd, g.data(), g.size(), MSG_NOSIGNAL);
      Bytes in;
      for (;;) {
        uint8_t buf[512];
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 5000) != 1) break;  // a guard against a hung test, not a wait
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) break;
        in.insert(in.end(), buf, buf + n);
        bool stop = false;
        size_t i = 0;
        for (; i < in.size(); ++i) {
          if (in[i] != kIac) {
            got.push_back(in[i]);
            continue;
          }
          if (i + 1 >= in.size()) break;
          const uint8_t v = in[i + 1];
          if (v == kIac) {
            got.push_back(kIac);
            ++i;
          } else if (v >= kWill && v <= kDont) {
            if (i + 2 >= in.size()) break;
            i += 2;
          } else if (v == kSb) {
            size_t se = i + 2;
            while (se + 1 < in.size() && !(in[se] == kIac && in[se + 1] == kSe)) ++se;
            if (se + 1 >= in.size()) break;
            if (in[i + 2] == kComPort && in[i + 3] == kSetBaudrate && se - i == 8) {
              const uint32_t r = static_cast<uint32_t>(in[i + 4]) << 24 | in[i + 5] << 16 |
                                 in[i + 6] << 8 | in[i + 7];
              rates.push_back(r);
              Bytes ans = TelnetCodec::com_port(kServerOffset + kSetBaudrate,
                                                {in[i + 4], in[i + 5], in[i + 6], in[i + 7]});
              ::send(fd, ans.data(), ans.size(), MSG_NOSIGNAL);
              stop = stop_at_1200 && r == 1200;
            }
            i = se + 1;
          } else {
            ++i;
          }
        }
        in.erase(in.begin(), in.begin() + static_cast<long>(std::min(i, in.size())));
        if (stop) break;
      }
      ::close(fd);
    });
  }
};

}  // namespace

TEST_CASE("rfc2217: the link negotiates, sets 115200 baud, and escapes 0xFF both ways") {
  FakeServer srv;
  srv.greeting = {0x00, 0xFF, 0x42, 0xFF, 0xFF, 0x00};
  srv.serve(false);
  {
    auto link = open_link(srv.address(), SimOptions{});
    CHECK(link->name() == srv.address());
    Bytes back;
    while (back.size() < srv.greeting.size()) {
      uint8_t buf[64];
      const size_t n = link->read(buf, sizeof buf, 2000);
      REQUIRE_MESSAGE(n > 0, "the greeting stopped after " << back.size() << " bytes");
      back.insert(back.end(), buf, buf + n);
    }
    CHECK(back == srv.greeting);
    const Bytes out = {1, 0xFF, 2, 0xFF, 0xFF, 0};
    link->write(out.data(), out.size());
  }  // closed: the server ends
  srv.thread.join();
  CHECK(srv.rates == std::vector<uint32_t>{115200});
  CHECK(srv.got == Bytes{1, 0xFF, 2, 0xFF, 0xFF, 0});
}

TEST_CASE("rfc2217: the 1200-baud touch (reset --bootsel --via baud) goes through the link") {
  FakeServer srv;
  srv.serve(true);
  auto link = open_link(srv.address(), SimOptions{});
  CHECK(link->usb_bootsel(UsbBootsel::baud_1200));
  CHECK_FALSE(link->usb_bootsel(UsbBootsel::reset_interface));  // no USB device to ask
  srv.thread.join();
  CHECK(srv.rates == std::vector<uint32_t>{115200, 1200});
  // The server has gone, as a board that took the touch leaves its port.
  uint8_t buf[16];
  CHECK_THROWS_AS(link->read(buf, sizeof buf, 2000), CliError);
}

TEST_CASE("rfc2217: a server that refuses COM-PORT-OPTION is exit 3 with one clear line") {
  FakeServer srv;
  srv.refuse = true;
  srv.serve(false);
  try {
    open_link(srv.address(), SimOptions{});
    FAIL("the link opened");
  } catch (const CliError& e) {
    CHECK(e.exit_code == picocray::cli::kExitPort);
    CHECK(std::string(e.what()).find("refused RFC 2217") != std::string::npos);
  }
  srv.thread.join();
}
