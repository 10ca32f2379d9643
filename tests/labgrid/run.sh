#!/usr/bin/env bash
# The labgrid example (examples/labgrid) against a simulated rig: `picocray sim --pty` behind
# ser2net in RFC 2217 mode, as an exporter serves a board, named in an environment file made from
# examples/labgrid/env-network.yaml with the port picked here. Exit 77 (CTest: skipped), with a
# line saying why, where labgrid, pytest or ser2net is missing.
#
#   tests/labgrid/run.sh PICOCRAY_BINARY
set -euo pipefail
picocray=$(readlink -f "$1")
here=$(cd "$(dirname "$0")/../.." && pwd)
example=$here/examples/labgrid

python=""
for p in /usr/bin/python3 python3; do
  if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import labgrid, pytest' 2>/dev/null; then
    python=$p
    break
  fi
done
if [ -z "$python" ]; then
  echo "SKIPPED: labgrid's pytest plugin is not installed (Debian: python3-labgrid python3-pytest)" >&2
  exit 77
fi
ser2net=$(command -v ser2net || true)
[ -z "$ser2net" ] && [ -x /usr/sbin/ser2net ] && ser2net=/usr/sbin/ser2net
if [ -z "$ser2net" ]; then
  echo "SKIPPED: ser2net is not installed (Debian: ser2net)" >&2
  exit 77
fi

work=$(mktemp -d /tmp/picocray-labgrid-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# The simulated rig: its pseudo-terminal's path is the first line picocray sim prints.
mkfifo "$work/sim.out"
"$picocray" sim --pty "$work/rig" --nodes 4 >"$work/sim.out" 2>"$work/sim.err" &
pids+=($!)
read -r -t 20 rig <"$work/sim.out" || { echo "picocray sim did not start" >&2; cat "$work/sim.err" >&2; exit 1; }
pty=$(readlink -f "$rig")

port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$work/ser2net.yaml" <<YAML
connection: &picocray-rig
  accepter: telnet(rfc2217),tcp,127.0.0.1,$port
  connector: serialdev,$pty,115200n81,local
  options:
    kickolduser: true
YAML
"$ser2net" -n -d -c "$work/ser2net.yaml" >"$work/ser2net.log" 2>&1 &
pids+=($!)
# Ready once the port accepts: a bounded retry (10 s), not a guessed delay.
"$python" - "$port" <<'PY'
import socket, sys, time
deadline = time.monotonic() + 10
while True:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
        break
    except OSError:
        if time.monotonic() > deadline:
            sys.exit("ser2net did not listen within 10 s")
        time.sleep(0.02)  # between tries of the bounded retry
PY

sed -e "s/port: 2000/port: $port/" "$example/env-network.yaml" >"$work/env.yaml"
cd "$work"
PICOCRAY=$picocray LG_PICOCRAY_HOST=127.0.0.1 PYTHONDONTWRITEBYTECODE=1 \
  "$python" -m pytest -q --tb=short -p no:cacheprovider --rootdir "$work" --lg-env "$work/env.yaml" \
  "$example/test_picocray.py"
