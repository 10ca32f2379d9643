// picocray selftest: checks for CI on a rig; TAP on stdout, JUnit XML on request.
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <numeric>
#include <optional>

#include "cluster_render.h"
#include "command.h"
#include "format.h"
#include "options.h"
#include "output_files.h"
#include "render_plan.h"

namespace picocray::cli {

namespace {

struct SelftestOptions {
  std::string junit;
  long expect_nodes = -1;
};

struct Check {
  std::string name;
  enum { pass, fail, skip } outcome = pass;
  std::string message;             // why it failed or was skipped
  std::vector<std::string> notes;  // diagnostics either way
  double time_s = 0;
};

// A check that throws fails with the exception's text.
class Runner {
 public:
  void run(const std::string& name, const std::function<void(Check&)>& body) {
    Check c;
    c.name = name;
    auto t0 = std::chrono::steady_clock::now();
    try {
      body(c);
    } catch (const CliError& e) {
      if (e.exit_code == kExitInterrupted) throw;
      c.outcome = Check::fail;
      c.message = e.what();
    } catch (const std::exception& e) {
      c.outcome = Check::fail;
      c.message = e.what();
    }
    c.time_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    checks.push_back(c);
  }
  void skip(const std::string& name, const std::string& why) {
    Check c;
    c.name = name;
    c.outcome = Check::skip;
    c.message = why;
    checks.push_back(c);
  }
  std::vector<Check> checks;
};

void fail(Check& c, const std::string& why) {
  c.outcome = Check::fail;
  c.message = why;
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\n': out += "&#10;"; break;
      default:
        if (static_cast<unsigned char>(ch) < 0x20 && ch != '\t')
          out += ' ';
        else
          out += ch;
    }
  }
  return out;
}

std::string junit_suite(const std::vector<Check>& checks, const std::string& port,
                        const std::string& suite);

// One testsuite per cluster; with one, named "picocray selftest", with several after its port too.
std::string junit_xml(const std::vector<std::pair<std::string, std::vector<Check>>>& suites) {
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n";
  for (const auto& [port, checks] : suites)
    x += junit_suite(
        checks, port,
        suites.size() == 1 ? std::string("picocray selftest") : "picocray selftest " + port);
  x += "</testsuites>\n";
  return x;
}

std::string junit_suite(const std::vector<Check>& checks, const std::string& port,
                        const std::string& suite) {
  unsigned failures = 0, skipped = 0;
  double total = 0;
  for (const auto& c : checks) {
    failures += c.outcome == Check::fail;
    skipped += c.outcome == Check::skip;
    total += c.time_s;
  }
  char head[160];
  std::snprintf(head, sizeof head,
                "\" tests=\"%zu\" failures=\"%u\" errors=\"0\" skipped=\"%u\" time=\"%.3f\">\n",
                checks.size(), failures, skipped, total);
  std::string x = "  <testsuite name=\"" + xml_escape(suite) + head;
  x +=
      "    <properties><property name=\"port\" value=\"" + xml_escape(port) + "\"/></properties>\n";
  for (const auto& c : checks) {
    char t[32];
    std::snprintf(t, sizeof t, "%.3f", c.time_s);
    x += "    <testcase classname=\"picocray.selftest\" name=\"" + xml_escape(c.name) +
         "\" time=\"" + t + "\"";
    std::string notes;
    for (const auto& n : c.notes) notes += n + "\n";
    if (c.outcome == Check::pass && notes.empty()) {
      x += "/>\n";
      continue;
    }
    x += ">\n";
    if (c.outcome == Check::fail)
      x += "      <failure message=\"" + xml_escape(c.message) + "\">" + xml_escape(c.message) +
           "</failure>\n";
    if (c.outcome == Check::skip)
      x += "      <skipped message=\"" + xml_escape(c.message) + "\"/>\n";
    if (!notes.empty()) x += "      <system-out>" + xml_escape(notes) + "</system-out>\n";
    x += "    </testcase>\n";
  }
  x += "  </testsuite>\n";
  return x;
}

