// One board's firmware: reads the role line at start-up and runs as the controller (GPIO22 low)
// or as a secondary. Every board runs the same image. A board's main is:
//
//   picocray::Node node(board);
//   node.start();
//   for (;;) node.poll();
#pragma once
#include <cstdint>

#include "picocray/controller.h"
#include "picocray/hal.h"
#include "picocray/protocol.h"
#include "picocray/secondary.h"

namespace picocray {

class Node {
 public:
  explicit Node(hal::Board& board) : board_(board), controller_(board), secondary_(board) {}
  void start();
  // One pass of the main loop; returns the time it next needs to run (timing.h).
  uint64_t poll();
  Role role() const { return role_; }
  Controller& controller() { return controller_; }
  Secondary& secondary() { return secondary_; }

 private:
  hal::Board& board_;
  Role role_ = Role::secondary;
  Controller controller_;
  Secondary secondary_;
};

}  // namespace picocray
