#!/bin/sh
# A directory of renders from a job list: one `render` per line (see `picocray batch --help`).
# Output paths in the list are relative to OUTDIR.
#
#   PICOCRAY_PORT=sim examples/batch-render.sh [JOBLIST] [OUTDIR]
#
# Without JOBLIST, a list of well-known views is used. Environment: PICOCRAY (the binary,
# default `picocray` on PATH), PICOCRAY_PORT (the cluster; picocray reads it itself).
set -eu
PICOCRAY=${PICOCRAY:-picocray}
JOBS=${1:-}
OUT=${2:-renders}

mkdir -p "$OUT"
if [ -z "$JOBS" ]; then
  JOBS="$OUT/jobs.txt"
  cat > "$JOBS" <<'LIST'
# name                 view
--region -2.5,1,-1.25,1.25 --size 640x480 --iterations 256 -o overview.png --meta overview.json
--center -0.7453,0.1127 --span 0.0065 --size 640x480 --iterations 2048 -o seahorse.png --palette fire
--center -0.16,1.0405 --span 0.026 --size 480x480 --iterations 1024 -o spiral.png --palette ocean
--center -1.7497219297423015,0 --span 1e-12 --size 480x360 --iterations 1024 -o deep.png --palette gray
LIST
fi
case "$JOBS" in /*) ;; *) JOBS="$(pwd)/$JOBS" ;; esac

# One session for every job; the summary goes to OUT/summary.txt as well as to the terminal.
status=0
(cd "$OUT" && "$PICOCRAY" batch "$JOBS" --continue-on-error) | tee "$OUT/summary.txt" || status=$?
# With a pipe, $? is tee's: read the outcome from the summary instead.
if grep -q '^FAILED' "$OUT/summary.txt"; then status=1; fi
ok=$(grep -c '^ok' "$OUT/summary.txt" || true)
failed=$(grep -c '^FAILED' "$OUT/summary.txt" || true)
echo "batch-render: $ok rendered, $failed failed, in $OUT/" >&2
exit "$status"
