// `picocray sim`: a simulated cluster served as a device would be, over TCP or a pseudo-terminal,
// so that any client (this one with --port tcp://... or a path, or another language's) can talk
// to it. The cluster runs for the server's whole life; clients come and go, one at a time: a
// second TCP client gets an ERROR `busy` answer to its first request, and a client that sends
// nothing for the idle time (with no render of its running) is dropped.
#pragma once
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "frame_reader.h"
#include "picocray/sim.h"

namespace picocray::cli {

class SimServer {
 public:
  // idle_timeout_s: drop a TCP client silent that long with no render running; 0: never.
  SimServer(const sim::Config& cfg, double idle_timeout_s);
  ~SimServer();
  SimServer(const SimServer&) = delete;
  SimServer& operator=(const SimServer&) = delete;

  // Binds and listens; "HOST:PORT" with port 0 picks a free one. Returns tcp://HOST:PORT as bound.
  std::string listen_tcp(const std::string& host_port);
  // Opens a pseudo-terminal in raw mode and puts a symlink to its slave at link_path (replacing a
  // stale symlink, never anything else). Returns link_path.
  std::string open_pty(const std::string& link_path);
  // Serves until SIGINT or SIGTERM.
  void run();
  const sim::Config& config() const { return sim_.config(); }

 private:
  void pump();                                    // device -> current client
  void forward(const uint8_t* data, size_t len);  // with mu_ held
  void keep_alive();
  void accept_client();
  void from_client(int fd);  // client -> device
  void drop_client(const char* why);
  void cancel_open_render();
  bool write_client(const uint8_t* data, size_t len);
  void refuse(int fd, const std::string& who);
  void serve_refused(size_t k);
  void drop_idle_client();

  sim::Simulator sim_;
  int listen_fd_ = -1;
  int pty_master_ = -1, pty_slave_ = -1;
  std::string pty_link_;
  std::mutex mu_;       // guards client_fd_ against the pump
  int client_fd_ = -1;  // the TCP client, or the pty master
  std::atomic<bool> stop_{false};
  std::thread pump_;
  // Requests in the client's byte stream, so that a client that leaves mid-render does not
  // leave the cluster busy for the next one.
  FrameReader watch_;          // client -> device
  FrameReader watch_out_;      // device -> client (pump thread)
  std::vector<uint8_t> cur_;   // the client's frame in progress, forwarded whole
  std::vector<uint8_t> held_;  // frames held back until the last client's render has stopped
  bool holding_ = false;
  std::chrono::steady_clock::time_point hold_until_{};
  std::atomic<uint16_t> open_render_{0};
  std::atomic<bool> render_open_{false};
  // Clients turned away: each gets an ERROR busy for its first request, or is closed after 2 s.
  struct Refused {
    int fd;
    std::string who;
    FrameReader reader;
    std::chrono::steady_clock::time_point until;
  };
  std::vector<std::unique_ptr<Refused>> refused_;
  std::chrono::milliseconds idle_timeout_;
  std::atomic<int64_t> last_activity_ms_{0};  // steady clock, the client's or the device's bytes
  // Device -> client, guarded by mu_: bytes go on up to the last frame delimiter, so that between
  // frames the server can say it is computing while the cluster's clock stands still.
  std::vector<uint8_t> to_client_;  // after the last delimiter sent
  bool at_delimiter_ = true;        // the last byte the client got was a 0x00
  std::chrono::steady_clock::time_point last_out_{};
  uint64_t paused_at_out_ = 0;  // sim_.paused_ns() then
  uint64_t sent_total_ = 0;     // bytes the clients got, for --fault link-cut/-stall
  std::atomic<bool> link_cut_{false};
  std::atomic<bool> link_stalled_{false};  // --fault link-stall: open, silent both ways
};

}  // namespace picocray::cli
