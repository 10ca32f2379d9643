#include "interrupt.h"

#include <signal.h>

#include <csignal>

#include "errors.h"

namespace picocray::cli {

namespace {

volatile std::sig_atomic_t g_signal = 0;

void on_signal(int sig) {
  if (g_signal != 0) {
    // The second Ctrl-C: the user does not want to wait for the cancel.
    ::signal(sig, SIG_DFL);
    ::raise(sig);
    return;
  }
  g_signal = sig;
}

}  // namespace

void install_interrupt_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: blocking calls return EINTR and the loop looks at the flag
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  struct sigaction ign {};
  ign.sa_handler = SIG_IGN;
  sigemptyset(&ign.sa_mask);
  sigaction(SIGPIPE, &ign, nullptr);
}

bool interrupted() {
  return g_signal != 0;
}

int interrupt_signal() {
  return static_cast<int>(g_signal);
}

void throw_if_interrupted() {
  if (g_signal != 0)
    throw CliError(kExitInterrupted,
                   std::string("interrupted by ") + (g_signal == SIGTERM ? "SIGTERM" : "SIGINT"));
}

}  // namespace picocray::cli
