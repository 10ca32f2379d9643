#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang into build-fuzz/ and runs each one in turn
# (docs/reliability.md, "Fuzzing").
#
#   scripts/fuzz.sh                   10 s per target, about a minute in all
#   scripts/fuzz.sh 600               10 minutes per target, for a long run
#   scripts/fuzz.sh 60 frame tile     only these targets
#   FUZZ_SEED=random scripts/fuzz.sh  a new random path (the default seed is 1)
#
# Targets: frame messages tile controller secondary decimal. Each starts from the generated seeds
# plus what earlier runs found (build-fuzz/corpus/<target>/) and the committed regression inputs
# (tests/fuzz/corpus/<target>/). A crash, sanitizer report, leak, timeout or failed check fails
# the run; libFuzzer keeps the input in build-fuzz/artifacts/<target>/ and the log in
# build-fuzz/logs/<target>.log.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-10}
[ $# -gt 0 ] && shift
if ! [[ $seconds =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "usage: scripts/fuzz.sh [seconds per target] [target...]" >&2
  exit 2
fi
all=(frame messages tile controller secondary decimal)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
for t in "${targets[@]}"; do
  [[ " ${all[*]} " == *" $t "* ]] || { echo "fuzz: no target '$t' (${all[*]})" >&2; exit 2; }
done
if ! command -v clang++ >/dev/null; then
  echo "fuzz: clang++ not found; install clang and libclang-rt-14-dev (scripts/setup.sh)" >&2
  exit 2
fi

# A fixed seed by default, so the short run in the test command takes the same path each time
# (how far it gets still depends on the machine's speed); FUZZ_SEED=random lets libFuzzer pick.
seed=${FUZZ_SEED:-1}
if [ "$seed" = random ]; then
  seed_flag=
elif [[ $seed =~ ^[0-9]+$ ]]; then
  seed_flag=-seed=$seed
else
  echo "fuzz: FUZZ_SEED must be a number or 'random', not '$seed'" >&2
  exit 2
fi
out=build-fuzz
jobs=${JOBS:-$(nproc)}
mkdir -p "$out/logs"
echo "fuzz: building ${targets[*]} in $out/ (clang)"
if ! { CC=clang CXX=clang++ cmake -S . -B "$out" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
         -DPICOCRAY_FUZZ=ON &&
       cmake --build "$out" -j"$jobs" --target fuzz_seeds "${targets[@]/#/fuzz_}"; } \
     >"$out/logs/build.log" 2>&1; then
  tail -n 40 "$out/logs/build.log" >&2
  echo "fuzz: the build failed; the whole log is $out/logs/build.log" >&2
  exit 1
fi
"$out/tests/fuzz/fuzz_seeds" "$out/corpus"

failed=()
for t in "${targets[@]}"; do
  mkdir -p "$out/artifacts/$t"
  corpora=("$out/corpus/$t")
  [ -d "tests/fuzz/corpus/$t" ] && corpora+=("tests/fuzz/corpus/$t")
  log="$out/logs/$t.log"
  # -timeout: one input taking 10 s is a hang; each should take milliseconds.
  if "$out/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 $seed_flag \
      -print_final_stats=1 -artifact_prefix="$out/artifacts/$t/" "${corpora[@]}" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
    echo "fuzz: $t: ${seconds} s, ${runs:-?} inputs, $cov, no failure"
  else
    failed+=("$t")
    echo "fuzz: $t FAILED; the last lines of $log:" >&2
    tail -n 30 "$log" >&2
    ls "$out/artifacts/$t/" >&2 || true
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  cat >&2 <<MSG
fuzz: failed: ${failed[*]}. Replay an input with  $out/tests/fuzz/fuzz_<target> <file>;
keep it as a regression input in tests/fuzz/corpus/<target>/ (docs/reliability.md).
MSG
  exit 1
fi
echo "fuzz: all ${#targets[@]} targets clean; for a longer run: scripts/fuzz.sh 600"
