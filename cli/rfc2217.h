// rfc2217://HOST:PORT: a serial port exported over telnet with RFC 2217 serial control (the
// COM-PORT-OPTION, telnet option 44), as ser2net's `telnet(rfc2217)` accepter and labgrid's
// NetworkSerialPort serve it. The link negotiates binary transmission and the option, sets the
// line (115200 8N1, no flow control), escapes 0xFF (IAC) both ways, and sets the baud rate on
// request: the 1200-baud touch that puts a Pico into BOOTSEL works across the network.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "link.h"

namespace picocray::cli {

namespace telnet {
constexpr uint8_t kIac = 255, kDont = 254, kDo = 253, kWont = 252, kWill = 251, kSb = 250,
                  kSe = 240;
constexpr uint8_t kBinary = 0, kSuppressGoAhead = 3, kComPort = 44;
// COM-PORT-OPTION commands, client to server; the server answers with the same plus 100.
constexpr uint8_t kSetBaudrate = 1, kSetDatasize = 2, kSetParity = 3, kSetStopsize = 4,
                  kSetControl = 5;
constexpr uint8_t kServerOffset = 100;
}  // namespace telnet

// The telnet side of the byte stream, without the socket: bytes from the server in, data and
// the answers owed to the server out; data to the server escaped. Tested alone, byte by byte.
class TelnetCodec {
 public:
  // The client's opening: WILL/DO BINARY, WILL/DO SUPPRESS-GO-AHEAD, WILL COM-PORT-OPTION.
  std::vector<uint8_t> opening();
  // Feeds bytes from the server: the data among them is appended to *data, replies to its
  // negotiation to *reply.
  void feed(const uint8_t* in, size_t len, std::vector<uint8_t>* data, std::vector<uint8_t>* reply);
  // Data for the server, 0xFF doubled.
  static std::vector<uint8_t> escape(const uint8_t* data, size_t len);
  // A COM-PORT-OPTION subnegotiation: command and value (big-endian, as RFC 2217 has it).
  static std::vector<uint8_t> com_port(uint8_t command, const std::vector<uint8_t>& value);
  static std::vector<uint8_t> set_baudrate(uint32_t baud);

  enum class Option { no, yes, asked };
  // COM-PORT-OPTION as agreed: asked until the server has said DO or DONT.
  Option com_port_state() const { return us_[telnet::kComPort]; }
  bool binary_in() const { return him_[telnet::kBinary] == Option::yes; }
  // The baud rate the server last confirmed (SET-BAUDRATE's answer), 0 before any.
  uint32_t server_baud() const { return server_baud_; }
  uint32_t baud_answers() const { return baud_answers_; }

 private:
  void option(uint8_t verb, uint8_t opt, std::vector<uint8_t>* reply);
  void subnegotiation();
  enum class State { data, iac, verb, sb, sb_iac } state_ = State::data;
  uint8_t verb_ = 0;
  std::vector<uint8_t> sb_;
  Option us_[256] = {};   // options we perform (WILL)
  Option him_[256] = {};  // options the server performs (DO)
  uint32_t server_baud_ = 0;
  uint32_t baud_answers_ = 0;
};

bool is_rfc2217_port(const std::string& port);
// Connects, negotiates (at most 3 s for the server's answer to COM-PORT-OPTION) and sets the line.
// CliError(kExitPort) when the server does not speak telnet or refuses RFC 2217.
std::unique_ptr<Link> open_rfc2217(const std::string& spec);

}  // namespace picocray::cli
