#!/usr/bin/env bash
# Installs the Debian packages PicoCray builds with (only those missing), then configures and
# builds into build/. Safe to run again; it does only what is left to do.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake g++ make pkg-config libserialport-dev libcli11-dev libspdlog-dev libstb-dev
          doctest-dev nlohmann-json3-dev gcc-arm-none-eabi libnewlib-arm-none-eabi
          libstdc++-arm-none-eabi-newlib clang libclang-rt-14-dev clang-format universal-ctags
          qemu-system-arm ser2net python3-labgrid python3-pytest)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# The Cortex-M0+ cycle harness's pinned npm packages (tools/m0plus-cycles), when npm is present.
if command -v npm >/dev/null 2>&1 && [ ! -d tools/m0plus-cycles/node_modules/rp2040js ]; then
  (cd tools/m0plus-cycles && npm ci --no-audit --no-fund --loglevel=error) >&2 ||
    echo "setup: npm ci in tools/m0plus-cycles failed; the m0plus CTest will be skipped" >&2
fi
# The emulated cluster's pinned npm packages (firmware/emu: `--port emu:N`), when npm is present.
if command -v npm >/dev/null 2>&1 && [ ! -d firmware/emu/node_modules/rp2040js ]; then
  (cd firmware/emu && npm ci --no-audit --no-fund --loglevel=error) >&2 ||
    echo "setup: npm ci in firmware/emu failed; the emu CTests will be skipped" >&2
fi

build_type=${BUILD_TYPE:-RelWithDebInfo}
cmake -S . -B build -DCMAKE_BUILD_TYPE="$build_type" >/dev/null
cmake --build build -j"$(nproc)"
