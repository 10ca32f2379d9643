#include "process.h"

#include <dirent.h>

#include <cerrno>

extern char** environ;

namespace picocray::test {

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") out.push_back(n);
  }
  ::closedir(d);
  return out;
}

Process::Process(const std::vector<std::string>& argv,
                 const std::map<std::string, std::string>& env, const std::string& cwd) {
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe failed");
  // The environment: ours, with the test's entries replacing or adding.
  std::map<std::string, std::string> vars;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    size_t eq = kv.find('=');
    if (eq != std::string::npos) vars[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : env) vars[k] = v;
  std::vector<std::string> envs;
  for (const auto& [k, v] : vars) envs.push_back(k + "=" + v);
  std::vector<char*> cargv, cenv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  for (const auto& e : envs) cenv.push_back(const_cast<char*>(e.c_str()));
  cenv.push_back(nullptr);

  start_ = std::chrono::steady_clock::now();
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    // The child starts with default signal handling, whatever the test runner set.
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    ::signal(SIGPIPE, SIG_DFL);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(126);
    ::execve(cargv[0], cargv.data(), cenv.data());
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  in_fd_ = in[1];
  out_fd_ = out[0];
  err_fd_ = err[0];
}

Process::~Process() {
  if (!waited_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  for (int fd : {in_fd_, out_fd_, err_fd_})
    if (fd >= 0) ::close(fd);
}

void Process::write_stdin(const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(in_fd_, s.data() + off, s.size() - off);
    if (n <= 0) throw std::runtime_error("cannot write to the child's stdin");
    off += static_cast<size_t>(n);
  }
}

void Process::close_stdin() {
  if (in_fd_ >= 0) ::close(in_fd_);
  in_fd_ = -1;
}

std::string Process::read_line(int fd, std::string& buf, double timeout_s) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  for (;;) {
    size_t nl = buf.find('\n');
    if (nl != std::string::npos) {
      std::string line = buf.substr(0, nl);
      buf.erase(0, nl + 1);
      return line;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) throw std::runtime_error("no line from the child within the guard time");
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    char tmp[4096];
    ssize_t n = ::read(fd, tmp, sizeof tmp);
    if (n <= 0)
      throw std::runtime_error("the child closed the stream before a whole line: '" + buf + "'");
    buf.append(tmp, static_cast<size_t>(n));
  }
}

Run Process::wait(double timeout_s) {
  close_stdin();
  Run r;
  r.out = out_buf_;
  r.err = err_buf_;
  out_buf_.clear();
  err_buf_.clear();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  bool out_open = true, err_open = true, killed = false;
  while (out_open || err_open) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0 && !killed) {
      ::kill(pid_, SIGKILL);  // a hung child: fail the test rather than hang it
      killed = true;
    }
    pollfd fds[2];
    nfds_t n = 0;
    if (out_open) fds[n++] = pollfd{out_fd_, POLLIN, 0};
    if (err_open) fds[n++] = pollfd{err_fd_, POLLIN, 0};
    int pr = ::poll(fds, n, killed ? 1000 : static_cast<int>(std::max<long long>(left, 1)));
    if (pr <= 0) continue;
    for (nfds_t i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      char tmp[65536];
      ssize_t got = ::read(fds[i].fd, tmp, sizeof tmp);
      bool is_out = fds[i].fd == out_fd_;
      if (got <= 0) {
        (is_out ? out_open : err_open) = false;
        continue;
      }
      (is_out ? r.out : r.err).append(tmp, static_cast<size_t>(got));
    }
  }
  int st = 0;
  ::waitpid(pid_, &st, 0);
  waited_ = true;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  return r;
}

Run run(const std::vector<std::string>& argv, const std::string& stdin_text,
        const std::map<std::string, std::string>& env, const std::string& cwd) {
  Process p(argv, env, cwd);
  if (!stdin_text.empty()) p.write_stdin(stdin_text);
  return p.wait();
}

}  // namespace picocray::test
