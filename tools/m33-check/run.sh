#!/usr/bin/env bash
# The RP2350's Cortex-M33 kernels (common/src/kernel_m33.cpp) on an emulated Cortex-M33
# (qemu-system-arm, machine mps2-an505): every count and work against the host's portable
# references, then (with --cycles) their cycles per iteration counted from an instruction trace
# (trace.py). Prints one line per width; exits 77 when qemu-system-arm or the ARM toolchain is
# missing (scripts/setup.sh installs both).
#
#   tools/m33-check/run.sh [--cycles]
#
# M33_BUILD_DIR moves the build output (default tools/m33-check/build).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${M33_BUILD_DIR:-$here/build}
for tool in qemu-system-arm arm-none-eabi-g++; do
  if ! command -v "$tool" >/dev/null; then
    echo "m33-check: $tool not found (scripts/setup.sh installs it); the Cortex-M33 kernels are not checked" >&2
    exit 77
  fi
done
mkdir -p "$out"
# The Pico SDK's flags for the RP2350's Cortex-M33, less the FPU (the kernels use none).
flags=(-mcpu=cortex-m33 -mthumb -mfloat-abi=soft -O3 -DNDEBUG -fno-exceptions -fno-unwind-tables
       -fno-rtti -fno-use-cxa-atexit -ffunction-sections -fdata-sections -std=gnu++17
       -Wall -Wextra -Wpedantic -Werror -I"$root/common/include")
sources=("$here/startup.cpp" "$here/image.cpp" "$root/common/src/kernel.cpp" "$root/common/src/kernel_m33.cpp"
         "$root/common/src/fixed.cpp")
# Semihosting output (SYS_WRITE0) goes to a file: run FILE ARGS...
run() {
  local file=$1
  shift
  rm -f "$file"
  timeout 600 qemu-system-arm -M mps2-an505 -display none -monitor none -serial none \
    -chardev file,id=sh,path="$file" -semihosting-config enable=on,target=native,chardev=sh \
    "$@" </dev/null
}

arm-none-eabi-g++ "${flags[@]}" -nostdlib -nostartfiles -T "$here/link.ld" "${sources[@]}" -lc -lgcc \
  -o "$out/image.elf"
"${CXX:-c++}" -std=c++17 -O2 -Wall -Wextra -I"$root/common/include" "$here/host.cpp" \
  "$root/common/src/kernel.cpp" "$root/common/src/fixed.cpp" -o "$out/host"
"$out/host" > "$out/want.txt"
run "$out/got.raw" -kernel "$out/image.elf"
tr -d '\r' < "$out/got.raw" > "$out/got.txt"
if ! diff -u "$out/want.txt" "$out/got.txt" >&2; then
  echo "FAIL: the Cortex-M33 kernels' digests of counts and work differ from the host's (above)" >&2
  exit 1
fi
echo "exactness: Cortex-M33 kernels equal the host's portable references (counts and work) on 4000, 4000 and 1200 seeded points at 32, 64 and 128 bits (emulated)" >&2

if [ "${1:-}" = "--cycles" ]; then
  echo "| precision | cycles/iteration, Cortex-M33 kernel (counted) |"
  echo "|---|---:|"
  for limbs in 1 2 4; do
    arm-none-eabi-g++ "${flags[@]}" -DPICOCRAY_M33_TIMING=$limbs -nostdlib -nostartfiles \
      -T "$here/link.ld" "${sources[@]}" -lc -lgcc -o "$out/timing$limbs.elf"
    arm-none-eabi-objdump -d "$out/timing$limbs.elf" > "$out/timing$limbs.dis"
    arm-none-eabi-nm -S "$out/timing$limbs.elf" > "$out/timing$limbs.sym"
    run "$out/timing$limbs.raw" -kernel "$out/timing$limbs.elf" -singlestep -d exec,nochain \
      -D "$out/trace$limbs.log"
    tr -d '\r' < "$out/timing$limbs.raw" > "$out/timing$limbs.out"
    work=$(sed -n 's/^work 0x\([0-9a-f]*\)$/\1/p' "$out/timing$limbs.out")
    cycles=$(python3 "$here/trace.py" "$out/timing$limbs.dis" "$out/timing$limbs.sym" \
               < "$out/trace$limbs.log" | sed -n 's/^cycles //p')
    rm -f "$out/trace$limbs.log"
    awk -v c="$cycles" -v w=$((16#$work)) -v p=$((32 * limbs)) \
      'BEGIN { printf "| %d-bit fixed | %.1f |\n", p, c / w }'
  done
fi
