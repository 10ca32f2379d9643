#!/usr/bin/env bash
# Host speed, side by side in one run (docs/performance.md, "Host speed"):
#  1. the kernels alone, one thread, CPU time: a plain double loop (gcc -O2), the portable kernel
#     and each SIMD kernel this CPU runs (host_kernel_bench, best of 3), on the seahorse view at
#     32 bits and on a view deep enough to need 64; and the deep bench scene's 128-bit kernel;
#  2. the whole `picocray --port sim render` at 1920x1080, 2048 iterations, to PNG, against the
#     double loop over the same pixels, wall time, for both views;
#  3. `picocray --port sim bench --scenes deep` (128-bit), wall time.
# Usage: tools/host-speed/run.sh   (PICOCRAY=path/to/picocray, BENCH=path/to/host_kernel_bench,
#        BASELINE=path/to/an/older/picocray to time the deep scene on it too)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
picocray=${PICOCRAY:-$root/build/cli/picocray}
bench=${BENCH:-$root/build/tools/host-speed/host_kernel_bench}
for f in "$picocray" "$bench"; do
  [[ -x $f ]] || { echo "run.sh: $f is not built (cmake --build build --target picocray host_kernel_bench)" >&2; exit 2; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc -O2 -o "$work/double_loop" "$here/double_loop.c"

# The two views: the seahorse valley (32-bit at 1920x1080) and a 1e-8 close-up of the spiral
# near -0.7436438870, 0.1318259043 (pixel spacing 5e-12: 64-bit; double still resolves it).
sea=(-0.7615 -0.7315 0.08625 0.11125)
deep=(-0.74364389 -0.74364388 0.131825902 0.131825907625)
join() { local IFS=,; echo "$*"; }

echo "host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)"

# Runs the double loop; prints "<wall s> <cpu s> <iterations>".
double_loop() {
  local t0 t1 out
  t0=$(date +%s.%N)
  out=$( { TIMEFORMAT='%U %S'; time "$work/double_loop" "$@" >"$work/dl.out"; } 2>&1 )
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" -v c="$out" -v n="$(cat "$work/dl.out")" \
    'BEGIN { split(c, u, " "); printf "%.3f %.3f %s\n", b - a, u[1] + u[2], n }'
}

kernels() {  # bits x0 x1 y0 y1 w h iter
  local bits=$1; shift
  local r; r=$(double_loop "$@")
  awk -v r="$r" 'BEGIN { split(r, v, " ");
    printf "%-26s  double  %12.3f G iterations  %8.3f s CPU  %7.3f G it/s per core\n",
           "plain double loop (-O2)", v[3] * 1e-9, v[2], v[3] * 1e-9 / v[2] }'
  "$bench" "$@" "$bits" 3
}

echo
echo "== 1. kernels, one thread, CPU time (best of 3), 960x540, 2048 iterations"
echo "-- seahorse view, 32-bit"
kernels 32 "${sea[@]}" 960 540 2048
echo "-- deep view (span 1e-8), 64-bit"
kernels 64 "${deep[@]}" 960 540 2048
echo "-- the deep bench scene (centre -1.7497219297423015,0, span 1e-20), 320x240, 1024 iterations, 128-bit"
"$bench" -1.749721929742301500005 -1.749721929742301499995 \
  -0.00000000000000000000375 0.00000000000000000000375 320 240 1024 128 3

echo
echo "== 2. whole render, 1920x1080, 2048 iterations, wall time (picocray: PNG included)"
render() {  # label x0 x1 y0 y1
  local label=$1; shift
  local r t1 t2
  r=$(double_loop "$@" 1920 1080 2048)
  t1=$(date +%s.%N)
  "$picocray" --port sim -q render --region "$(join "$@")" --size 1920x1080 --iterations 2048 \
    -o "$work/r.png"
  t2=$(date +%s.%N)
  awk -v r="$r" -v a="$t1" -v b="$t2" -v l="$label" 'BEGIN { split(r, v, " "); p = b - a;
    printf "%-9s double loop (1 thread) %7.2f s   picocray --port sim render %6.2f s   ratio %.2f\n",
           l, v[1], p, p / v[1] }'
}
render seahorse "${sea[@]}"
render deep "${deep[@]}"

echo
echo "== 3. picocray --port sim bench --scenes deep (128-bit), wall time, best of 3"
deep_bench() {  # picocray binary
  local best="" w
  for _ in 1 2 3; do
    w=$("$1" --port sim bench --scenes deep --no-baseline --json | sed -n 's/.*"wall_s": *\([0-9.e+-]*\).*/\1/p' | head -1)
    best=$(awk -v a="$best" -v b="$w" 'BEGIN { print (a == "" || b < a) ? b : a }')
  done
  echo "$best"
}
now=$(deep_bench "$picocray")
echo "this build:   $now s"
# BASELINE=path/to/an/older/picocray: the same scene on it, in the same run.
if [[ -n ${BASELINE:-} ]]; then
  then_=$(deep_bench "$BASELINE")
  awk -v a="$then_" -v b="$now" 'BEGIN { printf "baseline:     %s s   (this build %.1fx shorter)\n", a, a / b }'
fi
