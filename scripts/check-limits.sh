#!/usr/bin/env bash
# The structure limits of docs/architecture.md: no file under firmware/core/src over 400 lines, no
# function in common/ or firmware/core/ over 60 lines (the hand-written Cortex-M0+ assembly
# kernels aside), measured with Universal Ctags (`ctags --fields=+ne`: each function's line and end).
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
for f in firmware/core/src/*.cpp; do
  n=$(wc -l <"$f")
  if [ "$n" -gt 400 ]; then echo "limits: $f has $n lines (at most 400)" >&2; status=1; fi
done
if ! command -v ctags >/dev/null 2>&1; then
  echo "limits: SKIPPED the function-length check: no ctags (apt-get install universal-ctags)" >&2
  exit $status
fi
# The name last: it may hold spaces ("operator []").
long=$(ctags -x --_xformat='%n %e %F %N' --kinds-c++=f --fields=+ne -R common firmware/core |
  awk '$3 !~ /kernel_m0plus\.cpp$/ && $2 != "" && ($2 - $1 + 1) > 60 {
    name = $0; sub(/^[^ ]+ [^ ]+ [^ ]+ /, "", name)
    print $3 ":" $1 " " name " (" $2 - $1 + 1 " lines)"}')
if [ -n "$long" ]; then
  echo "limits: functions over 60 lines in common/ or firmware/core/:" >&2
  echo "$long" >&2
  status=1
fi
[ $status -eq 0 ] && echo "limits: files and functions within the limits" >&2
exit $status
