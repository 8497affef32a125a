#!/usr/bin/env bash
# End-to-end test of the fuzzing campaign machinery (weft fuzz / weft merge).
#
# usage: tests/tools/campaign_test.sh PATH/TO/weft
#
# The catalogue has no scenario that segfaults, so the test uses the campaign's own test
# hooks (see tools/weft/CAMPAIGNS.md): WEFT_TEST_CRASH_SEED_MOD=M makes a job's child
# raise SIGSEGV before any execution whose seed % M == 0, WEFT_TEST_HANG_SEED_MOD=M makes
# it hang there (the watchdog must kill it). They exercise the parent's handling of dying
# children, not any scenario.
#
# Checks: a crash is a finding with a token and a schedule file that `weft replay`
# accepts; the campaign completes (every seed is run, exit 1); a hang becomes a `hang`
# finding; shards 0/3, 1/3, 2/3 together run exactly the seeds of the unsharded run;
# merging the shards works and counts add up; bad input is exit 2; a SIGKILLed campaign
# resumes with the same seeds and the same feedback corpus; coverage feedback is
# deterministic and its summary fields are there.
set -u

WEFT=${1:?usage: campaign_test.sh PATH/TO/weft}
[[ -x $WEFT ]] || { echo "FAIL: $WEFT is not executable"; exit 1; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/weft-campaign.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

# A scenario name to fuzz: the first of `weft list`, as NAME.fix (expected to be clean,
# so every finding below comes from the hooks; .bug findings would only add to them).
NAME=$("$WEFT" list | awk 'NR==1 {print $1}')
[[ -n $NAME ]] || { echo "FAIL: weft list printed no scenario"; exit 1; }
TARGET=$NAME.fix
ITER=60
MOD=7   # seeds 0, 7, ..., 56 crash: 9 crashes, one distinct finding

seeds_of() { cat "$1"/jobs/*.seeds 2>/dev/null | sort -n; }
field() { sed -n "s/^$2: //p" "$1/summary.txt" | head -1; }

# 1. A campaign whose children crash completes, and the crash is a replayable finding.
WEFT_TEST_CRASH_SEED_MOD=$MOD "$WEFT" fuzz "$TARGET" --iterations $ITER --jobs 3 --out "$TMP/full" >"$TMP/full.log" 2>&1
rc=$?
[[ $rc -eq 1 ]] && pass "crashing campaign exits 1" || fail "crashing campaign: exit $rc (want 1)"; 
[[ -f $TMP/full/summary.json && -f $TMP/full/summary.txt ]] && pass "summary written" || fail "no summary"
[[ $(field "$TMP/full" executions) -eq $ITER ]] && pass "all $ITER executions counted (crashes included)" \
  || fail "executions: $(field "$TMP/full" executions), want $ITER"
[[ $(field "$TMP/full" crashes) -eq $(( (ITER + MOD - 1) / MOD )) ]] && pass "every crashing seed was a crash" \
  || fail "crashes: $(field "$TMP/full" crashes)"
seq 0 $((ITER - 1)) >"$TMP/want.seeds"
seeds_of "$TMP/full" >"$TMP/full.seeds"
cmp -s "$TMP/want.seeds" "$TMP/full.seeds" && pass "the campaign ran every seed once, past the crashes" \
  || fail "explored seeds differ from 0..$((ITER - 1))"
crash_dir=$(grep -l '^kind: crash' "$TMP"/full/findings/*/finding.txt 2>/dev/null | head -1 | xargs -r dirname)
if [[ -n $crash_dir ]]; then
  pass "crash finding: $crash_dir"
  # SIGSEGV; a sanitizer build catches the signal and exits 1 instead: exit-1.
  grep -Eq "^signature: crash:$TARGET:(SIGSEGV|exit-[0-9]+)$" "$crash_dir/finding.txt" && pass "crash signature" \
    || fail "crash signature: $(grep signature "$crash_dir/finding.txt")"
  grep -q '^count: 9$' "$crash_dir/finding.txt" && pass "crash deduplicated, count 9" \
    || fail "crash count: $(grep count "$crash_dir/finding.txt")"
  token=$(sed -n 's/^token: //p' "$crash_dir/finding.txt")
  [[ $token == w1.* ]] && pass "crash has a token" || fail "crash token '$token'"
  [[ $(cat "$crash_dir/token.txt") == "$token" ]] && pass "token.txt matches" || fail "token.txt differs"
  id=$(basename "$crash_dir")
  [[ -f $TMP/full/corpus/$id.weft ]] && pass "corpus file" || fail "no corpus/$id.weft"
  grep -q '"kind": "crash"' "$TMP/full/summary.json" && grep -q "\"token\": \"$token\"" "$TMP/full/summary.json" \
    && pass "summary.json lists the crash" || fail "summary.json lacks the crash"
  # The schedule replays: seed 0 under the random strategy (no decisions). Without the
  # hook the replay does not crash; it must parse and run (exit 0 or 1, never 2/3).
  "$WEFT" replay "$crash_dir/schedule.weft" --out "$TMP/replay" >"$TMP/replay.log" 2>&1
  rc=$?
  [[ $rc -le 1 ]] && pass "weft replay accepts the crash's schedule file (exit $rc)" \
    || fail "weft replay schedule.weft: exit $rc: $(head -3 "$TMP/replay.log")"
  "$WEFT" replay "$token" --out "$TMP/replay" >/dev/null 2>&1
  rc=$?
  [[ $rc -le 1 ]] && pass "weft replay accepts the crash's token" || fail "weft replay TOKEN: exit $rc"
else
  fail "no crash finding in $TMP/full/findings"; cat "$TMP/full.log"
fi

# 2. The watchdog turns a stuck execution into a hang finding.
WEFT_TEST_HANG_SEED_MOD=5 "$WEFT" fuzz "$TARGET" --iterations 6 --jobs 2 --watchdog 1 --out "$TMP/hang" >"$TMP/hang.log" 2>&1
rc=$?
[[ $rc -eq 1 ]] && grep -q '^kind: hang' "$TMP"/hang/findings/*/finding.txt 2>/dev/null \
  && [[ $(field "$TMP/hang" hangs) -eq 2 ]] && pass "watchdog: 2 hangs found" \
  || { fail "watchdog: exit $rc, hangs '$(field "$TMP/hang" hangs)'"; cat "$TMP/hang.log"; }

# 3. Shards partition the seeds exactly; merge recombines them.
for k in 0 1 2; do
  WEFT_TEST_CRASH_SEED_MOD=$MOD "$WEFT" fuzz "$TARGET" --iterations $ITER --jobs 2 --shard $k/3 --out "$TMP/s$k" \
    >"$TMP/s$k.log" 2>&1
  rc=$?
  [[ $rc -le 1 ]] || fail "shard $k/3: exit $rc: $(tail -1 "$TMP/s$k.log")"
  seeds_of "$TMP/s$k" | awk -v k=$k '$1 % 3 != k {bad=1} END {exit bad}' && pass "shard $k/3 took only seeds = $k mod 3" \
    || fail "shard $k/3 ran a seed of another shard"
done
cat "$TMP"/s{0,1,2}/jobs/*.seeds | sort -n >"$TMP/sharded.seeds"
cmp -s "$TMP/full.seeds" "$TMP/sharded.seeds" && pass "shards 0/3,1/3,2/3 = the unsharded seeds" \
  || fail "sharded seeds differ from unsharded: $(diff "$TMP/full.seeds" "$TMP/sharded.seeds" | head -5)"

# The same split from the environment (Slurm, Kubernetes, CI).
SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=3 "$WEFT" fuzz "$TARGET" --iterations $ITER --jobs 1 --out "$TMP/slurm" >/dev/null 2>&1
JOB_COMPLETION_INDEX=1 WEFT_SHARD_COUNT=3 "$WEFT" fuzz "$TARGET" --iterations $ITER --jobs 1 --out "$TMP/k8s" >/dev/null 2>&1
WEFT_SHARD=1/3 "$WEFT" fuzz "$TARGET" --iterations $ITER --jobs 1 --out "$TMP/ci" >/dev/null 2>&1
for d in slurm k8s ci; do
  cmp -s <(seeds_of "$TMP/s1") <(seeds_of "$TMP/$d") && pass "$d environment selects shard 1/3" || fail "$d shard seeds"
done

"$WEFT" merge "$TMP/s0" "$TMP/s1" "$TMP/s2" -o "$TMP/merged" >"$TMP/merge.log" 2>&1
rc=$?
[[ $rc -eq 1 ]] && pass "merge exits 1 (findings)" || { fail "merge: exit $rc"; cat "$TMP/merge.log"; }
[[ $(field "$TMP/merged" executions) -eq $ITER ]] && pass "merged executions = $ITER" \
  || fail "merged executions: $(field "$TMP/merged" executions)"
[[ $(field "$TMP/merged" seeds) -eq $ITER ]] && pass "merged seeds = $ITER" || fail "merged seeds"
python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); assert sum(s["strategies"].values()) == s["executions"] - s["crashes"] - s["hangs"] > 0' \
  "$TMP/merged/summary.json" && pass "merged strategies: executions per strategy summed over the shards" || fail "merged strategies"
mcrash=$(grep -l '^kind: crash' "$TMP"/merged/findings/*/finding.txt 2>/dev/null | head -1)
[[ -n $mcrash ]] && grep -q '^count: 9$' "$mcrash" && pass "merged crash deduplicated, counts summed to 9" \
  || fail "merged crash: $(cat "$mcrash" 2>/dev/null)"
