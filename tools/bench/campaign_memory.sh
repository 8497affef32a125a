#!/usr/bin/env bash
# The memory of a campaign over many executions: peak RSS of the job process after 10^4,
# 10^5 and 10^6 executions of a target that deadlocks every time and of a clean one.
# usage: tools/bench/campaign_memory.sh PATH/TO/weft [MAX_EXPONENT=6]
set -euo pipefail
weft="$1"
max="${2:-6}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '| target | executions | peak RSS of the job | wall time |\n|---|---:|---:|---:|\n'
for target in sync-over-async.bug sync-over-async.fix; do
  for e in $(seq 4 "$max"); do
    n=$((10 ** e))
    start=$(date +%s.%N)
    "$weft" fuzz "$target" --iterations "$n" --jobs 1 --out "$tmp/$target-$e" >/dev/null 2>&1 || [ $? -eq 1 ]
    end=$(date +%s.%N)
    rss=$(sed -n 's/^job_rss_max_kb: //p' "$tmp/$target-$e/summary.txt")
    execs=$(sed -n 's/^executions: //p' "$tmp/$target-$e/summary.txt")
    [ "$execs" = "$n" ] || { echo "campaign_memory: $target ran $execs of $n executions" >&2; exit 1; }
    printf '| `%s` | %s | %s MiB | %.1f s |\n' "$target" "$n" "$(awk -v k="$rss" 'BEGIN{printf "%.1f", k/1024}')" \
      "$(awk -v a="$start" -v b="$end" 'BEGIN{print b - a}')"
  done
done
