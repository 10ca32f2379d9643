// A cluster of fake boards for the core's unit tests, without the simulator: one controller and
// N secondaries on one FakeBus, on one clock the rig moves to the earliest time any node asked to
// run again. The host side writes request frames into the controller's link and decodes what
// comes back.
#pragma once
#include <doctest/doctest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "fake_board.h"
#include "picocray/controller.h"
#include "picocray/decimal.h"
#include "picocray/frame.h"
#include "picocray/secondary.h"
#include "picocray/timing.h"

namespace picocray_test {

struct HostFrame {
  uint8_t type = 0;
  uint16_t seq = 0;
  std::vector<uint8_t> body;
  bool is(MsgType t) const { return type == static_cast<uint8_t>(t); }
};

inline Coord decimal(const char* s) {
  Coord c = fx::zero<4>();
  REQUIRE_MESSAGE(parse_decimal(s, std::strlen(s), &c), "parse_decimal failed on " << s);
  return c;
}

inline RenderRequest small_render(uint16_t w, uint16_t h, uint16_t iterations, uint8_t tile) {
  RenderRequest q;
  q.geometry.width = w;
  q.geometry.height = h;
  q.geometry.max_iter = iterations;
  q.geometry.tile_w = q.geometry.tile_h = tile;
  q.geometry.region = {decimal("-2.5"), decimal("1"), decimal("-1.25"), decimal("1.25")};
  return q;
}

template <typename Msg>
std::vector<uint8_t> encoded_body(const Msg& m) {
  std::vector<uint8_t> out(512);
  Writer w(out.data(), out.size());
  encode(w, m);
  out.resize(w.size());
  return out;
}

class Rig {
 public:
  explicit Rig(int secondaries, uint64_t compute_us = 2000) : controller_board_(true, bus_, 1) {
    controller_board_.shared_now = &now;
    controller_board_.compute_us = compute_us;
    for (int i = 0; i < secondaries; ++i) {
      auto b = std::make_unique<FakeBoard>(false, bus_, 0xA000 + 0x101u * static_cast<unsigned>(i));
      b->shared_now = &now;
      b->compute_us = compute_us;
      secondaries_.push_back(std::make_unique<Secondary>(b->hal()));
      boards_.push_back(std::move(b));
    }
    controller_ = std::make_unique<Controller>(controller_board_.hal());
  }

  uint64_t now = 1000;
  FakeBus& bus() { return bus_; }
  FakeBoard& controller_board() { return controller_board_; }
  FakeBoard& board(int i) { return *boards_[static_cast<size_t>(i)]; }
  Controller& controller() { return *controller_; }
  Secondary& secondary(int i) { return *secondaries_[static_cast<size_t>(i)]; }

  void start() {
    for (auto& s : secondaries_) s->start();
    controller_->start();
  }

  // One pass over every node; the clock then moves to the earliest deadline (at most max_step).
  void step(uint64_t max_step = 1000) {
    uint64_t next = controller_->poll();
    for (auto& s : secondaries_) {
      uint64_t t = s->poll();
      if (t < next) next = t;
    }
    if (next <= now) return;
    now = next - now > max_step ? now + max_step : next;
  }
  // Steps until pred() holds or `limit_us` of virtual time has passed; true when it held.
  template <typename Pred>
  bool run_until(Pred pred, uint64_t limit_us) {
    const uint64_t end = now + limit_us;
    for (int passes = 0; now < end && passes < 2000000; ++passes) {
      if (pred()) return true;
      step();
    }
    return pred();
  }
  // Enrolment over: every secondary addressed and the controller's enrolment closed.
  bool settle() {
    return run_until([this] { return !controller_->enumerating(); }, 2000000);
  }

  uint16_t send(MsgType type, const std::vector<uint8_t>& body = {}) {
    seq_ = static_cast<uint16_t>(seq_ + 1);
    FrameHeader h;
    h.type = static_cast<uint8_t>(type);
    h.seq = seq_;
    std::vector<uint8_t> out(kMaxFrameEncoded);
    size_t n = frame_encode(h, body.data(), body.size(), out.data(), out.size());
    REQUIRE(n > 0);
    controller_board_.to_device.insert(controller_board_.to_device.end(), out.begin(),
                                       out.begin() + static_cast<std::ptrdiff_t>(n));
    return seq_;
  }
  // Frames the controller has written since the last call (frames an await() read past its
  // answer first).
  std::vector<HostFrame> frames() {
    std::vector<HostFrame> out;
    out.swap(unread_);
    for (uint8_t b : controller_board_.to_host)
      if (decoder_.push(b))
        out.push_back(
            {decoder_.header().type, decoder_.header().seq,
             std::vector<uint8_t>(decoder_.body(), decoder_.body() + decoder_.body_len())});
    controller_board_.to_host.clear();
    return out;
  }
  // Runs until the final answer (OK or ERROR) to seq; the frames before it are in *streamed.
  HostFrame await(uint16_t seq, uint64_t limit_us, std::vector<HostFrame>* streamed = nullptr) {
    HostFrame final;
    bool got = run_until(
        [&] {
          std::vector<HostFrame> batch = frames();
          for (size_t i = 0; i < batch.size(); ++i) {
            const HostFrame& f = batch[i];
            if (f.seq == seq && (f.is(MsgType::ok) || f.is(MsgType::error))) {
              final = f;
              unread_.assign(batch.begin() + static_cast<std::ptrdiff_t>(i) + 1, batch.end());
              return true;
            }
            if (streamed != nullptr) streamed->push_back(f);
          }
          return false;
        },
        limit_us);
    REQUIRE_MESSAGE(got, "no answer to seq " << seq << " within " << limit_us << " us");
    return final;
  }

 private:
  std::vector<HostFrame> unread_;
  FakeBus bus_;
  FakeBoard controller_board_;
  std::vector<std::unique_ptr<FakeBoard>> boards_;
  std::vector<std::unique_ptr<Secondary>> secondaries_;
  std::unique_ptr<Controller> controller_;
  FrameDecoder decoder_;
  uint16_t seq_ = 0;
};

}  // namespace picocray_test
