#include "picocray/node.h"

namespace picocray {

void Node::start() {
  role_ = board_.gpio.read(hal::Line::role) ? Role::secondary : Role::controller;
  if (role_ == Role::controller)
    controller_.start();
  else
    secondary_.start();
}

uint64_t Node::poll() {
  return role_ == Role::controller ? controller_.poll() : secondary_.poll();
}

}  // namespace picocray
