// picocray batch: many render jobs from a file, over one session with the cluster.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>

#include "command.h"
#include "render_job.h"

namespace picocray::cli {

namespace {

struct BatchOptions {
  std::string file;
  bool continue_on_error = false;
};

std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  return s;
}

std::string first_output(const RenderOptions& o) {
  for (const std::string* p : {&o.output, &o.raw, &o.meta})
    if (!p->empty()) return *p;
  return "-";
}

int run_batch(const Globals& g, const BatchOptions& b) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (b.file != "-") {
    file.open(b.file);
    if (!file) throw CliError(kExitUsage, "cannot read the job list '" + b.file + "'");
    in = &file;
  }
  std::optional<Session> s;
  int first_failure = kExitOk;
  unsigned ok = 0, failed = 0;
  std::string line;
  for (unsigned lineno = 1; std::getline(*in, line); ++lineno) {
    std::string label = "line " + std::to_string(lineno);
    int code = kExitOk;
    std::string reason;
    try {
      std::vector<std::string> words = split_shell(line);
      if (words.empty()) continue;  // blank or a comment
      RenderOptions o = parse_render_words(words);
      if (o.json)
        throw CliError(kExitUsage, "--json is not available in a batch (use --meta FILE)");
      if (o.palette == "list") throw CliError(kExitUsage, "--palette list is not a job");
      o.quiet = o.quiet || g.quiet;
      RenderPlan plan = plan_render(o);
      if (!s) s = connect(g);
      apply_node_list(plan, s->client->device().node_count);
      RenderOutcome out = execute_plan(*s, plan, label);
      std::printf("ok %u %s %u %.3f\n", lineno, first_output(o).c_str(), out.tiles, out.wall_s);
      std::fflush(stdout);
      ++ok;
      continue;
    } catch (const CliError& e) {
      if (e.exit_code == kExitInterrupted) throw;
      code = e.exit_code;
      reason = e.what();
    } catch (const DeviceError& e) {
      code =
          e.code == ErrorCode::bad_job || e.code == ErrorCode::no_nodes ? kExitUsage : kExitCluster;
      reason = std::string("the cluster refused: ") + e.what() + " (" + error_name(e.code) + ")";
    }
    // The link may be out of step after these: the next job opens a fresh session.
    if (code == kExitPort || code == kExitTimeout || code == kExitProtocol) s.reset();
    ++failed;
    if (first_failure == kExitOk) first_failure = code;
    spdlog::error("{}: {}", label, one_line(reason));
    std::printf("FAILED %u %s\n", lineno, one_line(reason).c_str());
    std::fflush(stdout);
    if (!b.continue_on_error) break;
  }
  spdlog::info("batch: {} ok, {} failed", ok, failed);
  return first_failure;
}

}  // namespace

void add_batch_command(CLI::App& app, Globals& g) {
  auto b = std::make_shared<BatchOptions>();
  auto* cmd = app.add_subcommand("batch", "Render many jobs from a file, one render per line");
  cmd->add_option("file", b->file, "The job list, or - for stdin")->required();
  cmd->add_flag("--continue-on-error", b->continue_on_error,
                "Go on after a failed job (the exit code is still the first failure's)");
  cmd->footer(
      "Each line holds the options of one `render` (a leading `render` is allowed); words split\n"
      "as in a shell ('...' and \"...\" quote); # starts a comment; blank lines are skipped.\n"
      "stdout: one line per job: `ok LINE OUTPUT TILES WALL_S` or `FAILED LINE REASON`.\n"
      "Example:\n"
      "  printf '%s\\n' '--region -2.5,1,-1.25,1.25 -o a.png' \\\n"
      "      '--center -0.745,0.11 --span 0.02 --iterations 1024 -o b.png' > jobs.txt\n"
      "  picocray --port sim batch jobs.txt --continue-on-error\n");
  cmd->callback([&g, b]() { g.exit_code = run_batch(g, *b); });
}

}  // namespace picocray::cli
