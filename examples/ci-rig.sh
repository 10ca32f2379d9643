#!/bin/sh
# For CI on a rig: the selftest, then golden renders checked bit-exact against the host
# reference, with JUnit XML for the CI server (selftest.xml and golden.xml in OUTDIR).
#
#   PICOCRAY_PORT=/dev/ttyACM0 examples/ci-rig.sh [OUTDIR]
#
# Environment: PICOCRAY (the binary, default `picocray`), PICOCRAY_PORT (the cluster; without
# it, picocray looks for the one PicoCray on USB), EXPECT_NODES (fail unless this many nodes).
# Exit status: 0 only when every check and every golden render passed.
set -u
PICOCRAY=${PICOCRAY:-picocray}
OUT=${1:-ci-results}
mkdir -p "$OUT"
status=0

expect=""
if [ -n "${EXPECT_NODES:-}" ]; then expect="--expect-nodes $EXPECT_NODES"; fi
# shellcheck disable=SC2086
"$PICOCRAY" selftest --junit "$OUT/selftest.xml" $expect > "$OUT/selftest.tap" || status=1
cat "$OUT/selftest.tap"

# Golden renders: name, then the render options. --verify compares every count with the host.
cases=0
failures=0
testcases=""
while read -r name opts; do
  case "$name" in ''|'#'*) continue ;; esac
  cases=$((cases + 1))
  start=$(date +%s)
  # shellcheck disable=SC2086
  if err=$("$PICOCRAY" render $opts --verify -o "$OUT/$name.png" --raw "$OUT/$name.pgm" \
           --meta "$OUT/$name.json" 2>&1 >/dev/null); then
    echo "golden $name: ok" >&2
    testcases="$testcases    <testcase classname=\"picocray.golden\" name=\"$name\" time=\"$(( $(date +%s) - start ))\"/>
"
  else
    failures=$((failures + 1))
    status=1
    echo "golden $name: FAILED: $err" >&2
    msg=$(printf '%s' "$err" | head -n 1 | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g')
    testcases="$testcases    <testcase classname=\"picocray.golden\" name=\"$name\"><failure message=\"$msg\"/></testcase>
"
  fi
done <<'GOLDEN'
overview-32   --region -2.5,1,-1.25,1.25 --size 320x240 --iterations 256
seahorse-32   --center -0.7453,0.1127 --span 0.0065 --size 320x240 --iterations 2048
bulb-64       --center -0.1011,0.9563 --span 1e-9 --size 160x120 --iterations 1024 --precision 64
deep-128      --center -1.7497219297423015,0 --span 1e-20 --size 96x72 --iterations 1024 --precision 128
GOLDEN

tmp="$OUT/golden.xml.tmp.$$"
{
  echo '<?xml version="1.0" encoding="UTF-8"?>'
  echo '<testsuites>'
  echo "  <testsuite name=\"picocray golden renders\" tests=\"$cases\" failures=\"$failures\" errors=\"0\">"
  printf '%s' "$testcases"
  echo '  </testsuite>'
  echo '</testsuites>'
} > "$tmp" && mv "$tmp" "$OUT/golden.xml"

echo "ci-rig: results in $OUT/ (selftest.xml, golden.xml); status $status" >&2
exit "$status"