[[ $(ls "$TMP/merged/findings" | wc -l) -eq $(ls "$TMP/full/findings" | wc -l) ]] \
  && pass "merged findings = unsharded findings" || fail "merged findings differ from the unsharded run"
[[ $(ls "$TMP/merged/corpus" | wc -l) -eq $(ls "$TMP/full/corpus" | wc -l) ]] && pass "merged corpus" || fail "merged corpus"

# 4. Bad usage and bad input: one line, exit 2.
expect_usage() {
  local what=$1; shift
  "$@" >"$TMP/usage.out" 2>"$TMP/usage.err"
  local rc=$?
  if [[ $rc -eq 2 && $(wc -l <"$TMP/usage.err") -eq 1 ]]; then pass "usage: $what"; else
    fail "usage: $what: exit $rc, stderr: $(head -3 "$TMP/usage.err")"; fi
}
mkdir -p "$TMP/garbage" && echo nonsense >"$TMP/garbage/summary.txt"
expect_usage "--shard 3/3" "$WEFT" fuzz "$TARGET" --iterations 3 --shard 3/3 --out "$TMP/u1"
expect_usage "--shard x" "$WEFT" fuzz "$TARGET" --iterations 3 --shard x --out "$TMP/u2"
expect_usage "SLURM without count" env SLURM_ARRAY_TASK_ID=2 "$WEFT" fuzz "$TARGET" --iterations 3 --out "$TMP/u3"
expect_usage "WEFT_SHARD=2/1" env WEFT_SHARD=2/1 "$WEFT" fuzz "$TARGET" --iterations 3 --out "$TMP/u4"
expect_usage "no budget" "$WEFT" fuzz "$TARGET" --out "$TMP/u5"
expect_usage "no --out" "$WEFT" fuzz "$TARGET" --iterations 3
expect_usage "unknown scenario" "$WEFT" fuzz no-such-scenario --iterations 3 --out "$TMP/u6"
expect_usage "reused --out" "$WEFT" fuzz "$TARGET" --iterations 3 --out "$TMP/full"
expect_usage "merge missing dir" "$WEFT" merge "$TMP/nope" -o "$TMP/m2"
expect_usage "merge garbage dir" "$WEFT" merge "$TMP/garbage" -o "$TMP/m3"
expect_usage "merge without -o" "$WEFT" merge "$TMP/s0"

