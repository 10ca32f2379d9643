#!/bin/sh
# A scaling chart: `picocray bench --csv` over several node counts, plotted to a PNG when gnuplot
# is installed (otherwise the CSV is printed, and you are told so).
#
#   PICOCRAY_PORT=sim examples/plot-bench.sh [OUT.png]
#
# Environment: PICOCRAY (the binary, default `picocray`), PICOCRAY_PORT (the cluster; on the
# simulator every node count is a fresh simulated cluster, on hardware the first N nodes),
# SCENES (default overview,seahorse), SWEEP (default 1,2,4,8).
set -eu
PICOCRAY=${PICOCRAY:-picocray}
PNG=${1:-bench.png}
SCENES=${SCENES:-overview,seahorse}
SWEEP=${SWEEP:-1,2,4,8}
CSV="${PNG%.png}.csv"

"$PICOCRAY" bench --scenes "$SCENES" --nodes-sweep "$SWEEP" --csv > "$CSV"
echo "plot-bench: figures in $CSV" >&2

if command -v gnuplot >/dev/null 2>&1; then
  # Columns (docs/cli.md): 1 name, 2 nodes, ..., 14 device_s, 18 speedup.
  plots=""
  for scene in $(echo "$SCENES" | tr ',' ' '); do
    plots="$plots${plots:+, }'< grep ^$scene, $CSV' using 2:18 with linespoints title '$scene'"
  done
  gnuplot <<GP
set datafile separator ','
set terminal png size 800,500
set output '$PNG'
set title 'PicoCray speedup over one Pico (controller core 1 alone)'
set xlabel 'secondary nodes'
set ylabel 'speedup'
set key left top
set grid
plot $plots
GP
  echo "plot-bench: chart in $PNG" >&2
else
  echo "plot-bench: gnuplot is not installed, so no chart; the CSV:" >&2
  cat "$CSV"
fi
