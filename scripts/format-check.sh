#!/usr/bin/env bash
# Fails when any C++ file of the project differs from what clang-format (the root .clang-format)
# makes of it; `clang-format -i` on the files it names fixes them.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v clang-format >/dev/null 2>&1; then
  echo "format: clang-format not found (scripts/setup.sh installs it)" >&2
  exit 1
fi
mapfile -t files < <(git ls-files '*.cpp' '*.h' | grep -v -E '(^|/)node_modules/|^tests/fuzz/corpus/')
bad=()
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
  echo "format: ${#bad[@]} file(s) differ from clang-format: ${bad[*]}" >&2
  exit 1
fi
echo "format: ${#files[@]} files clang-format clean" >&2
