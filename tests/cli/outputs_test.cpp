// Output files (issue 12, items 1, 4, 5, 6 and `-o -`): devices and FIFOs written directly, stdout
// as an output, every path checked before any work, modes from the umask or the file replaced,
// symlinks followed, long names.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "picocray_run.h"

using namespace picocray::test;

namespace {

const std::vector<std::string> kSmall = {"--port",    "sim:2",  "render", "--region",
                                         "-2,1,-1,1", "--size", "48x32"};

std::vector<std::string> small(std::vector<std::string> more) {
  std::vector<std::string> a = kSmall;
  a.insert(a.end(), more.begin(), more.end());
  return a;
}

mode_t mode_of(const std::string& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("item 1: a FIFO or device given as output is written, never renamed over") {
  TempDir dir;
  const std::string fifo = dir / "pipe";
  REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
  // A reader holds the FIFO open (without blocking), so picocray's open for writing succeeds; a
  // small PNG fits in the pipe's buffer.
  int rfd = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  REQUIRE(rfd >= 0);
  Run r = run_picocray(small({"-o", fifo}));
  std::string got;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(rfd, buf, sizeof buf)) > 0) got.append(buf, static_cast<size_t>(n));
  ::close(rfd);
  INFO(describe(r));
  CHECK(r.status == 0);
  struct stat st {};
  REQUIRE(::lstat(fifo.c_str(), &st) == 0);
  CHECK(S_ISFIFO(st.st_mode));  // still the FIFO
  CHECK(got.rfind("\x89PNG", 0) == 0);
  CHECK(list_dir(dir.path()).size() == 1);

  Run null = run_picocray(small({"-o", "/dev/null", "--raw", "/dev/null", "--meta", "/dev/null"}));
  INFO(describe(null));
  CHECK(null.status == 2);  // three outputs, one file: refused (item 4)
  Run dn = run_picocray(small({"-o", "/dev/null"}));
  CHECK(dn.status == 0);
  REQUIRE(::stat("/dev/null", &st) == 0);
  CHECK(S_ISCHR(st.st_mode));
  Run full = run_picocray(small({"--raw", "/dev/full"}));
  INFO(describe(full));
  CHECK(full.status == 1);
  CHECK(full.err.find("/dev/full") != std::string::npos);
  CHECK(count_lines(full.err) == 1);
}

TEST_CASE("/dev/stdout and /dev/fd/N on a pipe are written (their links name no file)") {
  // stdout is a pipe here: /dev/stdout -> /proc/self/fd/1 -> "pipe:[N]", which is no path.
  Run png = run_picocray(small({"-o", "/dev/stdout"}));
  INFO(describe(png));
  REQUIRE(png.status == 0);
  CHECK(png.out.rfind("\x89PNG\r\n\x1a\n", 0) == 0);
  Run fd = run_shell(
      "\"$P\" --port sim:2 render --region -2,1,-1,1 --size 48x32 --raw /dev/fd/3 "
      "3>&1 >/dev/null | head -c 14");
  INFO(describe(fd));
  CHECK(fd.status == 0);
  CHECK(fd.out == "P5\n48 32\n65535");
  Run snap = run_picocray({"--port", "sim", "display", "snapshot", "-o", "/dev/stdout"});
  INFO(describe(snap));
  CHECK(snap.status == 0);
  CHECK(snap.out.rfind("\x89PNG", 0) == 0);
}

TEST_CASE("-o - and --raw - write the image to stdout") {
  Run png = run_picocray(small({"-o", "-"}));
  INFO(describe(png));
  REQUIRE(png.status == 0);
  CHECK(png.out.rfind("\x89PNG\r\n\x1a\n", 0) == 0);
  Run pgm = run_picocray(small({"--raw", "-"}));
  REQUIRE(pgm.status == 0);
  CHECK(pgm.out.rfind("P5\n48 32\n65535\n", 0) == 0);
  CHECK(pgm.out.size() == std::string("P5\n48 32\n65535\n").size() + 48 * 32 * 2);
  Run both = run_picocray(small({"-o", "-", "--json"}));
  CHECK(both.status == 2);
  CHECK(both.err.find("stdout") != std::string::npos);
}