# 5. Campaign arithmetic (tools/weft/CAMPAIGNS.md, "Edge cases"): every combination runs
# the seeds it says or is refused.
expect_usage "--duration 3000000h" "$WEFT" fuzz "$TARGET" --duration 3000000h --out "$TMP/a1"
expect_usage "--iterations 2 --shard 2/3 (no seed)" "$WEFT" fuzz "$TARGET" --iterations 2 --shard 2/3 --out "$TMP/a2"
expect_usage "--seed 2^63 + 2^64-1 iterations" "$WEFT" fuzz "$TARGET" --seed 9223372036854775808 \
  --iterations 18446744073709551615 --out "$TMP/a3"
expect_usage "--iterations 0" "$WEFT" fuzz "$TARGET" --iterations 0 --out "$TMP/a4"
expect_usage "catalogue --iterations 0" "$WEFT" catalogue --iterations 0 --out "$TMP/a5"
"$WEFT" fuzz "$TARGET" --iterations 10 --jobs 2 --out "$TMP/j2" >/dev/null 2>&1
cmp -s <(seq 0 9) <(seeds_of "$TMP/j2") && pass "--jobs 2: both jobs ran, every seed once" \
  || fail "--jobs 2 seeds: $(seeds_of "$TMP/j2" | tr '\n' ' ')"
