#!/usr/bin/env bash
# Builds the board firmware (pico and pico2) when a Pico SDK is present: PICO_SDK_PATH, or
# /opt/pico-sdk. The SDK is not a Debian package and is never downloaded here (docs/hardware.md).
set -euo pipefail
cd "$(dirname "$0")/.."
sdk=${PICO_SDK_PATH:-/opt/pico-sdk}
if [ ! -f "$sdk/external/pico_sdk_import.cmake" ] || [ ! -f firmware/CMakeLists.txt ]; then
  echo "firmware: SKIPPED the board build: no Pico SDK at '$sdk' (set PICO_SDK_PATH; see docs/hardware.md)"
  exit 0
fi
mkdir -p build
for board in pico pico2; do
  dir=build/firmware-$board
  cmake -S firmware -B "$dir" -DPICO_SDK_PATH="$sdk" -DPICO_BOARD=$board -DPICO_NO_PICOTOOL=1 >"$dir.configure.log" 2>&1 || { cat "$dir.configure.log"; exit 1; }
  cmake --build "$dir" -j"$(nproc)" 2>&1 | tee "$dir.log" | grep -E "warning|error|: flash [0-9]+ B" || true
  if grep -E "/(common|firmware)/.*warning:" "$dir.log" | grep -v "/pico-sdk/" >/dev/null; then
    echo "firmware: warnings in project code for $board" >&2
    exit 1
  fi
  test -f "$dir/picocray.elf"
  echo "firmware: built $dir/picocray.elf for $board"
done
