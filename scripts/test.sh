#!/usr/bin/env bash
# Sets up, builds, and runs every test: unit, simulator, CLI, the Cortex-M0+ cross-compile check,
# and the board firmware build when a Pico SDK is present.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
(cd build && ctest --output-on-failure -j"$(nproc)")
bash scripts/firmware.sh
