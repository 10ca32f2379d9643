// picocray batch: many render jobs from a file, over one session with the cluster.
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>

#include "command.h"
#include "format.h"
#include "options.h"
#include "output_files.h"
#include "render_plan.h"

namespace picocray::cli {

namespace {

struct BatchOptions {
  std::string file;
  bool continue_on_error = false;
  bool json = false;
  bool skip_existing = false;
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

// One job's line on stdout: text (`ok ...`, `skipped ...`, `FAILED ...`) or one JSON object.
void report(const BatchOptions& b, const nlohmann::json& j) {
  if (b.json) {
    std::printf("%s\n", j.dump().c_str());
  } else if (j["status"] == "ok") {
    std::printf("ok %u %s %u %.3f\n", j["line"].get<unsigned>(),
                shell_quote(j["output"].get<std::string>()).c_str(), j["tiles"].get<unsigned>(),
                j["wall_s"].get<double>());
  } else if (j["status"] == "skipped") {
    std::printf("skipped %u %s\n", j["line"].get<unsigned>(),
                shell_quote(j["output"].get<std::string>()).c_str());
  } else {
    std::printf("FAILED %u %s\n", j["line"].get<unsigned>(), j["error"].get<std::string>().c_str());
  }
  check_stdout();  // a summary nobody can read is a failed batch, not a silent one
}

int run_batch(const Globals& g, const BatchOptions& b) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (b.file != "-") {
    struct stat st {};
    if (::stat(b.file.c_str(), &st) != 0)
      throw CliError(kExitUsage,
                     "cannot read the job list '" + b.file + "': " + std::strerror(errno));
    if (S_ISDIR(st.st_mode))
      throw CliError(kExitUsage, "the job list '" + b.file +
                                     "' is a directory; give a file of "
                                     "render lines, or - for stdin");
    file.open(b.file);
    if (!file) throw CliError(kExitUsage, "cannot read the job list '" + b.file + "'");
    in = &file;
  }
  // Every cluster given; each job's tiles are shared out among them (multi_render.h).
  std::vector<Session> ss;
  int first_failure = kExitOk;
  unsigned ok = 0, failed = 0, skipped = 0;
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
        throw CliError(kExitUsage,
                       "--json is not available in a batch line (use --meta FILE, "
                       "or `batch --json`)");
      if (o.palette == "list") throw CliError(kExitUsage, "--palette list is not a job");
      o.quiet = o.quiet || g.quiet;
      o.skip_existing = o.skip_existing || b.skip_existing;
      // stdout carries the summary, and the job list is read while the jobs run.
      OutputSet outputs;
      outputs.add("-", "the batch summary");
      if (b.file != "-") outputs.add(b.file, "the job list");
      RenderPlan plan = plan_render(o, &outputs);
      nlohmann::json j = {{"line", lineno}, {"output", first_output(o)}};
      if (plan.skip_existing) {
        // Nothing to do when every frame's files exist: no session needed for it.
        bool all = true, any = false;
        for (const auto& f : plan.frames)
          for (const std::string* p : {&f.png, &f.raw, &f.meta}) {
            if (p->empty()) continue;
            any = true;
            all = all && output_exists(*p);
          }
        if (any && all) {
          j["status"] = "skipped";
          report(b, j);
          ++skipped;
          continue;
        }
      }
      if (g.ports.size() > 1 && !plan.nodes.empty())
        throw CliError(kExitUsage, "--nodes names one cluster's nodes: give one --port with it");
      if (ss.empty()) ss = connect_all(g);
      apply_node_list(plan, ss[0].client->device().node_count);
      RenderOutcome out = run_plan(ss, plan, label);
      j["status"] = "ok";
      j["tiles"] = out.tiles;
      j["wall_s"] = out.wall_s;
      if (b.json) {
        j["frames_rendered"] = out.frames_rendered;
        j["frames_skipped"] = out.frames_skipped;
        j["jobs"] = out.metas;
      }
      report(b, j);
      ++ok;
      continue;
    } catch (const StdoutError&) {
      throw;  // the summary itself is lost: stop
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
    if (code == kExitPort || code == kExitTimeout || code == kExitProtocol) ss.clear();
    ++failed;
    if (first_failure == kExitOk) first_failure = code;
    std::fprintf(stderr, "picocray: %s: %s\n", label.c_str(), one_line(reason).c_str());
    report(
        b,
        {{"line", lineno}, {"status", "failed"}, {"exit_code", code}, {"error", one_line(reason)}});
    if (!b.continue_on_error) break;
  }
  if (in->bad()) throw CliError(kExitFailure, "reading the job list '" + b.file + "' failed");
  spdlog::info("batch: {} ok, {} skipped, {} failed", ok, skipped, failed);
  return first_failure;
}

}  // namespace

void add_batch_command(CLI::App& app, Globals& g) {
  auto b = std::make_shared<BatchOptions>();
  auto* cmd = app.add_subcommand("batch", "Render many jobs from a file, one render per line");
  add_text_option(*cmd, "file", b->file, "The job list, or - for stdin")
      ->required()
      ->type_name("FILE");
  cmd->add_flag("--continue-on-error", b->continue_on_error,
                "Go on after a failed job (the exit code is still the first failure's)");
  cmd->add_flag("--json", b->json, "One JSON object per job on stdout (JSON lines)");
  cmd->add_flag("--skip-existing", b->skip_existing,
                "Skip jobs (and zoom frames) whose output files all exist: resume a batch");
  cmd->footer(
      "Each line holds the options of one `render` (a leading `render` is allowed); words split\n"
      "as in a shell ('...' and \"...\" quote); # starts a comment; blank lines are skipped.\n"
      "stdout: one line per job: `ok LINE OUTPUT TILES WALL_S`, `skipped LINE OUTPUT` or\n"
      "`FAILED LINE REASON` (OUTPUT quoted as a shell would need it), or with --json one JSON\n"
      "object per job.\n"
      "Example:\n"
      "  printf '%s\\n' '--region -2.5,1,-1.25,1.25 -o a.png' \\\n"
      "      '--center -0.745,0.11 --span 0.02 --iterations 1024 -o b.png' > jobs.txt\n"
      "  picocray --port sim batch jobs.txt --continue-on-error\n");
  cmd->callback([&g, b]() { g.exit_code = run_batch(g, *b); });
}

}  // namespace picocray::cli
