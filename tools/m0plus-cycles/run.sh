#!/usr/bin/env bash
# Cycles per iteration of the PicoCray kernels on an emulated Cortex-M0+ (rp2040js), and their
# bit-exactness against the host's portable reference. Prints a Markdown table on stdout.
#
#   tools/m0plus-cycles/run.sh [--check]
#
# Needs node, npm, arm-none-eabi-g++ and a host C++ compiler ($CXX, else c++). --check (the CTest)
# also fails when a kernel misses its target against soft double. M0PLUS_BUILD_DIR moves the build
# output (default tools/m0plus-cycles/build). Exits 77 when npm cannot install rp2040js.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${M0PLUS_BUILD_DIR:-$here/build}

if [ ! -d "$here/node_modules/rp2040js" ]; then
  if ! (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) >&2; then
    echo "run.sh: npm ci failed (is the npm registry reachable?); nothing measured" >&2
    exit 77
  fi
fi
"$here/build.sh" "$out" >&2
"$out/points" > "$out/points.json"
node "$here/run.js" "$out" "$@"
