#include "sim_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "errors.h"
#include "interrupt.h"
#include "parse.h"
#include "picocray/protocol.h"

namespace picocray::cli {

namespace {

// Frames the server itself sends to the controller use seq 0, which clients never do.
constexpr uint16_t kServerSeq = 0;

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

std::string SimServer::listen_tcp(const std::string& host_port) {
  size_t colon = host_port.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= host_port.size())
    throw CliError(kExitUsage, "--listen '" + host_port + "' must be HOST:PORT");
  std::string host = host_port.substr(0, colon), port = host_port.substr(colon + 1);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  port = std::to_string(parse_whole(port, "--listen '" + host_port + "': the port", 0, 65535));
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  int g = getaddrinfo(host.c_str(), port.c_str(), &hints, &res);
  if (g != 0) throw CliError(kExitUsage, "--listen '" + host_port + "': " + gai_strerror(g));
  std::string err = "no address";
  for (addrinfo* a = res; a != nullptr && listen_fd_ < 0; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) == 0 && ::listen(fd, 4) == 0) {
      listen_fd_ = fd;
    } else {
      err = errno_text();
      ::close(fd);
    }
  }
  freeaddrinfo(res);
  if (listen_fd_ < 0) throw CliError(kExitPort, "cannot listen on " + host_port + ": " + err);
  sockaddr_storage ss{};
  socklen_t sl = sizeof ss;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&ss), &sl);
  char hostbuf[NI_MAXHOST], portbuf[NI_MAXSERV];
  getnameinfo(reinterpret_cast<sockaddr*>(&ss), sl, hostbuf, sizeof hostbuf, portbuf,
              sizeof portbuf, NI_NUMERICHOST | NI_NUMERICSERV);
  std::string h = hostbuf;
  if (h.find(':') != std::string::npos) h = "[" + h + "]";
  bool loopback = h == "127.0.0.1" || h == "[::1]";
  if (!loopback)
    spdlog::warn("listening on {}: anyone who can reach it can drive the simulated cluster", h);
  return "tcp://" + h + ":" + portbuf;
}

std::string SimServer::open_pty(const std::string& link_path) {
  struct stat st {};
  if (::lstat(link_path.c_str(), &st) == 0) {
    if (!S_ISLNK(st.st_mode))
      throw CliError(kExitUsage,
                     "--pty '" + link_path + "' exists and is not a symlink; not replacing it");
    struct stat target {};
    if (::stat(link_path.c_str(), &target) == 0)
      throw CliError(kExitUsage, "--pty '" + link_path +
                                     "' is a symlink to a file that exists; only a stale "
                                     "(dangling) symlink is replaced");
    ::unlink(link_path.c_str());  // a stale link from an earlier server
  }
  pty_master_ = posix_openpt(O_RDWR | O_NOCTTY);
  if (pty_master_ < 0 || grantpt(pty_master_) != 0 || unlockpt(pty_master_) != 0)
    throw CliError(kExitPort, "cannot create a pseudo-terminal: " + errno_text());
  const char* slave = ptsname(pty_master_);
  if (slave == nullptr)
    throw CliError(kExitPort, "cannot name the pseudo-terminal: " + errno_text());
  std::string slave_path = slave;
  // Holding the slave open keeps the master readable between clients (no EIO when none is open).
  pty_slave_ = ::open(slave_path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (pty_slave_ < 0) throw CliError(kExitPort, "cannot open " + slave_path + ": " + errno_text());
  termios t{};
  tcgetattr(pty_slave_, &t);
  cfmakeraw(&t);  // no echo, no line editing: a byte stream like a USB CDC port
  tcsetattr(pty_slave_, TCSANOW, &t);
  fcntl(pty_master_, F_SETFL, fcntl(pty_master_, F_GETFL) | O_NONBLOCK);
  fcntl(pty_master_, F_SETFD, FD_CLOEXEC);
  if (::symlink(slave_path.c_str(), link_path.c_str()) != 0)
    throw CliError(kExitPort, "cannot create the symlink " + link_path + ": " + errno_text());
  pty_link_ = link_path;
  client_fd_ = pty_master_;  // the pseudo-terminal is always there
  return link_path;
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
    if (n == 0) continue;
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
    if (client_fd_ < 0) continue;  // nobody listening: the bytes are gone, as on an unplugged cable
    if (!write_client(buf.data(), n) && client_fd_ != pty_master_) {
      ::shutdown(client_fd_, SHUT_RDWR);  // the main loop sees it close and cleans up
    }
  }
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
  if (n <= 0) return;
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
