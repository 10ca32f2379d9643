#!/usr/bin/env bash
# Builds the harness: the project's kernels for the Cortex-M0+ with the board firmware's flags
# (the Pico SDK's Release build, firmware/CMakeLists.txt), linked for SRAM, and the host program
# that gives every point its reference count. Usage: build.sh [out_dir]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-$here/build}
mkdir -p "$out"

# The SDK's flags for RP2040 C++ sources in a Release build, as picocray.dir/flags.make shows
# them (less -g), and the project's warnings.
arm_flags=(-mcpu=cortex-m0plus -mthumb -O3 -DNDEBUG -fno-exceptions -fno-unwind-tables -fno-rtti
           -fno-use-cxa-atexit -ffunction-sections -fdata-sections -std=gnu++17
           -Wall -Wextra -Wpedantic -Werror)
arm_sources=("$root/common/src/kernel.cpp" "$root/common/src/kernel_m0plus.cpp" "$root/common/src/fixed.cpp"
             "$root/common/src/tile_codec.cpp" "$root/common/src/tile_codec_range.cpp"
             "$root/common/src/crc32.cpp" "$here/harness.cpp")
objs=()
for src in "${arm_sources[@]}"; do
  obj="$out/$(basename "${src%.cpp}").o"
  arm-none-eabi-g++ "${arm_flags[@]}" -I"$root/common/include" -c "$src" -o "$obj"
  objs+=("$obj")
done
# libgcc supplies __aeabi_lmul for the portable kernels and the soft double of the baseline;
# newlib only memset.
arm-none-eabi-g++ "${arm_flags[@]}" -nostdlib -nostartfiles -T "$here/link.ld" \
  "${objs[@]}" -lc -lgcc -o "$out/harness.elf"
arm-none-eabi-objcopy -O binary "$out/harness.elf" "$out/harness.bin"
arm-none-eabi-nm -S "$out/harness.elf" > "$out/harness.sym"
arm-none-eabi-objdump -d "$out/harness.elf" > "$out/harness.dis"

# Host reference counts: the portable kernels from the same common/src files.
"${CXX:-c++}" -std=c++17 -O2 -Wall -Wextra -I"$root/common/include" "$here/points.cpp" \
  "$root/common/src/kernel.cpp" "$root/common/src/fixed.cpp" "$root/common/src/decimal.cpp" \
  -o "$out/points"
