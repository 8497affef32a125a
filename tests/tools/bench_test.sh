#!/usr/bin/env bash
# `weft bench --json --quick`: one JSON object carrying every row (both paths, the ratios,
# the same-program rows, memory), each a positive number. No timing is asserted.
# usage: bench_test.sh path/to/weft
set -u
weft="$1"
out=$("$weft" bench --json --quick) || { echo "FAIL: weft bench --json --quick exited $?"; exit 1; }
[ "$(printf '%s\n' "$out" | wc -l)" = 1 ] || { echo "FAIL: expected one line of JSON"; printf '%s\n' "$out"; exit 1; }
case "$out" in '{'*'}') ;; *) echo "FAIL: not a JSON object: $out"; exit 1 ;; esac
printf '%s' "$out" | grep -q '"quick":true' || { echo "FAIL: \"quick\":true missing"; exit 1; }
fail=0
for key in raw_resume_ns sim_step_ns step_ratio sim_hop_ns real_hop_ns \
  counter_executions_per_s counter_steps_per_execution \
  blocking_counter_executions_per_s blocking_counter_steps_per_execution \
  user_blocking_counter_executions_per_s user_over_bare_blocking_counter user_blocking_counter_steps_per_execution \
  user_random_blocking_counter_executions_per_s user_random_over_bare_blocking_counter \
  user_random_blocking_counter_steps_per_execution user_random_over_bare_yields_100x10 \
  spawn_chain_steps_per_s yields_100x10_steps_per_s yields_100x10_executions_per_s \
  user_yields_100x10_steps_per_s user_yields_100x10_executions_per_s user_over_bare_yields_100x10 \
  inversion_seeds inversion_random_found inversion_random_median_executions \
  inversion_pct3_found inversion_pct3_median_executions \
  capacity_10k_wall_ms capacity_10k_virtual_s live_tasks million_tasks_mb \
  idle_rss_mb user_10k_executions_peak_rss_above_idle_mb; do
  v=$(printf '%s' "$out" | grep -o "\"$key\":[-0-9.e+]*" | head -1 | cut -d: -f2)
  if [ -z "$v" ]; then echo "FAIL: key $key missing"; fail=1; continue; fi
  awk -v v="$v" 'BEGIN { exit !(v + 0 > 0) }' || { echo "FAIL: $key = $v, expected > 0"; fail=1; }
done
# The inversion is a real deadlock: every seed finds it (the explorer's path, 10^4 executions at most).
seeds=$(printf '%s' "$out" | grep -o '"inversion_seeds":[0-9]*' | cut -d: -f2)
for s in random pct3; do
  f=$(printf '%s' "$out" | grep -o "\"inversion_${s}_found\":[0-9]*" | cut -d: -f2)
  [ "$f" = "$seeds" ] || { echo "FAIL: inversion $s found in $f of $seeds seeds"; fail=1; }
done
[ $fail = 0 ] && echo "weft bench --json --quick: all keys present and positive"
exit $fail