TEST_CASE("item 4: two outputs naming one file, or a batch line writing its own job list") {
  TempDir dir;
  for (const char* other : {"--raw", "--meta"}) {
    CAPTURE(other);
    Run r = run_picocray(small({"-o", dir / "same", other, dir / "same"}));
    INFO(describe(r));
    CHECK(r.status == 2);
    CHECK(r.err.find("same file") != std::string::npos);
    CHECK(list_dir(dir.path()).empty());
  }
  // Through a symlink and "./" too.
  REQUIRE(::symlink("a.png", (dir / "link.png").c_str()) == 0);
  Run via = run_picocray(small({"-o", dir / "a.png", "--raw", dir.path() + "/./link.png"}));
  CHECK(via.status == 2);

  const std::string jobs = dir / "jobs.txt";
  const std::string text = "--region -2,1,-1,1 --size 32x32 --meta " + jobs + "\n";
  write_file(jobs, text);
  Run b = run_picocray({"--port", "sim:2", "batch", jobs});
  INFO(describe(b));
  CHECK(b.status == 2);
  CHECK(b.out.find("FAILED 1 ") == 0);
  CHECK(read_file(jobs) == text);
}

TEST_CASE("item 5: an output that is a directory fails before any work") {
  TempDir dir;
  Run r = run_picocray({"--port", "sim:2", "render", "--region", "-2,1,-1,1", "--size", "4096x4096",
                        "--iterations", "20000", "-o", dir.path()});
  INFO(describe(r));
  CHECK(r.status == 2);
  CHECK(r.err.find("is a directory") != std::string::npos);
  CHECK(r.seconds < 10);  // the 4096x4096 job never ran
  Run s = run_picocray({"--port", "sim:2", "selftest", "--junit", dir.path()});
  INFO(describe(s));
  CHECK(s.status == 2);
  CHECK(s.out.empty());  // no check ran
}

TEST_CASE("item 6: modes follow the umask and the file replaced, symlinks followed, long names") {
  TempDir dir;
  const std::string tail = " --port sim:2 render --region -2,1,-1,1 --size 32x32 -o ";
  Run a = run_shell("umask 077; \"$P\"" + tail + "'" + dir / "private.png" + "'");
  INFO(describe(a));
  REQUIRE(a.status == 0);
  CHECK(mode_of(dir / "private.png") == 0600);
  Run b = run_shell("umask 022; \"$P\"" + tail + "'" + dir / "public.png" + "'");
  REQUIRE(b.status == 0);
  CHECK(mode_of(dir / "public.png") == 0644);

  write_file(dir / "kept.png", "old");
  REQUIRE(::chmod((dir / "kept.png").c_str(), 0600) == 0);
  Run c = run_shell("umask 022; \"$P\"" + tail + "'" + dir / "kept.png" + "'");
  REQUIRE(c.status == 0);
  CHECK(mode_of(dir / "kept.png") == 0600);
  CHECK(read_file(dir / "kept.png").rfind("\x89PNG", 0) == 0);

  write_file(dir / "target.png", "old");
  REQUIRE(::symlink("target.png", (dir / "link.png").c_str()) == 0);
  Run d = run_picocray(small({"-o", dir / "link.png"}));
  REQUIRE(d.status == 0);
  struct stat st {};
  REQUIRE(::lstat((dir / "link.png").c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));                                     // the link stays a link...
  CHECK(read_file(dir / "target.png").rfind("\x89PNG", 0) == 0);  // ...and its target is written

  const std::string long_name = std::string(250, 'n') + ".png";
  Run e = run_picocray(small({"-o", dir / long_name}));
  INFO(describe(e));
  CHECK(e.status == 0);
  CHECK(file_exists(dir / long_name));
  CHECK(list_dir(dir.path()).size() == 6);  // no temporary left
}
