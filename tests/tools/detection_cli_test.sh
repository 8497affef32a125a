#!/usr/bin/env bash
# weft_detection's command line: a misspelt bug is one line naming it, exit 2 (not a smaller
# table); a small run prints the bug's row with the kind the portfolio found and exits 0.
# usage: detection_cli_test.sh path/to/weft_detection
set -u
bin="$1"
pass=0
fail=0
check() { if eval "$2"; then pass=$((pass + 1)); else echo "FAIL: $1"; fail=$((fail + 1)); fi; }

err=$("$bin" --bugs reorder_3,reorder_33 2>&1 >/dev/null); rc=$?
check "a misspelt bug exits 2 (got $rc)" '[ "$rc" -eq 2 ]'
check "one line" '[ "$(printf "%s\n" "$err" | wc -l)" -eq 1 ]'
check "the line names the bug and lists the suite" 'printf "%s" "$err" | grep -q "no bug named '"'"'reorder_33'"'"' (the suite: deadlock01, .*twostage_20"'

"$bin" --seeds x >/dev/null 2>&1; rc=$?
check "a bad number exits 2 (got $rc)" '[ "$rc" -eq 2 ]'

out=$("$bin" --bugs twostage_3 --strategies random,portfolio --seeds 2 --twin-budget 20 --exhaustive-cap 20 \
      --preemption-cap 0 --markdown); rc=$?
check "a small run exits 0 (got $rc)" '[ "$rc" -eq 0 ]'
check "its row: the portfolio found the invariant, the twin stayed clean" \
  'printf "%s\n" "$out" | grep -Eq "^\| twostage_3 +\| invariant +\|.*\| invariant +\| clean "'
check "nothing missed or flagged" 'printf "%s\n" "$out" | grep -q "flagged: 0 of 1"'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
