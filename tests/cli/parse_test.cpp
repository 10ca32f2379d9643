// Parsing helpers of the host tool: batch lines, node lists, frame patterns.
#include "parse.h"

#include <doctest/doctest.h>

#include "output_files.h"

using namespace picocray::cli;

TEST_CASE("split_shell: words, quotes, escapes, comments") {
  using V = std::vector<std::string>;
  CHECK(split_shell("  --region -2,1,-1,1   -o a.png ") ==
        V{"--region", "-2,1,-1,1", "-o", "a.png"});
  CHECK(split_shell("-o 'a b.png' --meta \"c \\\"d\\\".json\"") ==
        V{"-o", "a b.png", "--meta", "c \"d\".json"});
  CHECK(split_shell("-o a\\ b.png") == V{"-o", "a b.png"});
  CHECK(split_shell("-o x#y.png # a comment") == V{"-o", "x#y.png"});
  CHECK(split_shell("   # only a comment").empty());
  CHECK(split_shell("").empty());
  CHECK(split_shell("''") == V{""});
  CHECK_THROWS_AS(split_shell("-o 'open"), CliError);
}

TEST_CASE("parse_index_list: indexes and ranges, checked against the cluster") {
  using V = std::vector<uint32_t>;
  CHECK(parse_index_list("0,2-3", "--nodes", 8) == V{0, 2, 3});
  CHECK(parse_index_list("3,1,1-2", "--nodes", 8) == V{1, 2, 3});
  CHECK_THROWS_AS(parse_index_list("0,8", "--nodes", 8), CliError);
  CHECK_THROWS_AS(parse_index_list("3-1", "--nodes", 8), CliError);
  CHECK_THROWS_AS(parse_index_list("a", "--nodes", 8), CliError);
  CHECK_THROWS_AS(parse_index_list("0,,1", "--nodes", 8), CliError);
  CHECK_THROWS_AS(parse_index_list("64", "--nodes", UINT32_MAX), CliError);
}

TEST_CASE("parse_count_list: counts in the order given, each once, within bounds") {
  using V = std::vector<uint32_t>;
  CHECK(parse_count_list("4,2,1", "--clusters-sweep", 1, 16) == V{4, 2, 1});
  CHECK_THROWS_AS(parse_count_list("1,1", "--clusters-sweep", 1, 16), CliError);
  CHECK_THROWS_AS(parse_count_list("0", "--clusters-sweep", 1, 16), CliError);
  CHECK_THROWS_AS(parse_count_list("17", "--clusters-sweep", 1, 16), CliError);
  CHECK_THROWS_AS(parse_count_list("2,", "--nodes-sweep", 1, 64), CliError);
  try {
    parse_count_list("2,4,2", "--nodes-sweep", 1, 64);
    FAIL("a repeated count was taken");
  } catch (const CliError& e) {
    CHECK(std::string(e.what()) == "--nodes-sweep '2,4,2' names 2 twice: give each count once");
    CHECK(e.exit_code == kExitUsage);
  }
}

TEST_CASE("frame patterns") {
  CHECK(has_frame_pattern("out/%04d.png"));
  CHECK(frame_path("out/%04d.png", 7) == "out/0007.png");
  CHECK(frame_path("f%d-100%%.png", 12) == "f12-100%.png");
  CHECK_FALSE(has_frame_pattern("plain.png"));
  CHECK_THROWS_AS(has_frame_pattern("%s.png"), CliError);
  CHECK_THROWS_AS(has_frame_pattern("%d-%d.png"), CliError);
}
