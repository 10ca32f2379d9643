#!/usr/bin/env bash
# Sets up, builds, and runs every test: the clang-format and structure-limit checks, the board
# firmware build when a Pico SDK is present, the test suite under AddressSanitizer and
# UndefinedBehaviorSanitizer, a short fuzzing run, then the unit, simulator and CLI tests and the
# Cortex-M0+ checks (CTest's summary last).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/format-check.sh
bash scripts/check-limits.sh
bash scripts/firmware.sh
bash scripts/sanitize.sh
bash scripts/fuzz.sh 10
(cd build && ctest --output-on-failure -j"$(nproc)")