void print_tap(const std::vector<Check>& checks) {
  std::printf("TAP version 13\n1..%zu\n", checks.size());
  for (size_t i = 0; i < checks.size(); ++i) {
    const Check& c = checks[i];
    if (c.outcome == Check::skip) {
      std::printf("ok %zu - %s # SKIP %s\n", i + 1, c.name.c_str(), c.message.c_str());
      continue;
    }
    std::printf("%s %zu - %s\n", c.outcome == Check::pass ? "ok" : "not ok", i + 1, c.name.c_str());
    if (c.outcome == Check::fail) {
      std::printf("  ---\n  message: %s\n  ...\n", nlohmann::json(c.message).dump().c_str());
    }
    for (const auto& n : c.notes) std::printf("# %s\n", n.c_str());
  }
  std::fflush(stdout);
}

// A small render checked count by count against the host reference, with its tile accounting.
struct Golden {
  const char* name;
  RenderOptions opts;
};

std::vector<Golden> golden_jobs() {
  std::vector<Golden> g(2);
  g[0].name = "golden render 32-bit (overview 160x120)";
  g[0].opts.region = "-2.5,1,-1.25,1.25";
  g[0].opts.size = "160x120";
  g[0].opts.iterations = 256;
  g[0].opts.tile = "16x16";
  g[1].name = "golden render 128-bit (span 1e-20, 64x48)";
  g[1].opts.center = "-1.7497219297423015,0";
  g[1].opts.span = "1e-20";
  g[1].opts.size = "64x48";
  g[1].opts.iterations = 512;
  g[1].opts.precision = "128";
  g[1].opts.tile = "16x16";
  for (auto& j : g) j.opts.verify = true;
  return g;
}

