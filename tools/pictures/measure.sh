#!/usr/bin/env bash
# The size and layout time of every catalogue finding's schedule picture, focused (the
# default) and full (`--full`, the whole window of the execution), against the wall time of
# the run that found it (exploration + shrinking + minimal pair, `--no-render`); the share a
# single `weft run` spends in Graphviz (the focused layout plus Graphviz's start-up, which
# one process pays once); and the main job's own count (`weft catalogue`: every layout of the
# catalogue against its wall time, timed inside the process). Prints Markdown.
# Run from the repo root after building ./build/tools/weft.
set -euo pipefail
cd "$(dirname "$0")/../.."
weft=./build/tools/weft
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
now_ms() { date +%s%3N; }
echo "| finding | run (ms) | full: px | full: render (ms) | focused: px | focused: render (ms) | Graphviz start-up (ms) | layout share of one \`weft run\` |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for s in $("$weft" list | awk '{print $1}'); do
  t0=$(now_ms)
  "$weft" run "$s.bug" --out "$out" --no-render >/dev/null || true
  t1=$(now_ms)
  f="$out/$s.bug/schedule.weft"
  [ -f "$f" ] || continue
  # "wrote X (W x H px, rendered in N ms; Graphviz start-up M ms)"; the render time covers
  # building the DOT and the layout, after the start-up (paid first, once per process).
  full=$("$weft" render "$f" --full -o "$out/full.svg")
  focus=$("$weft" render "$f" -o "$out/focus.svg")
  px() { sed -E 's/.*\(([0-9]+x[0-9]+) px.*/\1/' <<<"$1"; }
  ms() { sed -E 's/.*rendered in ([0-9.]+) ms.*/\1/' <<<"$1"; }
  startup() { sed -E 's/.*start-up ([0-9.]+) ms.*/\1/' <<<"$1"; }
  run=$((t1 - t0))
  share=$(awk -v r="$run" -v l="$(ms "$focus")" -v s="$(startup "$focus")" 'BEGIN { printf "%.0f %%", 100 * (l + s) / (r + l + s) }')
  echo "| \`$s\` | $run | $(px "$full") | $(ms "$full") | $(px "$focus") | $(ms "$focus") | $(startup "$focus") | $share |"
done
echo
"$weft" catalogue --out "$out/catalogue" --no-capacity | grep '^pictures:'
