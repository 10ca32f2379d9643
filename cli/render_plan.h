// A render as the user describes it (the render command, or one line of a batch file) turned into
// a plan, one job per frame with its output files, every check done before any work; and running
// the plan, writing each frame's files all-or-nothing. (One job on the cluster is
// cluster_render.h.)
#pragma once
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "output_files.h"
#include "picocray/protocol.h"
#include "session.h"

namespace picocray::cli {

struct RenderOptions {
  std::string region;  // X0,X1,Y0,Y1
  std::string center;  // CX,CY (with span)
  std::string span;
  std::string size = "640x480";
  long iterations = 256;
  std::string output, raw, meta;  // "-": stdout
  std::string precision = "auto";
  std::string tile = "32x32";
  std::string palette = "classic";
  std::string nodes;  // index list, resolved against the cluster
  long frames = 0;    // with zoom_to: a zoom sequence
  std::string zoom_to;
  bool verify = false;
  bool json = false;
  bool no_controller = false;
  bool quiet = false;
  bool skip_existing = false;  // frames whose files all exist are not rendered again
  bool display = false;        // mirrored on the controller's LCD (protocol 1.5)
  std::string snapshot;        // after the render, the LCD read back to this PNG (implies display)
};

// Adds the render options to an app: the render command's, or the parser of a batch line.
void add_render_options(CLI::App& app, RenderOptions& o);
// A batch line's words (split_shell) as render options; a leading "render" is allowed.
// Throws CliError(kExitUsage) with CLI11's message.
RenderOptions parse_render_words(std::vector<std::string> words);

struct RenderFrame {
  RenderRequest job;
  std::string png, raw, meta;  // output paths, empty when not asked for
};

struct RenderPlan {
  std::vector<RenderFrame> frames;  // one, or --frames of them
  std::string palette;
  std::string nodes;
  bool verify = false;
  bool quiet = false;
  bool skip_existing = false;
  bool display = false;
  std::string snapshot;  // the LCD after the last frame, 320x240 PNG
};

// Every check that needs no cluster, outputs included (each one writable, none a directory, no
// two the same file, nor one of those already in `outputs`, e.g. the batch's job list); throws
// CliError(kExitUsage) naming the option at fault.
RenderPlan plan_render(const RenderOptions& o, OutputSet* outputs = nullptr);
// Turns --nodes into the jobs' node mask; the indexes must be below node_count.
void apply_node_list(RenderPlan& p, uint32_t node_count);

struct RenderOutcome {
  std::vector<nlohmann::json> metas;  // one per frame rendered
  uint32_t tiles = 0;
  double wall_s = 0;
  uint32_t frames_rendered = 0;
  uint32_t frames_skipped = 0;  // --skip-existing
};

// Runs every frame on the session: verifies when asked, then writes each frame's files. A failure
// removes whatever the failing frame had written; earlier frames stay.
RenderOutcome run_plan(Session& s, const RenderPlan& p, const std::string& label);
// The same over several clusters: each frame's tiles are shared out among them
// (multi_render.h); with one session, exactly the above.
RenderOutcome run_plan(std::vector<Session>& ss, const RenderPlan& p, const std::string& label);

const char* precision_name(Precision p);

// Every count against the host reference; throws CliError(kExitMismatch) at the first difference.
void verify_counts(const RenderRequest& job, const std::vector<uint16_t>& counts);

}  // namespace picocray::cli
