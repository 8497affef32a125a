#!/usr/bin/env bash
# Campaign findings are grouped by the shape of the shrunk schedule, not only by signature.
#
# usage: tests/tools/shapes_test.sh PATH/TO/shapes_cli
#
# shapes_cli is the weft CLI with one scenario of its own (tests/tools/shapes/two_accounts.cpp):
# two check-then-act debits in two places (debit_main, reverse_refund) that end in the same
# invariant, so every violation has one message and one signature, plus noise tasks, so
# each bug is reached by many different executions. Checks: a campaign reports exactly two
# findings with that one signature, one per cause (each shape names the line of its own
# window between check and debit), each reached by several paths; every schedule replays
# the violation; shards merged give the same findings and counts; the fix is clean.
set -u

CLI=${1:?usage: shapes_test.sh PATH/TO/shapes_cli}
[[ -x $CLI ]] || { echo "FAIL: $CLI is not executable"; exit 1; }
SRC=$(dirname "$0")/shapes/two_accounts.cpp
TMP=$(mktemp -d "${TMPDIR:-/tmp}/weft-shapes.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

failures=0
passes=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; passes=$((passes + 1)); }
field() { sed -n "s/^$2: //p" "$1" | head -1; }

# The lines of the two windows, from the source (the shape names them as file:line).
line_main=$(grep -n 'a log call between the check and the debit' "$SRC" | cut -d: -f1)
line_refund=$(grep -n 'the same mistake, elsewhere' "$SRC" | cut -d: -f1)
[[ -n $line_main && -n $line_refund ]] || { echo "FAIL: cannot find the two windows in $SRC"; exit 1; }

ITER=2000
"$CLI" fuzz two-accounts --iterations $ITER --jobs 2 --out "$TMP/full" >"$TMP/full.log" 2>&1
rc=$?
[[ $rc -eq 1 ]] && pass "campaign exits 1 (findings)" || { fail "campaign: exit $rc"; cat "$TMP/full.log"; }
mapfile -t files < <(ls "$TMP"/full/findings/*/finding.txt 2>/dev/null)
[[ ${#files[@]} -eq 2 ]] && pass "two findings" || fail "${#files[@]} findings, want 2: $(sed -n '/^findings/,$p' "$TMP/full/summary.txt")"

sigs=$(for f in "${files[@]}"; do field "$f" signature; done | sort -u)
msgs=$(for f in "${files[@]}"; do field "$f" message; done | sort -u)
[[ $(wc -l <<<"$sigs") -eq 1 && $sigs == invariant\|*two_accounts.cpp:* ]] && pass "one signature for both: $sigs" \
  || fail "signatures: $sigs"
[[ $(wc -l <<<"$msgs") -eq 1 ]] && pass "one message for both: $msgs" || fail "messages: $msgs"

shapes=$(for f in "${files[@]}"; do field "$f" shape; done | sort)
want=$(printf '%s\n' "two_accounts.cpp:$line_main" "two_accounts.cpp:$line_refund" | sort)
got=$(sed 's|.*/||' <<<"$shapes" | sort)
[[ $got == "$want" ]] && pass "one finding per cause: shapes $(tr '\n' ' ' <<<"$got")" \
  || fail "shapes: $(tr '\n' '|' <<<"$shapes"), want the lines $line_main and $line_refund alone"

total=0
for f in "${files[@]}"; do
  n=$(field "$f" count); p=$(field "$f" paths)
  total=$((total + n))
  [[ $p -ge 5 && $n -ge $p ]] && pass "$(field "$f" shape | sed 's|.*/||'): $n occurrences over $p paths" \
    || fail "$(field "$f" shape): count $n paths $p (want several paths)"
  "$CLI" replay "$(dirname "$f")/schedule.weft" --out "$TMP/replay" >"$TMP/replay.log" 2>&1
  rc=$?
  [[ $rc -eq 1 ]] && grep -q 'balance never negative' "$TMP/replay.log" \
    && pass "its schedule replays the violation" || fail "replay of $(dirname "$f"): exit $rc"
done
grep -q '"shape": ' "$TMP/full/summary.json" && grep -q '"paths": ' "$TMP/full/summary.json" \
  && pass "summary.json has shape and paths" || fail "summary.json lacks shape/paths"

# Shards merged: the same findings (ids hash signature and shape) with the same counts.
for k in 0 1; do "$CLI" fuzz two-accounts --iterations $ITER --jobs 1 --shard $k/2 --out "$TMP/s$k" >/dev/null 2>&1; done
"$CLI" merge "$TMP/s0" "$TMP/s1" -o "$TMP/merged" >/dev/null 2>&1
counts() { for f in "$1"/findings/*/finding.txt; do echo "$(basename "$(dirname "$f")") $(field "$f" count)"; done | sort; }
[[ -n $(counts "$TMP/full") && $(counts "$TMP/full") == "$(counts "$TMP/merged")" ]] \
  && pass "2 shards merged: the same findings and counts" \
  || fail "merged: $(counts "$TMP/merged" | tr '\n' ' ') vs $(counts "$TMP/full" | tr '\n' ' ')"

# Determinism is checked on every 64th seed (0, 64, 128, 192 of 200), not on every one: a
# campaign runs one execution per seed, and checking each would run it twice.
"$CLI" fuzz outside-state --iterations 200 --jobs 2 --out "$TMP/nd" >/dev/null 2>&1
nd=$(ls "$TMP"/nd/findings/*/finding.txt 2>/dev/null)
[[ $(wc -l <<<"$nd") -eq 1 && -n $nd && $(field "$nd" kind) == nondeterminism && $(field "$nd" count) == 4 ]] \
  && pass "outside-state: one nondeterminism finding, seen on the 4 checked seeds of 200" \
  || fail "outside-state: $(for f in $nd; do echo "$(field "$f" kind) x$(field "$f" count)"; done | tr '\n' ' ')"
"$CLI" fuzz outside-state.fix --iterations 200 --jobs 2 --out "$TMP/ndfix" >/dev/null 2>&1
[[ $? -eq 0 ]] && pass "outside-state.fix: clean" || fail "outside-state.fix flagged"
"$CLI" fuzz two-accounts.fix --iterations 500 --out "$TMP/fix" >/dev/null 2>&1
rc=$?
[[ $rc -eq 0 ]] && pass "the fix is clean" || fail "fix: exit $rc"

echo "shapes: $passes passed, $failures failed"
[[ $failures -eq 0 ]]