"$WEFT" fuzz "$TARGET" --iterations 3 --jobs 8 --out "$TMP/j8" >/dev/null 2>&1
cmp -s <(seq 0 2) <(seeds_of "$TMP/j8") && [[ $(field "$TMP/j8" jobs) -eq 3 ]] \
  && pass "--iterations 3 --jobs 8: 3 jobs, seeds 0..2" || fail "--jobs 8 of 3 seeds: jobs $(field "$TMP/j8" jobs)"
# 2^64-1 seeds in shard 0/3: it starts (seeds 0, 3, 6, ...) and runs until stopped.
"$WEFT" fuzz "$TARGET" --iterations 18446744073709551615 --shard 0/3 --jobs 1 --out "$TMP/huge" >/dev/null 2>&1 &
huge=$!
# (Too many seeds for a seed log: the seed of the running execution shows the stride.)
sleep 2
cur=$(awk 'NR == 1 {print $2}' "$TMP/huge/jobs/0.current" 2>/dev/null)
kill -TERM $huge; wait $huge
rc=$?
[[ -n $cur && $((cur % 3)) -eq 0 && $cur -gt 0 ]] && [[ $(field "$TMP/huge" executions) -gt 0 ]] \
  && [[ $(field "$TMP/huge" interrupted) == true ]] && [[ $rc -le 1 ]] \
  && pass "2^64-1 iterations in shard 0/3 runs seeds 0,3,6,... (at seed $cur); SIGTERM leaves an interrupted summary" \
  || fail "huge campaign: exit $rc, executions $(field "$TMP/huge" executions), running seed '$cur'"

