#!/bin/sh
# A zoom into the seahorse valley as numbered frames, and a video when ffmpeg is installed.
#
#   PICOCRAY_PORT=sim examples/zoom-movie.sh [OUTDIR]
#
# Environment: PICOCRAY (the binary, default `picocray`), PICOCRAY_PORT (the cluster),
# FRAMES (default 96), SIZE (default 320x240), ITERATIONS (default 1024), FPS (default 24).
set -eu
PICOCRAY=${PICOCRAY:-picocray}
OUT=${1:-zoom}
FRAMES=${FRAMES:-96}
SIZE=${SIZE:-320x240}
ITERATIONS=${ITERATIONS:-1024}
FPS=${FPS:-24}

mkdir -p "$OUT"
# From the whole set to a span of 1e-9 around a point in the seahorse valley; the zoom is
# geometric (the same factor every frame) and computed in fixed point, so deep frames keep
# their digits (the precision rises to 64 bits on its own).
"$PICOCRAY" render --center -0.75,0 --span 3.5 --size "$SIZE" --iterations "$ITERATIONS" \
  --frames "$FRAMES" --zoom-to -0.7436447860,0.1318252536,1e-9 \
  --palette classic -o "$OUT/frame-%04d.png"
echo "zoom-movie: $FRAMES frames in $OUT/" >&2

if command -v ffmpeg >/dev/null 2>&1; then
  ffmpeg -loglevel error -y -framerate "$FPS" -i "$OUT/frame-%04d.png" \
    -c:v libx264 -pix_fmt yuv420p "$OUT/zoom.mp4"
  echo "zoom-movie: video in $OUT/zoom.mp4" >&2
else
  echo "zoom-movie: ffmpeg is not installed, so no video; make one later with:" >&2
  echo "  ffmpeg -framerate $FPS -i $OUT/frame-%04d.png -c:v libx264 -pix_fmt yuv420p zoom.mp4" >&2
fi
