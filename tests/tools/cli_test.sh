#!/usr/bin/env bash
# The CLI contract: every subcommand, every exit code, bad input gets one line and exit 2.
# usage: cli_test.sh path/to/weft
set -u
weft="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
pass=0
expect() {  # expect CODE description -- command...
  local code="$1" what="$2"
  shift 3
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" != "$code" ]; then
    echo "FAIL: $what: exit $got, expected $code"; sed 's/^/  | /' "$tmp/err" | head -5; fail=$((fail + 1))
  else
    pass=$((pass + 1))
  fi
}
one_line_error() {  # the last command's stderr is exactly one line
  local n
  n=$(wc -l <"$tmp/err")
  if [ "$n" != 1 ]; then echo "FAIL: $1: expected one line on stderr, got $n"; cat "$tmp/err"; fail=$((fail + 1)); else pass=$((pass + 1)); fi
}

expect 0 "list" -- "$weft" list
grep -q '^sync-over-async *deadlock' "$tmp/out" || { echo "FAIL: list lacks sync-over-async deadlock"; fail=$((fail + 1)); }
[ "$(wc -l <"$tmp/out")" -ge 13 ] || { echo "FAIL: list has fewer than 13 scenarios"; fail=$((fail + 1)); }

expect 2 "no command" -- "$weft"
expect 2 "unknown command" -- "$weft" frobnicate; one_line_error "unknown command"
expect 2 "unknown scenario" -- "$weft" run no-such-scenario; one_line_error "unknown scenario"
expect 2 "bad strategy" -- "$weft" run sync-over-async --strategy bogus; one_line_error "bad strategy"
expect 2 "bad iterations" -- "$weft" run sync-over-async --iterations -3; one_line_error "bad iterations"
expect 2 "unknown flag" -- "$weft" run sync-over-async --frob; one_line_error "unknown flag"

WEFT_STEPS=lots expect 2 "bad WEFT_STEPS" -- "$weft" run sync-over-async.fix --iterations 1 --out "$tmp/ws"; one_line_error "bad WEFT_STEPS"
WEFT_TIME_MAX_MS=-1 expect 2 "bad WEFT_TIME_MAX_MS" -- "$weft" run sync-over-async.fix --iterations 1 --out "$tmp/ws"; one_line_error "bad WEFT_TIME_MAX_MS"
# --out naming an existing file: refused up front (before exploring), one line, exit 2.
: > "$tmp/a-file"
expect 2 "--out is a file (run)" -- "$weft" run sync-over-async.bug --out "$tmp/a-file"; one_line_error "--out is a file (run)"
expect 2 "--out is a file (catalogue)" -- "$weft" catalogue --out "$tmp/a-file"; one_line_error "--out is a file (catalogue)"
expect 2 "--out is a file (fuzz)" -- "$weft" fuzz sync-over-async --iterations 5 --out "$tmp/a-file"; one_line_error "--out is a file (fuzz)"

expect 1 "run bug" -- "$weft" run sync-over-async.bug --out "$tmp/o" --json
grep -q '"verdict":"violation"' "$tmp/out" && grep -q '"kind":"deadlock"' "$tmp/out" || { echo "FAIL: run --json"; cat "$tmp/out"; fail=$((fail + 1)); }
[ -s "$tmp/o/sync-over-async.bug/schedule.weft" ] || { echo "FAIL: no schedule file"; fail=$((fail + 1)); }
hash1=$(sed -n 's/.*"trace_hash":"\([0-9a-f]*\)".*/\1/p' "$tmp/out")
# The trace schema travels with every serialised trace: --json, trace.txt, finding.weft, timeline.json.
grep -q '"trace_schema":2[,}]' "$tmp/out" || { echo "FAIL: run --json has no trace_schema"; fail=$((fail + 1)); }
d="$tmp/o/sync-over-async.bug"
[ "$(head -1 "$d/trace.txt")" = "weft-trace schema 2" ] || { echo "FAIL: trace.txt does not start with its schema"; fail=$((fail + 1)); }
[ "$(head -2 "$d/finding.weft" 2>/dev/null | tr '\n' ' ')" = "weft-finding 2 trace-schema 2 " ] ||
  { echo "FAIL: finding.weft does not start with its version and schema"; fail=$((fail + 1)); }
grep -q '"weft_trace_schema":2' "$d/timeline.json" || { echo "FAIL: timeline.json has no weft_trace_schema"; fail=$((fail + 1)); }
token=$(cat "$tmp/o/sync-over-async.bug/token.txt")

expect 0 "run fix" -- "$weft" run sync-over-async.fix --iterations 200 --out "$tmp/o"

expect 1 "replay file" -- "$weft" replay "$tmp/o/sync-over-async.bug/schedule.weft" --json --out "$tmp/r"
hash2=$(sed -n 's/.*"trace_hash":"\([0-9a-f]*\)".*/\1/p' "$tmp/out")
[ -n "$hash1" ] && [ "$hash1" = "$hash2" ] || { echo "FAIL: replay trace hash $hash2 != run's $hash1"; fail=$((fail + 1)); }
expect 1 "replay token" -- "$weft" replay "$token" --json --out "$tmp/r"
hash3=$(sed -n 's/.*"trace_hash":"\([0-9a-f]*\)".*/\1/p' "$tmp/out")
[ "$hash1" = "$hash3" ] || { echo "FAIL: token replay hash $hash3 != $hash1"; fail=$((fail + 1)); }

