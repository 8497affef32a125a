#!/usr/bin/env bash
# Regenerates the README's pictures from the catalogue's findings (run from the repo root
# after `bash tools/run.sh catalogue`, which builds ./build/tools/weft).
set -euo pipefail
cd "$(dirname "$0")/../.."
weft=./build/tools/weft
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for s in sync-over-async fire-and-forget; do
  "$weft" run "$s.bug" --out "$out" >/dev/null || true
  "$weft" render "$out/$s.bug/schedule.weft" -o "tools/pictures/$s.svg"
done
