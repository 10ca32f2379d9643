// Every LOG line the controller writes, built here so that a test can hold each template, at its
// longest values, to kLogTextMax (tests/core/log_text_test.cpp).
#pragma once
#include <cstdint>

#include "picocray/text.h"

namespace picocray::log_text {

// Why a node was lost.
enum class Loss : uint8_t { no_answer, stalled, reset };
constexpr Loss kLosses[] = {Loss::no_answer, Loss::stalled, Loss::reset};

inline const char* loss_reason(Loss why) {
  switch (why) {
    case Loss::no_answer: return "does not answer";
    case Loss::stalled: return "stopped computing (no progress for 3 s)";
    case Loss::reset: return "was reset";
  }
  return "failed";
}

// "node at 0x10 does not answer: lost; its 2 tiles go to others; no secondary left: ..."
inline void node_lost(Text& t, uint8_t address, Loss why, uint8_t handed_back, bool alone) {
  t.add("node at 0x").hex2(address).add(" ").add(loss_reason(why)).add(": lost");
  if (handed_back > 0)
    t.add("; its ")
        .num(handed_back)
        .add(handed_back == 1 ? " tile goes" : " tiles go")
        .add(" to others");
  if (alone) t.add("; no secondary left: the controller finishes the job alone");
}

inline void node_back(Text& t, uint8_t address) {
  t.add("node at 0x").hex2(address).add(" answers again: it takes tiles again");
}

constexpr const char* kNobodyTakes =
    "no node the job may use took a tile for 3 s: the controller computes too";

inline void notes_dropped(Text& t, uint32_t dropped) {
  t.add("(").num(dropped).add(" more controller messages were dropped)");
}

}  // namespace picocray::log_text
