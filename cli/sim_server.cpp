#include "sim_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "errors.h"
#include "interrupt.h"
#include "picocray/protocol.h"

namespace picocray::cli {

namespace {

// Frames the server itself sends (CANCELs to the controller, notes to the client) use seq 0, which
// clients never use for a request.
constexpr uint16_t kServerSeq = 0;
// While the cluster's clock stands still for a tile computed on the host, the client hears from
// the server at least this often (wall time), so that its --timeout counts only silence.
constexpr auto kKeepAlive = std::chrono::milliseconds(250);
constexpr char kKeepAliveText[] =
    "picocray sim: computing a tile on the host; the modelled clock waits";

std::string errno_text() {
  return std::strerror(errno);
}

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

SimServer::SimServer(const sim::Config& cfg, double idle_timeout_s)
    : sim_(cfg), idle_timeout_(static_cast<int64_t>(idle_timeout_s * 1000)) {}

SimServer::~SimServer() {
  stop_ = true;
  if (pump_.joinable()) pump_.join();
  if (client_fd_ >= 0 && client_fd_ != pty_master_) ::close(client_fd_);
  for (const auto& r : refused_) ::close(r->fd);
  if (listen_fd_ >= 0) ::close(listen_fd_);
  if (pty_master_ >= 0) ::close(pty_master_);
  if (pty_slave_ >= 0) ::close(pty_slave_);
  if (!pty_link_.empty()) ::unlink(pty_link_.c_str());
}

bool SimServer::write_client(const uint8_t* data, size_t len) {
  size_t off = 0;
  // A TCP client that stops reading for 2 s loses the rest, as a USB host that stops polling
  // would; a pseudo-terminal nobody has open fills at once, so it waits only briefly.
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(client_fd_ == pty_master_ ? 100 : 2000);
  while (off < len) {
    ssize_t n = client_fd_ == pty_master_
                    ? ::write(client_fd_, data + off, len - off)
                    : ::send(client_fd_, data + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      off += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return false;
    if (std::chrono::steady_clock::now() > deadline || stop_) return client_fd_ == pty_master_;
    pollfd p{client_fd_, POLLOUT, 0};
    ::poll(&p, 1, 50);
  }
  return true;
}

void SimServer::pump() {
  std::vector<uint8_t> buf(4096);
  while (!stop_) {
    size_t n = sim_.host_read(buf.data(), buf.size(), 100);
    if (n == 0) {
      keep_alive();
      continue;
    }
    last_activity_ms_ = steady_ms();
    watch_out_.feed(buf.data(), n);
    Frame f;
    while (watch_out_.next(&f)) {
      if (render_open_ && f.seq == open_render_ &&
          (f.type == static_cast<uint8_t>(MsgType::ok) ||
           f.type == static_cast<uint8_t>(MsgType::error)))
        render_open_ = false;
    }
    std::lock_guard<std::mutex> lk(mu_);
    if (client_fd_ < 0 || link_cut_ || link_stalled_)
      continue;  // nobody listening: the bytes are gone, as on an unplugged cable
    forward(buf.data(), n);
  }
}

void SimServer::forward(const uint8_t* data, size_t len) {
  to_client_.insert(to_client_.end(), data, data + len);
  // Up to the last delimiter; what follows it waits for the rest of its frame (unless it is more
  // than a frame can be: noise, sent as it is).
  size_t cut = to_client_.size();
  while (cut > 0 && to_client_[cut - 1] != 0) --cut;
  if (cut == 0 && to_client_.size() > kMaxFrameEncoded) cut = to_client_.size();
  if (cut == 0) return;
  // --fault link-cut=BYTES or link-stall=BYTES: the client gets that many bytes in all, then the
  // link is gone for good (cut), or stays open and silent both ways (stall).
  const sim::Faults::LinkEnd end = sim_.config().faults.link_end();
  const bool ending = end.at > 0 && sent_total_ + cut >= end.at;
  if (ending) cut = static_cast<size_t>(end.at - sent_total_);
  at_delimiter_ = cut == 0 || to_client_[cut - 1] == 0;
  const bool ok = cut == 0 || write_client(to_client_.data(), cut);
  sent_total_ += cut;
  if (ending) {
    to_client_.clear();
    if (end.stalls) {
      spdlog::warn("the link goes silent after {} bytes (--fault link-stall)", end.at);
      link_stalled_ = true;
    } else {
      spdlog::warn("cutting the link after {} bytes (--fault link-cut)", end.at);
      link_cut_ = true;
      if (client_fd_ != pty_master_) ::shutdown(client_fd_, SHUT_RDWR);
    }
    return;
  }
  to_client_.erase(to_client_.begin(), to_client_.begin() + static_cast<long>(cut));
  last_out_ = std::chrono::steady_clock::now();
  paused_at_out_ = sim_.paused_ns();
  if (!ok && client_fd_ != pty_master_)
    ::shutdown(client_fd_, SHUT_RDWR);  // the main loop sees it close and cleans up
}

// The cluster's clock stands still while the host computes a tile, and the client would hear
// nothing for that wall time: a LOG (seq 0, unsolicited, protocol section 3) between frames says
// the server is at work. A cluster that is silent for any other reason gets no such help.
void SimServer::keep_alive() {
  std::lock_guard<std::mutex> lk(mu_);
  const auto now = std::chrono::steady_clock::now();
  if (client_fd_ < 0 || link_cut_ || link_stalled_ || !at_delimiter_ ||
      now - last_out_ < kKeepAlive)
    return;
  const uint64_t paused = sim_.paused_ns();
  const auto paused_since = std::chrono::nanoseconds(paused - paused_at_out_);
  if (paused_since < kKeepAlive / 2) return;
  uint8_t body[96];
  Writer w(body, sizeof body);
  w.u8(static_cast<uint8_t>(LogLevel::info));
  w.str(kKeepAliveText);
  FrameHeader h;
  h.type = static_cast<uint8_t>(MsgType::log);
  h.seq = kServerSeq;
  uint8_t out[160];
  const size_t n = frame_encode(h, body, w.size(), out, sizeof out);
  if (!write_client(out, n) && client_fd_ != pty_master_) ::shutdown(client_fd_, SHUT_RDWR);
  last_out_ = now;
  paused_at_out_ = paused;
}

void SimServer::cancel_open_render() {
  if (!render_open_) return;
  uint8_t body[2];
  Writer w(body, sizeof body);
  w.u16(open_render_);
  FrameHeader h;
  h.type = static_cast<uint8_t>(MsgType::cancel);
  h.seq = kServerSeq;
  uint8_t out[64];
  size_t n = frame_encode(h, body, sizeof body, out, sizeof out);
  sim_.host_write(out, n);
}

void SimServer::drop_client(const char* why) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    ::close(client_fd_);
    client_fd_ = -1;
    to_client_.clear();  // half a frame for a client that has gone
    at_delimiter_ = true;
  }
  spdlog::info("client disconnected ({})", why);
  // Whatever the client left half-sent is closed off, and its render stopped.
  uint8_t zero = 0;
  sim_.host_write(&zero, 1);
  watch_.discard();
  cur_.clear();
  if (render_open_) {
    spdlog::info("the client left during a render: cancelling it");
    cancel_open_render();
  }
}

void SimServer::accept_client() {
  sockaddr_storage ss{};
  socklen_t sl = sizeof ss;
  int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&ss), &sl, SOCK_CLOEXEC);
  if (fd < 0) return;
  if (link_cut_) {
    ::close(fd);  // the link stays cut
    return;
  }
  char host[NI_MAXHOST], port[NI_MAXSERV];
  getnameinfo(reinterpret_cast<sockaddr*>(&ss), sl, host, sizeof host, port, sizeof port,
              NI_NUMERICHOST | NI_NUMERICSERV);
  // The last client may have hung up a moment ago, with bytes still queued before its end: take
  // what it sent (bounded) before deciding whether the new one has to be turned away.
  for (int chunks = 0; client_fd_ >= 0 && chunks < 8192; ++chunks) {
    pollfd p{client_fd_, POLLIN, 0};
    if (::poll(&p, 1, 0) != 1) break;
    from_client(client_fd_);
  }
  std::lock_guard<std::mutex> lk(mu_);
  if (client_fd_ >= 0) {
    refuse(fd, std::string(host) + ":" + port);
    return;
  }
  // Bytes meant for the last client are not the new one's.
  std::vector<uint8_t> junk(4096);
  while (sim_.host_read(junk.data(), junk.size(), 0) > 0) {
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, 1 /* TCP_NODELAY */, &one, sizeof one);
  client_fd_ = fd;
  last_activity_ms_ = steady_ms();
  spdlog::info("client connected from {}:{}", host, port);
}