# Bad schedules: garbage, truncated token, truncated file, wrong version, empty, missing file.
printf 'garbage\x01\x02' >"$tmp/garbage"
expect 2 "garbage file" -- "$weft" replay "$tmp/garbage"; one_line_error "garbage file"
expect 2 "truncated token" -- "$weft" replay "${token:0:20}"; one_line_error "truncated token"
expect 2 "flipped token" -- "$weft" replay "${token%?}x"; one_line_error "flipped token"
head -c 60 "$tmp/o/sync-over-async.bug/schedule.weft" >"$tmp/trunc.weft"
expect 2 "truncated file" -- "$weft" replay "$tmp/trunc.weft"; one_line_error "truncated file"
sed '1s/.*/weft-schedule 99/' "$tmp/o/sync-over-async.bug/schedule.weft" >"$tmp/v99.weft"
expect 2 "wrong version" -- "$weft" replay "$tmp/v99.weft"; one_line_error "wrong version"
: >"$tmp/empty.weft"
expect 2 "empty file" -- "$weft" replay "$tmp/empty.weft"; one_line_error "empty file"
expect 2 "missing file" -- "$weft" replay "$tmp/does/not/exist.weft"; one_line_error "missing file"
sed 's/^scenario: .*/scenario: no-such-scenario.bug/' "$tmp/o/sync-over-async.bug/schedule.weft" >"$tmp/unknown.weft"
expect 2 "schedule of an unknown scenario" -- "$weft" replay "$tmp/unknown.weft"; one_line_error "unknown scenario in schedule"

# A schedule carries its trace and a checksum: a changed field is a corrupt file (exit 2),
# never the program's nondeterminism.
grep -q '^weft-schedule 2$' "$tmp/o/sync-over-async.bug/schedule.weft" || { echo "FAIL: schedule file is not version 2"; fail=$((fail + 1)); }
sed 's/^seed: .*/seed: 99/' "$tmp/o/sync-over-async.bug/schedule.weft" >"$tmp/edited.weft"
cmp -s "$tmp/edited.weft" "$tmp/o/sync-over-async.bug/schedule.weft" && { echo "FAIL: the edit changed nothing"; fail=$((fail + 1)); }
expect 2 "corrupt schedule" -- "$weft" replay "$tmp/edited.weft"; one_line_error "corrupt schedule"
grep -q 'bad checksum' "$tmp/err" || { echo "FAIL: corrupt schedule not named a bad checksum"; cat "$tmp/err"; fail=$((fail + 1)); }
# Oversized input: refused before it is read.
truncate -s 17M "$tmp/huge.weft"
expect 2 "oversized schedule" -- "$weft" replay "$tmp/huge.weft"; one_line_error "oversized schedule"
# Control bytes in a name never reach the terminal raw.
expect 2 "name with ESC" -- "$weft" run "$(printf 'x\033[31my\nz')"; one_line_error "name with ESC"
if LC_ALL=C grep -q "$(printf '\033')" "$tmp/err"; then echo "FAIL: raw ESC on stderr"; fail=$((fail + 1)); fi

for ext in dot svg json md png; do
  expect 0 "render $ext" -- "$weft" render "$tmp/o/sync-over-async.bug/schedule.weft" -o "$tmp/pic.$ext"
  [ -s "$tmp/pic.$ext" ] || { echo "FAIL: render $ext wrote nothing"; fail=$((fail + 1)); }
done
grep -q '<svg' "$tmp/pic.svg" || { echo "FAIL: svg"; fail=$((fail + 1)); }
grep -q 'traceEvents' "$tmp/pic.json" || { echo "FAIL: chrome json"; fail=$((fail + 1)); }
expect 2 "render bad extension" -- "$weft" render "$tmp/o/sync-over-async.bug/schedule.weft" -o "$tmp/pic.gif"; one_line_error "render ext"
expect 2 "render without -o" -- "$weft" render "$tmp/o/sync-over-async.bug/schedule.weft"; one_line_error "render -o"

expect 1 "fuzz" -- "$weft" fuzz sync-over-async.bug --iterations 20 --jobs 2 --out "$tmp/f"
expect 0 "fuzz fix" -- "$weft" fuzz sync-over-async.fix --iterations 20 --jobs 2 --out "$tmp/g"
expect 2 "fuzz without --out" -- "$weft" fuzz sync-over-async --iterations 5; one_line_error "fuzz --out"
expect 1 "merge" -- "$weft" merge "$tmp/f" "$tmp/g" -o "$tmp/m"
expect 2 "merge missing dir" -- "$weft" merge "$tmp/nope" -o "$tmp/m2"; one_line_error "merge missing"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
