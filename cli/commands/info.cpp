// picocray info: the controller (firmware, protocol, board, clocks) and the link's counters.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "command.h"
#include "format.h"

namespace picocray::cli {

namespace {

std::string hex64(uint64_t v) {
  char b[20];
  std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(v));
  return b;
}

nlohmann::json capability_names(uint32_t caps) {
  static const std::pair<uint32_t, const char*> names[] = {
      {kCapSimulated, "simulated"},
      {kCapFixed32, "fixed32"},
      {kCapFixed64, "fixed64"},
      {kCapFixed128, "fixed128"},
      {kCapControllerCompute, "controller_compute"},
      {kCapAttentionLine, "attention_line"},
      {kCapTileCodecRange, "tile_codec_range"},
      {kCapDisplay, "display"}};
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [bit, name] : names)
    if (caps & bit) out.push_back(name);
  return out;
}

int print_info(Session& s, bool json, nlohmann::json* out) {
  const HelloReply& h = s.client->device();
  InfoReply i = s.client->info();
  const FrameStats& hs = s.client->stats();
  const HostLinkStats& hb = s.client->host_stats();
  const std::string fw = version_string(h.fw_major, h.fw_minor, h.fw_patch);
  const std::string proto = std::to_string(h.proto_major) + "." + std::to_string(h.proto_minor);
  nlohmann::json doc = {
      {"port", s.link->name()},
      {"board", h.board},
      {"unique_id", hex64(h.unique_id)},
      {"firmware", fw},
      {"protocol", proto},
      {"host_protocol", std::to_string(kProtocolMajor) + "." + std::to_string(kProtocolMinor)},
      {"simulated", s.simulated()},
      {"capabilities", capability_names(h.capabilities)},
      {"max_frame_body", h.max_frame_body},
      {"cpu_hz", i.cpu_hz},
      {"i2c_hz", i.i2c_hz},
      {"node_count", i.node_count},
      {"uptime_s", i.uptime_us / 1e6},
      {"jobs_done", i.jobs_done},
      {"link",
       {{"host",
         {{"bytes_in", hb.bytes_in},
          {"bytes_out", hb.bytes_out},
          {"frames_in", hs.frames},
          {"frames_out", hb.frames_out},
          {"crc_errors", hs.crc_errors},
          {"malformed", hs.malformed},
          {"overlong", hs.overlong}}},
        {"device",
         {{"frames_in", i.link.frames_in},
          {"frames_out", i.link.frames_out},
          {"crc_errors", i.link.crc_errors},
          {"malformed", i.link.malformed},
          {"overlong", i.link.overlong}}}}},
  };
  if (json) {
    *out = doc;
    return kExitOk;
  }
  std::printf("port          %s\n", s.link->name().c_str());
  std::printf("board         %s%s\n", h.board, s.simulated() ? " (simulated)" : "");
  std::printf("unique id     %s\n", hex64(h.unique_id).c_str());
  std::printf("firmware      %s\n", fw.c_str());
  std::printf("protocol      %s (this picocray speaks %u.%u)\n", proto.c_str(), kProtocolMajor,
              kProtocolMinor);
  std::printf("capabilities  %s\n",
              [&] {
                std::string c;
                for (const auto& n : capability_names(h.capabilities))
                  c += (c.empty() ? "" : " ") + n.get<std::string>();
                return c;
              }()
                  .c_str());
  std::printf("clock         %.1f MHz\n", i.cpu_hz / 1e6);
  std::printf("i2c           %.0f kHz\n", i.i2c_hz / 1e3);
  std::printf("nodes         %u\n", i.node_count);
  std::printf("uptime        %.3f s%s\n", i.uptime_us / 1e6, s.simulated() ? " (modelled)" : "");
  std::printf("jobs done     %u\n", i.jobs_done);
  std::printf(
      "link (host)   %llu bytes in, %llu out; %u frames in, %u out; %u CRC errors, %u "
      "malformed, %u overlong\n",
      static_cast<unsigned long long>(hb.bytes_in), static_cast<unsigned long long>(hb.bytes_out),
      hs.frames, hb.frames_out, hs.crc_errors, hs.malformed, hs.overlong);
  std::printf("link (device) %u frames in, %u out; %u CRC errors, %u malformed, %u overlong\n",
              i.link.frames_in, i.link.frames_out, i.link.crc_errors, i.link.malformed,
              i.link.overlong);
  return kExitOk;
}

int run_info(const Globals& g, bool json) {
  std::vector<Session> ss = connect_all(g);
  nlohmann::json docs = nlohmann::json::array();
  for (size_t k = 0; k < ss.size(); ++k) {
    if (k > 0 && !json) std::printf("\n");  // several clusters: a blank line between them
    nlohmann::json doc;
    print_info(ss[k], json, &doc);
    docs.push_back(doc);
  }
  // One cluster: its object; several: an array of them.
  if (json) std::printf("%s\n", (docs.size() == 1 ? docs[0] : docs).dump(2).c_str());
  return kExitOk;
}

}  // namespace

void add_info_command(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand(
      "info", "The controller: firmware, protocol, board, clocks, link counters");
  cmd->footer("Example:\n  picocray --port sim info --json\n");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "One JSON object on stdout (several ports: an array of them)");
  cmd->callback([&g, json]() { g.exit_code = run_info(g, *json); });
}

}  // namespace picocray::cli