# 6. An exception that escapes an execution (here std::bad_alloc from the body) is that
# execution's crash, with its own seed.
WEFT_TEST_THROW_SEED_MOD=5 "$WEFT" fuzz "$TARGET" --iterations 12 --jobs 2 --out "$TMP/throw" >"$TMP/throw.log" 2>&1
rc=$?
tf=$(grep -l 'bad_alloc' "$TMP"/throw/findings/*/finding.txt 2>/dev/null | head -1)
if [[ $rc -eq 1 && -n $tf ]]; then
  seed=$(sed -n 's/^seed: //p' "$tf")
  [[ $((seed % 5)) -eq 0 ]] && pass "escaped bad_alloc charged to its own seed ($seed)" || fail "bad_alloc filed under seed $seed"
  grep -q '^count: 3$' "$tf" && pass "all 3 throwing seeds counted" || fail "bad_alloc count: $(grep count "$tf")"
else
  fail "escaped bad_alloc: exit $rc, no finding"; cat "$TMP/throw.log"
fi

# 7. Children die with the parent; a SIGKILLed campaign resumes with no seed lost or repeated.
"$WEFT" fuzz "$NAME.bug" "$TARGET" --iterations 4000 --jobs 2 --out "$TMP/unint" >/dev/null 2>&1
"$WEFT" fuzz "$NAME.bug" "$TARGET" --iterations 4000 --jobs 2 --out "$TMP/killed" >/dev/null 2>&1 &
parent=$!
for _ in $(seq 1 200); do [[ $(cat "$TMP"/killed/jobs/*.seeds 2>/dev/null | wc -l) -ge 200 ]] && break; sleep 0.05; done
children=$(pgrep -P $parent | tr '\n' ' ')
kill -KILL $parent; wait $parent 2>/dev/null
sleep 0.5
alive=0
# A killed child may stay a zombie until init reaps it: alive means not in state Z.
for c in $children; do
  st=$(awk '{print $3}' "/proc/$c/stat" 2>/dev/null)
  [[ -n $st && $st != Z ]] && alive=$((alive + 1))
done
[[ -n $children && $alive -eq 0 ]] && pass "children ($children) died with the SIGKILLed parent" \
  || fail "children '$children': $alive still alive"
[[ $(field "$TMP/killed" interrupted) == true ]] && pass "the killed campaign left a summary marked interrupted" \
  || fail "killed campaign's summary: interrupted '$(field "$TMP/killed" interrupted)'"
done_before=$(field "$TMP/killed" executions)
"$WEFT" fuzz --resume "$TMP/killed" >"$TMP/resume.log" 2>&1
rc=$?
[[ $rc -eq 1 ]] && pass "resume exits 1 (the bug's findings)" || { fail "resume: exit $rc"; tail -3 "$TMP/resume.log"; }
cmp -s <(seeds_of "$TMP/unint") <(seeds_of "$TMP/killed") \
  && pass "killed + resumed ran exactly the seeds of the uninterrupted run, each once" \
  || fail "resumed seeds differ: $(diff <(seeds_of "$TMP/unint") <(seeds_of "$TMP/killed") | head -4 | tr '\n' ' ')"
[[ $(field "$TMP/killed" executions) -eq 8000 && $(field "$TMP/killed" interrupted) == false ]] \
  && pass "resumed summary: 8000 executions (killed after ${done_before:-?}), not interrupted" \
  || fail "resumed summary: executions $(field "$TMP/killed" executions), interrupted $(field "$TMP/killed" interrupted)"
sig() { sed -n 's/^signature: //p' "$1"/findings/*/finding.txt | sort; }
cmp -s <(sig "$TMP/unint") <(sig "$TMP/killed") && pass "same signatures as the uninterrupted run" \
  || fail "signatures differ: $(diff <(sig "$TMP/unint") <(sig "$TMP/killed") | head -4 | tr '\n' ' ')"
