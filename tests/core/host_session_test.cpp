// The host session alone, over the fake board's link.
#include "picocray/host_session.h"

#include <doctest/doctest.h>

#include <string>

#include "fake_board.h"
#include "rig.h"

using namespace picocray_test;

namespace {

std::vector<uint8_t> frame(MsgType type, uint16_t seq, const std::vector<uint8_t>& body) {
  FrameHeader h;
  h.type = static_cast<uint8_t>(type);
  h.seq = seq;
  std::vector<uint8_t> out(kMaxFrameEncoded);
  out.resize(frame_encode(h, body.data(), body.size(), out.data(), out.size()));
  return out;
}

}  // namespace

TEST_CASE("host session: a request arriving a byte at a time is read once whole") {
  FakeBoard b(true);
  HostSession s(b);
  s.start();
  auto f = frame(MsgType::ping, 42, {1, 2, 3});
  for (size_t i = 0; i + 1 < f.size(); ++i) {
    b.to_device.push_back(f[i]);
    CHECK_FALSE_MESSAGE(s.next_request(), "a request before its last byte, at byte " << i);
  }
  b.to_device.push_back(f.back());
  REQUIRE(s.next_request());
  CHECK(s.header().seq == 42);
  CHECK(s.body().remaining() == 3);
}

TEST_CASE("host session: no request is read while an answer is still going out") {
  FakeBoard b(true);
  HostSession s(b);
  s.start();
  b.link_budget = 3;  // the link takes 3 bytes, then is full
  REQUIRE(s.send(MsgType::ok, 1, nullptr, 0));
  CHECK(s.output_busy());
  auto f = frame(MsgType::ping, 2, {});
  b.to_device.insert(b.to_device.end(), f.begin(), f.end());
  CHECK_FALSE(s.next_request());
  CHECK_FALSE_MESSAGE(s.send(MsgType::ok, 2, nullptr, 0), "a second frame over the first");
  b.link_budget = SIZE_MAX;
  CHECK(s.flush());
  REQUIRE(s.next_request());
  CHECK(s.header().seq == 2);
  CHECK(s.frames_out() == 1);
}

TEST_CASE("host session: LOG lines wait in order, beyond kNotes the last says how many dropped") {
  FakeBoard b(true);
  HostSession s(b);
  s.start();
  const int extra = 3;
  for (int i = 0; i < HostSession::kNotes + extra; ++i)
    s.note(LogLevel::info, ("line " + std::to_string(i)).c_str());
  for (int i = 0; i < HostSession::kNotes + 1; ++i) s.flush_note(9);  // the last finds none
  FrameDecoder d;
  std::vector<std::string> texts;
  for (uint8_t x : b.to_host)
    if (d.push(x)) {
      CHECK(d.header().seq == 9);
      Reader r(d.body(), d.body_len());
      const uint8_t level = r.u8();
      char text[200];
      r.str(text, sizeof text);
      texts.push_back(text);
      if (texts.size() < HostSession::kNotes) CHECK(level == static_cast<uint8_t>(LogLevel::info));
    }
  REQUIRE(texts.size() == HostSession::kNotes);
  for (int i = 0; i + 1 < HostSession::kNotes; ++i) CHECK(texts[i] == "line " + std::to_string(i));
  CHECK(texts.back() ==
        "(" + std::to_string(extra + 1) + " more controller messages were dropped)");
}
