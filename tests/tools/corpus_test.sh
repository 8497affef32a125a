#!/usr/bin/env bash
# The regression corpus: every schedule in tests/corpus/ (a campaign's findings copied
# here, `weft fuzz ... --out DIR` writes them to DIR/corpus/) must still reproduce its
# violation when replayed: exit 1, and no divergence.
# usage: corpus_test.sh path/to/weft
set -u
weft="$1"
dir="$(dirname "$0")/../corpus"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
for f in "$dir"/*.weft; do
  "$weft" replay "$f" --out "$tmp" --json >"$tmp/out" 2>"$tmp/err"
  code=$?
  if [ "$code" = 1 ] && ! grep -q '"kind":"nondeterminism"' "$tmp/out"; then
    pass=$((pass + 1))
  else
    echo "FAIL: $(basename "$f"): exit $code: $(head -c 300 "$tmp/out" "$tmp/err")"
    fail=$((fail + 1))
  fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
