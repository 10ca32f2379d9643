#!/usr/bin/env bash
# Builds the whole project with AddressSanitizer and UndefinedBehaviorSanitizer into build-asan/
# (-DPICOCRAY_SANITIZE=ON) and runs the test suite there, the fuzz corpus replays included
# (docs/reliability.md). Any sanitizer report fails its test.
#
# Left out: cross/m0plus_build, which compiles firmware/ for the Cortex-M0+ with
# arm-none-eabi-g++ and runs none of it, and the m0plus/, m33/ and emu/ checks, which run
# ARM-built code on emulators (rp2040js, qemu): nothing a host sanitizer can watch, and the plain
# build runs them.
set -euo pipefail
cd "$(dirname "$0")/.."

out=build-asan
jobs=${JOBS:-$(nproc)}
cmake -S . -B "$out" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPICOCRAY_SANITIZE=ON >/dev/null
cmake --build "$out" -j"$jobs"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
(cd "$out" && ctest --output-on-failure -j"$jobs" -E '^(cross|m0plus|m33|emu)/')
