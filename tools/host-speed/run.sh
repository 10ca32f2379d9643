#!/usr/bin/env bash
# Host speed, side by side in one run: `picocray --port sim render` of the seahorse valley at
# 1920x1080, 2048 iterations, to PNG, against a plain single-threaded double loop over the same
# pixels (compiled here with -O2). Prints both wall times and their ratio.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
picocray=${PICOCRAY:-$root/build/cli/picocray}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc -O2 -o "$work/double_loop" "$here/double_loop.c"
region="-0.7615,-0.7315,0.08625,0.11125"  # centre -0.7465,0.09875, span 0.03, 16:9
args=(-0.7615 -0.7315 0.08625 0.11125 1920 1080 2048)
t0=$(date +%s.%N)
"$work/double_loop" "${args[@]}" >/dev/null
t1=$(date +%s.%N)
"$picocray" --port sim -q render --region "$region" --size 1920x1080 --iterations 2048 -o "$work/s.png"
t2=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN {
  d = b - a; p = c - b;
  printf "double loop (1 thread):        %.2f s\n", d;
  printf "picocray --port sim render:    %.2f s (host wall time, PNG included)\n", p;
  printf "ratio picocray / double loop:  %.2f\n", p / d }'
