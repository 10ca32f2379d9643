#!/usr/bin/env bash
# The board image on a cluster of emulated RP2040s (firmware/emu), driven by picocray as a user
# would. One case per CTest:
#
#   tests/emu/run.sh PICOCRAY CASE
#
#   bootrom      the emulator's own boot ROM alone (firmware/emu/test/bootrom.test.js): no image needed
#   enrol        `--port emu:3 nodes --json`: 3 nodes, distinct unique IDs
#   render       the README's 64x48 render with --verify; its counts equal sim:3's byte for byte
#   tile-blocks  one 64x64 tile of a detailed view (its block is about 1.5 KB, past the ~460 bytes
#                a fixed 5 ms read held at 1 MHz) from the secondaries only: --verify, equal to
#                sim:3, no transfer abandoned on the bus, no node lost
#   bootsel-baud    `reset --bootsel --via baud`: the CDC line coding set to 1200 baud takes the
#                   controller into the boot ROM's USB boot (reset_usb_boot), and it leaves its port
#   bootsel-vendor  `reset --bootsel --via vendor`: the same by the SDK reset interface's request
#   model        the timing model against the emulated boards (tools/model-check/run.js --check):
#                docs/model.md's jobs on sim:N and emu:N, each --verify, every job within 10 %
#   display      `picocray emu --display` (a virtual ILI9341 on the controller's SPI0): `render
#                --display`, then `display snapshot`, gives the PNG `picocray sim` gives for the same
#                render, byte for byte (the image's LCD driver on the emulated SPI block)
#   watchdog     a secondary locks up (the emulator's --watchdog-fault), its watchdog reboots it, it
#                enrols again: `nodes` lists both secondaries idle, none lost
#
# Exits 77 (CTest: skipped) with one line saying why when the image, node or rp2040js is missing.
# The image: PICOCRAY_FIRMWARE, else build/firmware-pico/picocray.elf (scripts/firmware.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
picocray=${1:?usage: run.sh PICOCRAY CASE}
case_=${2:?usage: run.sh PICOCRAY CASE}
image=${PICOCRAY_FIRMWARE:-$root/build/firmware-pico/picocray.elf}
emu=$root/firmware/emu

skip() {
  echo "emu/$case_: SKIPPED: $1" >&2
  exit 77
}
[ "$case_" = bootrom ] || [ -f "$image" ] || skip "no board image at $image (scripts/firmware.sh builds it when a Pico SDK is present)"
command -v node >/dev/null 2>&1 || skip "node is not installed (the nodejs package)"
command -v arm-none-eabi-gcc >/dev/null 2>&1 || skip "arm-none-eabi-gcc is missing (builds the emulator's boot ROM)"
if [ ! -d "$emu/node_modules/rp2040js" ]; then
  (cd "$emu" && npm ci --no-audit --no-fund --loglevel=error) >&2 || skip "npm ci in firmware/emu failed (is the npm registry reachable?)"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PICOCRAY_FIRMWARE=$image
export EMU_BUILD_DIR=$work/emu-build  # the boot ROM, built from firmware/emu/bootrom

# The value of a top-level JSON field (numbers, booleans), or a check over the node list.
json() { node -e "const j = JSON.parse(require('fs').readFileSync('$1', 'utf8')); console.log($2)"; }
fail() {
  echo "emu/$case_: FAILED: $1" >&2
  exit 1
}

