// `picocray sim`'s two ways to be reached: a TCP listener or a pseudo-terminal.
#include <fcntl.h>
#include <netdb.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "errors.h"
#include "parse.h"
#include "sim_server.h"

namespace picocray::cli {

namespace {

std::string errno_text() {
  return std::strerror(errno);
}

}  // namespace

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

}  // namespace picocray::cli
