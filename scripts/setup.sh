#!/usr/bin/env bash
# Installs the Debian packages PicoCray builds with (only those missing), then configures and
# builds into build/. Safe to run again; it does only what is left to do.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake g++ make pkg-config libserialport-dev libcli11-dev libspdlog-dev libstb-dev
          doctest-dev nlohmann-json3-dev gcc-arm-none-eabi libnewlib-arm-none-eabi
          libstdc++-arm-none-eabi-newlib)
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

build_type=${BUILD_TYPE:-RelWithDebInfo}
cmake -S . -B build -DCMAKE_BUILD_TYPE="$build_type" >/dev/null
cmake --build build -j"$(nproc)"