case $case_ in
  bootrom)
    bash "$emu/bootrom/build.sh" "$EMU_BUILD_DIR"
    node "$emu/test/bootrom.test.js" "$EMU_BUILD_DIR/bootrom.bin"
    ;;
  enrol)
    "$picocray" --port emu:3 nodes --json >"$work/nodes.json"
    n=$(json "$work/nodes.json" "j.length")
    ids=$(json "$work/nodes.json" "new Set(j.map((x) => x.unique_id)).size")
    zero=$(json "$work/nodes.json" "j.filter((x) => /^0+$/.test(x.unique_id)).length")
    [ "$n" = 3 ] || fail "nodes listed $n nodes, not 3"
    [ "$ids" = 3 ] || fail "the 3 nodes have $ids distinct unique IDs"
    [ "$zero" = 0 ] || fail "a node reports an all-zero unique ID (the flash 0x4B command unanswered)"
    echo "emu/enrol: 3 nodes, 3 distinct unique IDs"
    ;;
  render)
    args=(render --region -2.5,1,-1.25,1.25 --size 64x48 --iterations 64 --verify)
    "$picocray" --port emu:3 "${args[@]}" -o "$work/e.png" --raw "$work/e.pgm" --json >"$work/e.json"
    "$picocray" --port sim:3 "${args[@]}" --raw "$work/s.pgm" --quiet >/dev/null
    cmp "$work/e.pgm" "$work/s.pgm" || fail "emu:3 counts differ from sim:3's"
    [ "$(json "$work/e.json" "j.verified")" = true ] || fail "the render was not verified"
    echo "emu/render: 64x48 verified, equal to sim:3 byte for byte ($(json "$work/e.json" "j.device_s") s emulated)"
    ;;
  tile-blocks)
    args=(render --region -1.5,0.5,-1,1 --size 64x64 --tile 64x64 --iterations 64 --no-controller --verify)
    "$picocray" --port emu:3 "${args[@]}" --raw "$work/e.pgm" --json >"$work/e.json" 2>"$work/e.err" ||
      { cat "$work/e.err" >&2; fail "the render failed"; }
    "$picocray" --port sim:3 "${args[@]}" --raw "$work/s.pgm" --quiet >/dev/null
    cmp "$work/e.pgm" "$work/s.pgm" || fail "emu:3 counts differ from sim:3's"
    abandoned=$(grep -c "abandoned a read" "$work/e.err" || true)
    lost=$(grep -c "does not answer: lost" "$work/e.err" || true)
    [ "$abandoned" = 0 ] || { cat "$work/e.err" >&2; fail "$abandoned reads were abandoned at their deadline"; }
    [ "$lost" = 0 ] || fail "$lost nodes were dropped"
    echo "emu/tile-blocks: a 64x64 tile block read whole, verified, equal to sim:3"
    ;;
  bootsel-baud | bootsel-vendor)
    via=${case_#bootsel-}
    "$picocray" --port emu:1 reset --bootsel --via "$via" >"$work/out" 2>"$work/err" ||
      { cat "$work/err" >&2; fail "reset --bootsel --via $via failed"; }
    sent=$([ "$via" = baud ] && echo "SET_LINE_CODING 1200 baud" || echo "RESET_REQUEST_BOOTSEL")
    grep -q "host: $sent" "$work/err" || { cat "$work/err" >&2; fail "the emulator got no $sent"; }
    grep -q "controller: entered the USB boot loader (BOOTSEL)" "$work/err" ||
      { cat "$work/err" >&2; fail "the controller did not reach the boot ROM's USB boot"; }
    grep -q "the controller left its port" "$work/out" || fail "picocray did not see the controller go"
    echo "emu/$case_: $sent took the controller into the boot ROM's USB boot"
    ;;
  model)
    node "$root/tools/model-check/run.js" "$picocray" --check
    ;;
  display)
    # A server (emu or sim) in the background; its address is the first line it prints.
    serve() {
      mkfifo "$work/$1.out"
      "$picocray" "$@" --listen 127.0.0.1:0 >"$work/$1.out" 2>"$work/$1.err" &
      pids+=($!)
      exec {fd}<"$work/$1.out"
      read -r -u "$fd" line || { cat "$work/$1.err" >&2; fail "$1 did not start"; }
      addr=${line##* }  # emu: "listening HOST:PORT"; sim: "tcp://HOST:PORT"
      addr=tcp://${addr#tcp://}
    }
    pids=()
    trap 'kill "${pids[@]}" 2>/dev/null; rm -rf "$work"' EXIT
    args=(render --region -2,1,-1.2,1.2 --size 60x48 --iterations 64 --palette fire --display -q)
    for server in emu sim; do
      if [ $server = emu ]; then serve emu --display --nodes 1; else serve sim --nodes 1; fi
      "$picocray" --port "$addr" --timeout 60 "${args[@]}" || fail "render --display on $server failed"
      # The emulator takes one client at a time and may not have seen the last one go yet.
      for _ in $(seq 1 200); do
        "$picocray" --port "$addr" --timeout 60 display snapshot -o "$work/$server.png" 2>"$work/snap.err" && break
      done
      [ -f "$work/$server.png" ] || { cat "$work/snap.err" >&2; fail "display snapshot on $server failed"; }
    done
    cmp "$work/emu.png" "$work/sim.png" || fail "the emulated board's LCD differs from the simulator's"
    echo "emu/display: the board image's LCD reads back equal to the simulator's, byte for byte"
    ;;
  watchdog)
    PICOCRAY_EMU_OPTIONS="--watchdog-fault 1" "$picocray" --port emu:2 nodes --json \
      >"$work/nodes.json" 2>"$work/err" || { cat "$work/err" >&2; fail "nodes failed"; }
    grep -q "secondary 1: its watchdog ran out: rebooting" "$work/err" ||
      { cat "$work/err" >&2; fail "secondary 1's watchdog did not reboot it"; }
    grep -q "secondary 1: rebooted by its watchdog and enrolled again" "$work/err" ||
      { cat "$work/err" >&2; fail "secondary 1 did not claim an address again"; }
    n=$(json "$work/nodes.json" "j.length")
    idle=$(json "$work/nodes.json" "j.filter((x) => x.state === 'idle').length")
    ids=$(json "$work/nodes.json" "new Set(j.map((x) => x.unique_id)).size")
    [ "$n" = 2 ] || fail "nodes listed $n nodes, not 2"
    [ "$idle" = 2 ] || fail "$idle of 2 nodes are idle after the watchdog reboot: $(cat "$work/nodes.json")"
    [ "$ids" = 2 ] || fail "the 2 nodes have $ids distinct unique IDs"
    echo "emu/watchdog: secondary 1 rebooted by its watchdog, enrolled again; 2 nodes idle"
    ;;
  *)
    echo "run.sh: unknown case '$case_' (allowed: bootrom, enrol, render, tile-blocks, display, bootsel-baud, bootsel-vendor, watchdog)" >&2
    exit 2
    ;;
esac