// Every check on one cluster (g names one port). *port_name gets the port as opened.
std::vector<Check> run_checks(const Globals& g, const SelftestOptions& o, int* handshake_exit_out,
                              std::string* port_name) {
  Runner r;
  std::optional<Session> s;
  int handshake_exit = kExitOk;
  r.run("handshake", [&](Check& c) {
    try {
      s = connect(g);
    } catch (const CliError& e) {
      handshake_exit = e.exit_code;
      throw;
    }
    const HelloReply& h = s->client->device();
    c.notes.push_back(std::string("board ") + h.board + " on " + s->link->name() + ", firmware " +
                      version_string(h.fw_major, h.fw_minor, h.fw_patch) + ", protocol " +
                      std::to_string(h.proto_major) + "." + std::to_string(h.proto_minor) +
                      (s->simulated() ? " (simulated)" : ""));
  });
  const std::vector<Golden> golden = golden_jobs();
  if (!s) {
    // Without a session nothing else can run; the report still lists every check.
    std::vector<std::string> names = {"every node answers",
                                      "link integrity (PING, 64-byte patterns)", "node I2C echo"};
    for (const auto& gj : golden) names.push_back(gj.name);
    for (const char* n :
         {"tile accounting", "link counters clean", "nodes still answer after the renders"})
      names.push_back(n);
    for (const auto& n : names) {
      Check c;
      c.name = n;
      c.outcome = Check::fail;
      c.message = "not run: no session (the handshake failed)";
      r.checks.push_back(c);
    }
  } else {
    Client& cl = *s->client;
    r.run("every node answers", [&](Check& c) {
      auto nodes = cl.nodes();
      unsigned lost = 0;
      for (const auto& n : nodes) {
        if (n.state == NodeState::lost) {
          ++lost;
          c.notes.push_back("node " + std::to_string(n.index) + " is lost");
        }
      }
      c.notes.push_back(std::to_string(nodes.size()) + " nodes enrolled");
      if (nodes.empty()) return fail(c, "no secondaries enrolled");
      if (nodes.size() != cl.device().node_count)
        return fail(c, "NODES lists " + std::to_string(nodes.size()) +
                           " nodes, the handshake said " + std::to_string(cl.device().node_count));
      if (o.expect_nodes >= 0 && nodes.size() != static_cast<size_t>(o.expect_nodes))
        return fail(c, "expected " + std::to_string(o.expect_nodes) + " nodes, found " +
                           std::to_string(nodes.size()));
      if (lost > 0)
        fail(c, std::to_string(lost) + " of " + std::to_string(nodes.size()) + " nodes lost");
    });
    r.run("link integrity (PING, 64-byte patterns)", [&](Check& c) {
      // Patterns that stress COBS and the CRC: all zeros, all ones, a ramp, alternating bits.
      for (int k = 0; k < 8; ++k) {
        std::vector<uint8_t> p(64);
        for (size_t i = 0; i < p.size(); ++i)
          p[i] = k == 0   ? 0
                 : k == 1 ? 0xFF
                 : k == 2 ? static_cast<uint8_t>(i)
                 : k == 3 ? (i & 1 ? 0x55 : 0xAA)
                          : static_cast<uint8_t>((i * 37 + k * 101) ^ (i >> 2));
        auto back = cl.ping(p);
        if (back != p)
          return fail(c, "PING " + std::to_string(k) + " came back different (" +
                             std::to_string(back.size()) + " bytes)");
      }
      c.notes.push_back("8 patterns echoed exactly");
    });
    r.run("node I2C echo", [&](Check& c) {
      // Each node: 32-byte patterns through its ECHO register and back, CRC-checked both ways.
      if (cl.device().proto_minor < 1) {
        c.outcome = Check::skip;
        c.message = "the controller speaks protocol 1.0, which has no NODE_ECHO";
        return;
      }
      auto nodes = cl.nodes();
      for (const auto& n : nodes) {
        for (int k = 0; k < 4; ++k) {
          std::vector<uint8_t> p(32);
          for (size_t i = 0; i < p.size(); ++i)
            p[i] = k == 0 ? 0 : k == 1 ? 0xFF : static_cast<uint8_t>(i * 29 + k * 71 + n.index);
          std::vector<uint8_t> back;
          try {
            back = cl.node_echo(n.index, p);
          } catch (const DeviceError& e) {
            return fail(c, "node " + std::to_string(n.index) + ": " + e.what());
          }
          if (back != p)
            return fail(c, "node " + std::to_string(n.index) + " echoed pattern " +
                               std::to_string(k) + " differently");
        }
      }
      c.notes.push_back(std::to_string(nodes.size()) + " nodes echoed 4 patterns each exactly");
    });
    std::vector<std::pair<RenderRequest, RenderResult>> done;
    for (const auto& gj : golden) {
      r.run(gj.name, [&](Check& c) {
        RenderPlan plan = plan_render(gj.opts);
        const RenderRequest& job = plan.frames[0].job;
        RenderResult res = render_on_cluster(cl, job);
        done.emplace_back(job, res);
        auto ref = reference_counts(job);
        size_t diff = 0, first = 0;
        for (size_t i = 0; i < ref.size(); ++i)
          if (ref[i] != res.counts[i] && diff++ == 0) first = i;
        c.notes.push_back(std::to_string(ref.size()) + " counts, " +
                          std::to_string(res.summary.tiles) + " tiles from " +
                          std::to_string(res.summary.node_count) + " workers");
        if (diff > 0)
          fail(c, std::to_string(diff) + " counts differ from the host reference; the first at (" +
                      std::to_string(first % job.geometry.width) + ", " +
                      std::to_string(first / job.geometry.width) + "): " +
                      std::to_string(res.counts[first]) + " vs " + std::to_string(ref[first]));
      });
    }
    r.run("tile accounting", [&](Check& c) {
      if (done.size() != golden.size()) return fail(c, "a golden render did not finish");
      for (const auto& [job, res] : done) {
        uint32_t expect = tile_count(job.geometry), per_node = 0;
        for (uint8_t k = 0; k < res.summary.node_count; ++k)
          per_node += res.summary.per_node[k].tiles;
        std::string f = std::to_string(job.geometry.width) + "x" +
                        std::to_string(job.geometry.height) + ": " + std::to_string(expect) +
                        " tiles expected, " + std::to_string(res.tiles_received) +
                        " received, device summary " + std::to_string(res.device_tiles) +
                        ", per-node sum " + std::to_string(per_node);
        c.notes.push_back(f);
        if (res.tiles_received != expect || res.device_tiles != expect || per_node != expect)
          return fail(c, f);
      }
    });
    r.run("link counters clean", [&](Check& c) {
      InfoReply i = cl.info();
      const FrameStats& h = cl.stats();
      std::string f =
          "device: " + std::to_string(i.link.crc_errors) + " CRC errors, " +
          std::to_string(i.link.malformed) + " malformed, " + std::to_string(i.link.overlong) +
          " overlong; host: " + std::to_string(h.crc_errors) + " CRC errors, " +
          std::to_string(h.malformed) + " malformed, " + std::to_string(h.overlong) + " overlong";
      c.notes.push_back(f);
      // Malformed frames are not held against the link: a port opened mid-frame leaves one.
      if (i.link.crc_errors + i.link.overlong + h.crc_errors + h.overlong > 0) fail(c, f);
    });
    r.run("nodes still answer after the renders", [&](Check& c) {
      auto nodes = cl.nodes();
      uint64_t errors = 0, retries = 0;
      for (const auto& n : nodes) {
        errors += n.integrity_errors;
        retries += n.retries;
        if (n.state == NodeState::lost)
          return fail(c, "node " + std::to_string(n.index) + " was lost");
      }
      c.notes.push_back(std::to_string(errors) + " I2C integrity errors, " +
                        std::to_string(retries) + " retries since enumeration");
    });
  }

  *port_name = s ? s->link->name() : g.port;
  *handshake_exit_out = handshake_exit;
  return r.checks;
}