void SimServer::refuse(int fd, const std::string& who) {
  spdlog::warn("refused {}: a client is already connected (one at a time)", who);
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  auto r = std::make_unique<Refused>();
  r->fd = fd;
  r->who = who;
  r->until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  refused_.push_back(std::move(r));
}

void SimServer::serve_refused(size_t k) {
  Refused& r = *refused_[k];
  uint8_t buf[4096];
  ssize_t n = ::read(r.fd, buf, sizeof buf);
  bool done = n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR);
  if (n > 0) {
    r.reader.feed(buf, static_cast<size_t>(n));
    Frame f;
    if (r.reader.next(&f)) {
      // The answer to its first request (its HELLO): busy, and why, in the protocol's own terms.
      static const char kText[] = "busy, one client at a time: another client is connected";
      uint8_t body[80];
      Writer w(body, sizeof body);
      ErrorReply e;
      e.code = ErrorCode::busy;
      std::snprintf(e.text, sizeof e.text, "%s", kText);
      encode(w, e);
      FrameHeader h;
      h.type = static_cast<uint8_t>(MsgType::error);
      h.seq = f.seq;
      uint8_t out[128];
      size_t len = frame_encode(h, body, w.size(), out, sizeof out);
      if (::send(r.fd, out, len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
        spdlog::debug("busy answer to {}: {}", r.who, errno_text());
      done = true;
    }
  }
  if (done) {
    ::close(r.fd);
    refused_.erase(refused_.begin() + static_cast<long>(k));
  }
}

void SimServer::drop_idle_client() {
  if (idle_timeout_.count() <= 0 || client_fd_ < 0 || client_fd_ == pty_master_ || render_open_)
    return;
  if (steady_ms() - last_activity_ms_ < idle_timeout_.count()) return;
  spdlog::warn("dropping the client: idle for {:.0f} s", idle_timeout_.count() / 1000.0);
  drop_client("idle");
}

void SimServer::from_client(int fd) {
  uint8_t buf[4096];
  ssize_t n = ::read(fd, buf, sizeof buf);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR && errno != EIO)) {
    if (fd != pty_master_) drop_client(n == 0 ? "closed" : std::strerror(errno));
    return;
  }
  if (n <= 0 || link_cut_ || link_stalled_) return;
  last_activity_ms_ = steady_ms();
  // Frames go to the device whole, after a look at what they ask: a HELLO while a render is
  // still running is a new client after one that vanished (a pseudo-terminal shows no hang-up),
  // so that render is cancelled and the new client's frames wait until it has stopped.
  for (ssize_t i = 0; i < n; ++i) {
    cur_.push_back(buf[i]);
    if (buf[i] != 0 && cur_.size() < kMaxFrameEncoded) continue;
    watch_.feed(cur_.data(), cur_.size());
    Frame f;
    while (watch_.next(&f)) {
      if (f.type == static_cast<uint8_t>(MsgType::hello) && render_open_ && !holding_) {
        spdlog::info("a new session while the last one's render runs: cancelling that render");
        cancel_open_render();
        holding_ = true;
        hold_until_ = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      }
      if (f.type == static_cast<uint8_t>(MsgType::render)) {
        open_render_ = f.seq;
        render_open_ = true;
      }
    }
    if (holding_)
      held_.insert(held_.end(), cur_.begin(), cur_.end());
    else
      sim_.host_write(cur_.data(), cur_.size());
    cur_.clear();
  }
}

