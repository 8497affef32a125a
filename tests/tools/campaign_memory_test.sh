#!/usr/bin/env bash
# A campaign on a target that deadlocks in every execution keeps a flat footprint: the job's
# peak RSS after 10^5 executions is within 1.2x of that after 10^4 (each abandoned
# execution frees its heap, sim/src/heap.hpp).
# usage: tests/tools/campaign_memory_test.sh PATH/TO/weft
set -u
WEFT=${1:?usage: campaign_memory_test.sh PATH/TO/weft}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/weft-memory.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
rss() {
  "$WEFT" fuzz sync-over-async.bug --iterations "$1" --jobs 1 --out "$TMP/$1" >/dev/null 2>&1
  [[ $(sed -n 's/^executions: //p' "$TMP/$1/summary.txt") -eq $1 ]] || { echo "FAIL: $1 executions not run" >&2; exit 1; }
  sed -n 's/^job_rss_max_kb: //p' "$TMP/$1/summary.txt"
}
small=$(rss 10000)
large=$(rss 100000)
echo "peak RSS of the job: 10^4 executions $small KiB, 10^5 executions $large KiB"
if awk -v s="$small" -v l="$large" 'BEGIN { exit !(s > 0 && l <= 1.2 * s) }'; then
  echo "ok: ratio $(awk -v s="$small" -v l="$large" 'BEGIN { printf "%.3f", l / s }') <= 1.2"
else
  echo "FAIL: ratio $(awk -v s="$small" -v l="$large" 'BEGIN { printf "%.3f", l / s }') > 1.2"
  exit 1
fi
