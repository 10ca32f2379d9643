#!/usr/bin/env bash
# Sets up, builds, and runs every test: the board firmware build when a Pico SDK is present, then
# unit, simulator and CLI tests and the Cortex-M0+ cross-compile check (CTest's summary last).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/firmware.sh
(cd build && ctest --output-on-failure -j"$(nproc)")
