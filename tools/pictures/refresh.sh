#!/usr/bin/env bash
# Regenerates the README's pictures from the catalogue's findings (run from the repo root
# after `bash tools/run.sh catalogue`, which builds ./build/tools/weft): the focused lanes
# graphs and sequence diagrams of sync-over-async and fire-and-forget, and, between the
# README's "refresh.sh" markers, the Mermaid block and the interleaving table of
# sync-over-async. With MEASURE=1 it also prints the size / layout-time table of every
# catalogue finding (tools/pictures/measure.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
weft=./build/tools/weft
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for s in sync-over-async fire-and-forget; do
  "$weft" run "$s.bug" --out "$out" --no-render >/dev/null || true
  "$weft" render "$out/$s.bug/schedule.weft" -o "tools/pictures/$s.svg"
  "$weft" render "$out/$s.bug/schedule.weft" -o "tools/pictures/$s.seq.svg"
  "$weft" render "$out/$s.bug/schedule.weft" -o "tools/pictures/$s.mmd"
  "$weft" render "$out/$s.bug/schedule.weft" -o "$out/$s.md" >/dev/null
done

# Replaces the lines between "<!-- refresh.sh: NAME -->" and "<!-- /refresh.sh -->" in README.md.
splice() {  # name, file with the new content
  awk -v name="$1" -v file="$2" '
    $0 == "<!-- refresh.sh: " name " -->" { print; while ((getline line < file) > 0) print line; skip = 1; next }
    skip && $0 == "<!-- /refresh.sh -->" { skip = 0 }
    !skip { print }' README.md > "$out/README.new"
  mv "$out/README.new" README.md
}
{ echo '```mermaid'; cat tools/pictures/sync-over-async.mmd; echo '```'; } > "$out/mermaid.md"
splice mermaid "$out/mermaid.md"
awk '/^## Interleaving/ { on = 1; next } on && /^## / { exit } on && /^\|/' "$out/sync-over-async.md" \
  > "$out/interleaving.md"
splice interleaving "$out/interleaving.md"
if [ "${MEASURE:-0}" = 1 ]; then bash tools/pictures/measure.sh; fi
