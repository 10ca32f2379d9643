// The controller's side of the USB link: each request gets exactly one final answer, however the
// requests are packed into writes and however full the USB buffer is.
#include <doctest/doctest.h>

#include <vector>

#include "sim_host.h"

using namespace picocray;
using namespace picocray_test;

TEST_CASE("PING echoes its body under its seq") {
  SimHost host(sim_config(1, 1));
  host.hello();
  std::vector<uint8_t> body = {1, 2, 3, 0, 0xFF};
  Reply r = host.request(MsgType::ping, body);
  CHECK_MESSAGE(r.ok(), "PING answered " << r.describe());
  CHECK(r.final.body == body);
}

TEST_CASE("requests written together are all answered when an answer fills the USB buffer") {
  SimHost host(sim_config(1, 1));
  host.hello();
  host.set_timeout_ms(2000);
  // Two 2400-byte echoes fill most of the controller's 4096-byte USB buffer, so the second answer
  // is only partly queued; the small PINGs behind it arrive in the same read of the link.
  const std::vector<std::vector<uint8_t>> bodies = {
      std::vector<uint8_t>(2400, 0x55), std::vector<uint8_t>(2400, 0xAA), {1}, {2}};
  std::vector<uint16_t> seqs;
  std::vector<uint8_t> bytes;
  for (const auto& b : bodies) {
    uint16_t seq = 0;
    std::vector<uint8_t> f = host.encode_request(MsgType::ping, b, &seq);
    bytes.insert(bytes.end(), f.begin(), f.end());
    seqs.push_back(seq);
  }
  host.write(bytes);

  size_t answered = 0;
  Frame f;
  while (answered < seqs.size() && host.next_frame(&f)) {
    REQUIRE_MESSAGE(answered < seqs.size(), "more answers than requests");
    CHECK_MESSAGE(f.seq == seqs[answered],
                  "answer for seq " << f.seq << ", expected seq " << seqs[answered]);
    CHECK_MESSAGE(f.is(MsgType::ok), "PING seq " << f.seq << " answered type " << int(f.type));
    CHECK_MESSAGE(f.body == bodies[answered], "PING seq " << f.seq << " echoed the wrong body");
    ++answered;
  }
  if (answered < seqs.size())
    FAIL_CHECK("only " << answered << " of " << seqs.size() << " PINGs were answered; seq "
                       << seqs[answered] << " and later got nothing");
}
