#!/usr/bin/env bash
# Sets up, builds, and renders the whole Mandelbrot set on a simulated 8-node cluster, checking
# every count against the host reference.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
./build/cli/picocray --port sim nodes
./build/cli/picocray -v --port sim render --region -2.5,1,-1.25,1.25 --size 640x480 \
  --iterations 256 -o mandelbrot.png --raw mandelbrot.pgm --verify
echo "wrote mandelbrot.png and mandelbrot.pgm" >&2
