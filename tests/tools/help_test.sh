#!/usr/bin/env bash
# `weft <command> --help` for every command: usage, options with defaults, examples, exit 0;
# and the README's CLI block is exactly the list of synopses the help prints.
# usage: help_test.sh path/to/weft path/to/README.md
set -u
weft="$1"
readme="$2"
pass=0
fail=0
commands=$("$weft" help | sed -n 's/^  weft \([a-z]*\).*/\1/p')
[ "$(echo "$commands" | wc -w)" -ge 8 ] && pass=$((pass + 1)) || { echo "FAIL: weft help lists too few commands"; fail=$((fail + 1)); }
for c in $commands; do
  out=$("$weft" "$c" --help) && pass=$((pass + 1)) || { echo "FAIL: weft $c --help exits non-zero"; fail=$((fail + 1)); }
  echo "$out" | head -1 | grep -q "^usage: weft $c" || { echo "FAIL: weft $c --help: no usage line"; fail=$((fail + 1)); }
  echo "$out" | grep -q '^examples:' || { echo "FAIL: weft $c --help: no examples"; fail=$((fail + 1)); }
  # Every flag of the synopsis is described under options.
  for flag in $(echo "$out" | head -1 | grep -o -- '--[a-z-]*' | sort -u); do
    echo "$out" | grep -q "^  $flag\|^  -o, $flag" || { echo "FAIL: weft $c --help does not describe $flag"; fail=$((fail + 1)); }
  done
  [ "$("$weft" help "$c")" = "$out" ] || { echo "FAIL: weft help $c differs from weft $c --help"; fail=$((fail + 1)); }
  # The README block has the synopsis, verbatim.
  synopsis=$(echo "$out" | head -1 | sed 's/^usage: //')
  grep -qxF -- "$synopsis" "$readme" && pass=$((pass + 1)) || { echo "FAIL: README lacks: $synopsis"; fail=$((fail + 1)); }
done
# ... and no README line names an option the help does not have.
grep -E '^weft (list|run|replay|render|fuzz|merge|bench|catalogue)( |$)' "$readme" | while read -r line; do
  c=$(echo "$line" | cut -d' ' -f2)
  [ "$("$weft" "$c" --help | head -1)" = "usage: $line" ] || echo "FAIL: README line differs from weft $c --help: $line"
done | tee /dev/stderr | grep -q FAIL && fail=$((fail + 1)) || pass=$((pass + 1))
# `weft run --help` lists every strategy of the table with its line of help.
strategies=$("$weft" run --help | sed -n '/^strategies (--strategy):$/,/^$/p')
for s in portfolio random 'pct\[:D\]' 'pct-await\[:D\]' pos surw 'dfs\[:B\]' 'dpor\[:B\]' 'replay \*' 'mutate \*'; do
  echo "$strategies" | grep -qE "^  $s +[a-zA-Z]" && pass=$((pass + 1)) || { echo "FAIL: weft run --help has no help line for $s"; fail=$((fail + 1)); }
done
[ "$(echo "$strategies" | grep -cE '^  [a-z]')" = 10 ] || { echo "FAIL: weft run --help lists $(echo "$strategies" | grep -cE '^  [a-z]') strategies, not the table's 10"; fail=$((fail + 1)); }
"$weft" run --frobnicate >/dev/null 2>&1; [ $? = 2 ] && pass=$((pass + 1)) || { echo "FAIL: unknown flag is not exit 2"; fail=$((fail + 1)); }
"$weft" nosuch --help >/dev/null 2>&1; [ $? = 2 ] && pass=$((pass + 1)) || { echo "FAIL: help for an unknown command is not exit 2"; fail=$((fail + 1)); }
echo "$pass passed, $fail failed"
[ $fail = 0 ]