int run_selftest(const Globals& g, const SelftestOptions& o) {
  if (!o.junit.empty()) check_output(o.junit, "--junit");
  // Several clusters: every check on each, one after the other, named after its port.
  std::vector<std::pair<std::string, std::vector<Check>>> suites;
  std::vector<Check> all;
  int handshake_exit = kExitOk;
  for (const std::string& port : g.ports) {
    Globals one = g;
    one.ports = {port};
    one.port = port;
    int exit = kExitOk;
    std::string name;
    std::vector<Check> checks = run_checks(one, o, &exit, &name);
    if (handshake_exit == kExitOk) handshake_exit = exit;
    for (Check c : checks) {
      if (g.ports.size() > 1) c.name = name + ": " + c.name;
      all.push_back(c);
    }
    suites.emplace_back(name, std::move(checks));
  }
  print_tap(all);
  if (!o.junit.empty()) {
    std::string x = junit_xml(suites);
    write_output(o.junit, std::vector<uint8_t>(x.begin(), x.end()));
  }
  unsigned failed = 0;
  for (const auto& c : all) failed += c.outcome == Check::fail;
  if (failed == 0) return kExitOk;
  spdlog::error("selftest: {} of {} checks failed", failed, all.size());
  return handshake_exit != kExitOk ? handshake_exit : kExitFailure;
}

}  // namespace

void add_selftest_command(CLI::App& app, Globals& g) {
  auto o = std::make_shared<SelftestOptions>();
  auto* cmd =
      app.add_subcommand("selftest", "Checks for CI on a rig: TAP on stdout, JUnit XML on request");
  add_text_option(*cmd, "--junit", o->junit, "Also write the results as JUnit XML to this file")
      ->type_name("FILE");
  add_whole_option(*cmd, "--expect-nodes", o->expect_nodes,
                   "Fail unless exactly this many nodes are enrolled (0 to 64)", 0, 64);
  cmd->footer(
      "Checks: handshake, every node answers, link integrity (PING), node I2C echo (NODE_ECHO\n"
      "through every node's echo register), golden renders (32- and 128-bit, bit-exact against the "
      "host),\n"
      "tile accounting, link counters, nodes after the renders. Exit 0 only if all pass.\n"
      "Example:\n  picocray --port sim selftest --junit selftest.xml\n");
  cmd->callback([&g, o]() { g.exit_code = run_selftest(g, *o); });
}

}  // namespace picocray::cli
