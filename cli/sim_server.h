// `picocray sim`: a simulated cluster served as a device would be, over TCP or a pseudo-terminal,
// so that any client (this one with --port tcp://... or a path, or another language's) can talk
// to it. The cluster runs for the server's whole life; clients come and go, one at a time.
#pragma once
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "picocray/frame.h"
#include "picocray/sim.h"

namespace picocray::cli {

class SimServer {
 public:
  explicit SimServer(const sim::Config& cfg);
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
  void pump();  // device -> current client
  void accept_client();
  void from_client(int fd);  // client -> device
  void drop_client(const char* why);
  void cancel_open_render();
  bool write_client(const uint8_t* data, size_t len);

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
  FrameDecoder watch_;         // client -> device
  FrameDecoder watch_out_;     // device -> client (pump thread)
  std::vector<uint8_t> cur_;   // the client's frame in progress, forwarded whole
  std::vector<uint8_t> held_;  // frames held back until the last client's render has stopped
  bool holding_ = false;
  std::chrono::steady_clock::time_point hold_until_{};
  std::atomic<uint16_t> open_render_{0};
  std::atomic<bool> render_open_{false};
};

}  // namespace picocray::cli
