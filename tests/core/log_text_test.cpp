// Every LOG template the controller writes, at its longest values, fits kLogTextMax whole.
#include "picocray/log_text.h"

#include <doctest/doctest.h>

#include <string>

#include "picocray/i2c_map.h"
#include "picocray/protocol.h"

using namespace picocray;

namespace {

void check_whole(const Text& t, const char* ends_with) {
  const std::string s = t.str();
  CHECK_MESSAGE(!t.cut(), "cut at " << t.size() << ": " << s);
  const std::string tail = ends_with;
  CHECK_MESSAGE(s.size() >= tail.size(), s);
  if (s.size() >= tail.size()) CHECK(s.substr(s.size() - tail.size()) == tail);
}

}  // namespace

TEST_CASE("log text: every node-lost line, at its longest, is whole") {
  for (log_text::Loss why : log_text::kLosses)
    for (uint8_t handed_back = 0; handed_back <= i2c::kSlots; ++handed_back)
      for (bool alone : {false, true}) {
        Text t;
        log_text::node_lost(t, 0xFF, why, handed_back, alone);
        check_whole(t, alone ? "alone" : handed_back > 0 ? "others" : "lost");
      }
}

TEST_CASE("log text: the other lines are whole too") {
  Text back;
  log_text::node_back(back, 0xFF);
  check_whole(back, "tiles again");
  Text dropped;
  log_text::notes_dropped(dropped, 0xFFFFFFFFu);
  check_whole(dropped, "dropped)");
  Text nobody;
  nobody.add(log_text::kNobodyTakes);
  check_whole(nobody, "computes too");
}

TEST_CASE("log text: a text that does not fit says so") {
  BasicText<8> t;
  t.add("12345").num(123456);
  CHECK(t.cut());
  CHECK(std::string(t.str()) == "1234512");
}