# Feedback: each job's corpus was read back and trimmed to the pairs it had done, so the
# resumed jobs ran the same mutations and grew the same corpus.
corpus_same=1
for f in "$TMP"/unint/jobs/*.corpus; do cmp -s "$f" "$TMP/killed/jobs/$(basename "$f")" || corpus_same=0; done
[[ $corpus_same -eq 1 && -s $TMP/unint/jobs/0.corpus ]] && pass "killed + resumed grew the corpus of the uninterrupted run, byte for byte" \
  || fail "resumed corpus differs from the uninterrupted one"

# 8. A directory in use by a running campaign is refused with one line naming its owner.
"$WEFT" fuzz "$TARGET" --duration 60s --jobs 1 --out "$TMP/busy" >/dev/null 2>&1 &
busy=$!
for _ in $(seq 1 100); do [[ -s $TMP/busy/lock ]] && break; sleep 0.05; done
expect_usage "--out in use" "$WEFT" fuzz "$TARGET" --iterations 3 --out "$TMP/busy"
grep -q "in use by the campaign of pid $busy on host" "$TMP/usage.err" && pass "refusal names pid $busy" \
  || fail "refusal: $(cat "$TMP/usage.err")"
expect_usage "--resume in use" "$WEFT" fuzz --resume "$TMP/busy"
kill -TERM $busy; wait $busy
expect_usage "--out of a finished campaign" "$WEFT" fuzz "$TARGET" --iterations 3 --out "$TMP/busy"

# 9. Coverage feedback (--feedback on, the default): the same campaign twice is the same
# campaign (corpus and findings, byte for byte); the summary shows coverage over time,
# executions per strategy and what found each finding; a mutation's prefix schedule replays.
FB="block-on-under-load when-any-leak --iterations 600 --jobs 2 --seed 77"
read -ra fb <<<"$FB"
"$WEFT" fuzz "${fb[@]}" --out "$TMP/fb1" >"$TMP/fb1.log" 2>&1
"$WEFT" fuzz "${fb[@]}" --out "$TMP/fb2" >/dev/null 2>&1
same=1
for f in "$TMP"/fb1/jobs/*.corpus; do cmp -s "$f" "$TMP/fb2/jobs/$(basename "$f")" || same=0; done
[[ $same -eq 1 && $(cat "$TMP"/fb1/jobs/*.corpus | wc -l) -ge 3 ]] \
  && pass "feedback: the same campaign twice grows the same corpus ($(cat "$TMP"/fb1/jobs/*.corpus | wc -l) entries)" \
  || fail "feedback: corpora differ between two runs of one campaign (or are empty)"
# (Which job publishes a finding both meet is a race between them; what each job counts is not.)
findings_of() { for d in "$1"/findings/*/; do echo "== $(basename "$d")"; grep -E '^(kind|signature|shape|count|paths):' "$d/finding.txt"; done; }
cmp -s <(findings_of "$TMP/fb1") <(findings_of "$TMP/fb2") && pass "feedback: the same findings with the same counts and paths twice" \
  || fail "feedback: findings differ: $(diff <(findings_of "$TMP/fb1") <(findings_of "$TMP/fb2") | head -4 | tr '\n' ' ')"
grep -q "coverage [0-9]* ([0-9]* in corpus)" "$TMP/fb1.log" && grep -qE "executions \([0-9]+/s: mutate [0-9]+(, [a-z:0-9-]+ [0-9]+)+\)" "$TMP/fb1.log" \
  && pass "feedback: the progress line shows coverage and executions/s per strategy" \
  || fail "feedback: progress line: $(grep '^fuzz:' "$TMP/fb1.log" | tail -1)"
python3 - "$TMP/fb1/summary.json" <<'PY' && pass "feedback: summary.json has coverage over time, strategies and each finding's origin" \
  || fail "feedback: summary.json fields"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["feedback"] == "on", s["feedback"]
assert isinstance(s["coverage"], int) and s["coverage"] > 0
assert isinstance(s["corpus_entries"], int) and s["corpus_entries"] > 0
st = s["strategies"]
assert sum(st.values()) == s["executions"], st
assert any(k.startswith("mutate/") for k in st) and any(k.startswith("portfolio/") for k in st), st
assert set(s["strategies_per_s"]) == set(st)
t = s["coverage_over_time"]
assert t and all(a["coverage"] <= b["coverage"] and a["executions"] <= b["executions"] for a, b in zip(t, t[1:])), t
assert t[-1]["coverage"] == s["coverage"] and t[-1]["executions"] == s["executions"], t[-1]
assert s["findings"]
for f in s["findings"]:
    assert f["strategy"].startswith(("portfolio/", "mutate/")), f["strategy"]
    assert (f["corpus_entry"] is not None) == f["strategy"].startswith("mutate/"), f
