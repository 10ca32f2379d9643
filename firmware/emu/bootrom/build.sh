#!/usr/bin/env bash
# Builds the emulator's boot ROM (bootrom.S) into OUT_DIR/bootrom.bin with the Debian ARM
# toolchain. Usage: build.sh OUT_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh OUT_DIR}
mkdir -p "$out"
arm-none-eabi-gcc -mcpu=cortex-m0plus -mthumb -nostdlib -nostartfiles -Wl,-Ttext=0 -Wl,--build-id=none \
  -Wa,--fatal-warnings "$here/bootrom.S" -o "$out/bootrom.elf"
arm-none-eabi-objcopy -O binary "$out/bootrom.elf" "$out/bootrom.bin"
size=$(stat -c %s "$out/bootrom.bin")
if [ "$size" -gt 16384 ]; then
  echo "bootrom: $size bytes is over the RP2040's 16 KiB ROM" >&2
  exit 1
fi