void SimServer::run() {
  pump_ = std::thread([this] { pump(); });
  while (!interrupted()) {
    drop_idle_client();
    const auto now = std::chrono::steady_clock::now();
    for (size_t k = refused_.size(); k-- > 0;) {
      if (now < refused_[k]->until) continue;
      ::close(refused_[k]->fd);
      refused_.erase(refused_.begin() + static_cast<long>(k));
    }
    std::vector<pollfd> fds(2 + refused_.size());
    nfds_t nfds = 0;
    if (holding_ && (!render_open_ || std::chrono::steady_clock::now() > hold_until_)) {
      holding_ = false;
      sim_.host_write(held_.data(), held_.size());
      held_.clear();
    }
    const int client = client_fd_;  // only this thread changes it
    if (listen_fd_ >= 0) fds[nfds++] = pollfd{listen_fd_, POLLIN, 0};
    if (client >= 0) fds[nfds++] = pollfd{client, POLLIN, 0};
    const nfds_t first_refused = nfds;
    for (const auto& rf : refused_) fds[nfds++] = pollfd{rf->fd, POLLIN, 0};
    int r = ::poll(fds.data(), nfds, holding_ ? 10 : 200);
    if (r <= 0) continue;  // timeout or EINTR: look at the flag
    // The client first: one that has just hung up is gone before the next one is let in.
    for (nfds_t i = nfds; i-- > first_refused;)
      if (fds[i].revents != 0) serve_refused(i - first_refused);
    for (nfds_t i = first_refused; i-- > 0;) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == listen_fd_)
        accept_client();
      else
        from_client(fds[i].fd);
    }
  }
  stop_ = true;
  pump_.join();
}

}  // namespace picocray::cli
