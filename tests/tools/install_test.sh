#!/usr/bin/env bash
# Installs weft from a build tree and uses it from a project outside the tree:
#  - find_package(weft) gets every target (weft::runtime ... weft::render, weft::main, the
#    weft CLI as weft::weft); the consumer builds and links each one;
#  - add_subdirectory(weft) gets the same targets (configured only: building weft twice
#    would cost minutes);
#  - the consumer's failing Catch2 test (weft::check) writes the artefact directory, prints a
#    replay line that reproduces the same trace hash, and the *installed* weft draws its
#    finding to SVG and explains it with `weft replay`.
# usage: install_test.sh BUILD_DIR
set -uo pipefail
build="$1"
here="$(cd "$(dirname "$0")" && pwd)"
source_dir="$(cd "$here/../.." && pwd)"
tmp=$(mktemp -d)
trap '[ -n "${WEFT_KEEP:-}" ] || rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
must() { "$@" >"$tmp/log" 2>&1 || { echo "FAIL: $*"; tail -20 "$tmp/log"; echo "$pass passed, $((fail + 1)) failed"; exit 1; }; }

must cmake --install "$build" --prefix "$tmp/prefix"
weft="$tmp/prefix/bin/weft"
[ -x "$weft" ] && ok || bad "no installed bin/weft"
must cmake -S "$here/consumer" -B "$tmp/consumer" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/prefix"
must cmake --build "$tmp/consumer" -j2

"$tmp/consumer/consumer_trace" >/dev/null && ok || bad "consumer_trace (weft::trace alone)"
"$tmp/consumer/consumer" >/dev/null && ok || bad "consumer (weft::sim, weft::http, weft::properties)"
"$tmp/consumer/consumer_render" >/dev/null && ok || bad "consumer_render (weft::render)"
"$tmp/consumer/consumer_cli" run consumer-feed --out "$tmp/cli" >/dev/null; [ $? = 1 ] && ok || bad "consumer_cli run (weft::main)"
[ -s "$tmp/cli/consumer-feed.bug/schedule.svg" ] && ok || bad "consumer_cli wrote no schedule.svg"
"$tmp/consumer/consumer_catalogue" list | grep -q '^sync-over-async' && ok || bad "consumer_catalogue list (weft::scenarios)"
"$weft" list | grep -q '^sync-over-async' && ok || bad "installed weft list"

# The user's failing test.
mkdir -p "$tmp/run" && cd "$tmp/run"
"$tmp/consumer/orders_test" >"$tmp/test.out" 2>"$tmp/test.err"
[ $? != 0 ] && ok || bad "orders_test passed: the lock-order bug was not found"
# The clean twin passes, and its check counts as an assertion (Catch2's -w NoAssertions).
"$tmp/consumer/orders_test" "orders in one lock order" -w NoAssertions >"$tmp/twin.out" 2>&1 && ok ||
  { bad "the clean twin failed (or asserted nothing)"; tail -20 "$tmp/twin.out"; }
for f in schedule.weft token.txt trace.txt finding.weft report.md schedule.svg schedule.dot timeline.json; do
  [ -s "weft-out/orders/$f" ] && ok || bad "weft-out/orders/$f missing"
done
grep -q '1\. deadlock: ' "$tmp/test.out" && ok || bad "the message does not start with the deadlock"
grep -q 'deadlock: deadlock' "$tmp/test.out" && bad "the message repeats the kind" || ok
hash1=$(sed -n 's/.*trace hash: \([0-9a-f]\{16\}\).*/\1/p' "$tmp/test.out" | head -1)
line=$(sed -n "s/^weft: 'orders': replay: //p" "$tmp/test.err" | head -1)
[ -n "$hash1" ] && [ -n "$line" ] && ok || { bad "no trace hash or replay line"; cat "$tmp/test.out" "$tmp/test.err"; }
# The replay line as printed, pasted into a shell, with the test's name as Catch2's filter.
eval "$line 'orders never deadlock'" >"$tmp/replay.out" 2>&1
hash2=$(sed -n 's/.*trace hash: \([0-9a-f]\{16\}\).*/\1/p' "$tmp/replay.out" | head -1)
[ -n "$hash2" ] && [ "$hash1" = "$hash2" ] && ok || { bad "replay trace hash '$hash2' != '$hash1'"; cat "$tmp/replay.out"; }

# The installed CLI draws it (from the recorded trace: the body is not in weft) and explains it.
"$weft" render weft-out/orders -o orders.svg >/dev/null && grep -q '<svg' orders.svg && ok || bad "installed weft render"
"$weft" render weft-out/orders/schedule.weft -o orders.md >/dev/null && grep -qi 'deadlock' orders.md && ok || bad "weft render .md"
"$weft" render weft-out/orders/finding.weft -o finding.md >/dev/null && grep -qi 'deadlock' finding.md && ok ||
  bad "weft render of finding.weft itself"
"$weft" replay weft-out/orders >"$tmp/explain.out"; code=$?
[ $code = 1 ] && grep -q "replay it through the test binary: WEFT_REPLAY=" "$tmp/explain.out" && ok || { bad "installed weft replay (exit $code)"; cat "$tmp/explain.out"; }
"$weft" render "$(cat weft-out/orders/token.txt)" -o x.svg 2>"$tmp/err"; code=$?
[ $code = 2 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && ok || bad "a bare token of a check's finding: exit $code, expected 2 and one line"
cd "$tmp"

# add_subdirectory(weft): the same targets (configure only).
must cmake -S "$here/consumer" -B "$tmp/subdir" -G Ninja -DWEFT_SOURCE_DIR="$source_dir"
ok

echo "$pass passed, $fail failed"
[ $fail = 0 ]