PY
grep -q "^    found by: portfolio/" "$TMP/fb1/summary.txt" && pass "feedback: summary.txt says what found each finding" \
  || fail "feedback: no 'found by' in summary.txt"
# A crashed mutation is filed with strategy "mutate", the seed and the decisions it kept:
# such a schedule (here the first 6 decisions of a finding) replays through the mutation.
src=$(ls "$TMP"/fb1/findings/*/schedule.weft | head -1)
awk 'BEGIN {n = 0} /^weft-schedule/ {print "weft-schedule 1"; next} /^strategy:/ {print "strategy: mutate"; next} /^(trace|checksum):/ {next}
     /^decisions:/ {d = 1; next} d {for (i = 1; i <= NF && n < 6; i++) {buf = buf (n ? " " : "") $i; n++}; next} {print}
     END {print "decisions: " n; print buf}' "$src" >"$TMP/prefix.weft"
"$WEFT" replay "$TMP/prefix.weft" --out "$TMP/prefix-out" >"$TMP/prefix.log" 2>&1
rc=$?
[[ $rc -le 1 ]] && ! grep -q nondeterminism "$TMP/prefix.log" && pass "a 'mutate' prefix schedule replays (exit $rc)" \
  || fail "mutate prefix replay: exit $rc: $(head -3 "$TMP/prefix.log")"
# --feedback off: every seed a fresh portfolio draw, so the campaign does not depend on how
# it is split into jobs: the same signatures, the same violations in all. (Which paths a job
# shrinks depends on what that job met before: past its shrinking budget a job counts a new
# path as unshrunk. Here 170-odd paths of one deadlock: both campaigns reach the budget.)
"$WEFT" fuzz block-on-under-load --iterations 300 --seed 77 --jobs 1 --feedback off --out "$TMP/off1" >/dev/null 2>&1
"$WEFT" fuzz block-on-under-load --iterations 300 --seed 77 --jobs 3 --feedback off --out "$TMP/off3" >/dev/null 2>&1
signatures() { for f in "$1"/findings/*/finding.txt; do sed -n 's/^signature: //p' "$f"; done | sort -u; }
violations() { local n; n=$(field "$1" unshrunk_hits); for f in "$1"/findings/*/finding.txt; do n=$((n + $(sed -n 's/^count: //p' "$f"))); done; echo "$n"; }
[[ $(field "$TMP/off1" feedback) == off && ! -e $TMP/off1/jobs/0.corpus ]] && cmp -s <(signatures "$TMP/off1") <(signatures "$TMP/off3") \
  && [[ $(violations "$TMP/off1") == "$(violations "$TMP/off3")" && $(violations "$TMP/off1") -gt 0 ]] \
  && pass "--feedback off: no corpus; 1 job and 3 jobs find the same signatures and $(violations "$TMP/off1") violations in all" \
  || fail "--feedback off: $(diff <(signatures "$TMP/off1") <(signatures "$TMP/off3") | head -3 | tr '\n' ' ') violations $(violations "$TMP/off1") vs $(violations "$TMP/off3")"
# The shrinking budget: a frequent deadlock's ever new paths (each shrink replays it many
# times) are not all shrunk; every violation is counted either way.
paths1=$(cat "$TMP"/off1/jobs/*.paths | wc -l)
unshrunk1=$(field "$TMP/off1" unshrunk_hits)
[[ $unshrunk1 -gt 0 && $paths1 -ge 4 ]] && grep -q "more violations of these signatures on paths left unshrunk" "$TMP/off1/summary.txt" \
  && pass "shrinking budget: $paths1 paths shrunk, $unshrunk1 violations on unshrunk paths counted" \
  || fail "shrinking budget: $paths1 paths shrunk, unshrunk_hits '$unshrunk1'"
expect_usage "--feedback maybe" "$WEFT" fuzz "$TARGET" --iterations 3 --feedback maybe --out "$TMP/u9"

if [[ $failures -ne 0 ]]; then echo "$failures check(s) failed"; exit 1; fi
echo "all campaign checks passed"
