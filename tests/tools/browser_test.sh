#!/usr/bin/env bash
# The reports as a reader sees them: headless Chromium opens each HTML report and each SVG
# picture of real findings (sync-over-async, fire-and-forget, and one whose scenario, thread
# and executor are named `<script>alert(1)</script>`), takes a screenshot of the first screen
# (kept in BUILD_DIR/browser-test/ as the test's artefact) and checks that nothing failed to
# load, the console stayed silent, the red culprit is on the first screen, and the hostile
# name is text in the DOM, never an element.
# usage: browser_test.sh BUILD_DIR
set -euo pipefail
build="$(cd "$1" && pwd)"
root="$(cd "$(dirname "$0")/../.." && pwd)"
chrome=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chrome" ]; then
  echo "browser_test: chromium is not installed (apt-get install chromium)"
  echo "0 passed, 1 failed"
  exit 1
fi
out="$build/browser-test"
rm -rf "$out"
mkdir -p "$out/runs" "$out/shots"
(cd "$root" && "$build/tools/weft" run sync-over-async.bug --out "$out/runs" >/dev/null) || true
(cd "$root" && "$build/tools/weft" run fire-and-forget.bug --out "$out/runs" >/dev/null) || true
"$build/tests/hostile_report" "$out/runs/hostile" >/dev/null

pages=()
for d in sync-over-async.bug fire-and-forget.bug; do
  pages+=("$out/runs/$d/report.html" "$out/runs/$d/schedule.svg" "$out/runs/$d/sequence.svg")
done
pages+=("$out/runs/hostile/report.html" "$out/runs/hostile/schedule.svg" "$out/runs/hostile/sequence.svg")

# Pixels of the culprit's red (strokes #ff0000/#d00000, text #a00000) in a PNG screenshot.
red_pixels() {
  python3 - "$1" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
pos, idat, w = 8, b'', 0
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR':
        w, h, depth, ctype, _, _, interlace = struct.unpack('>IIBBBBB', body)
        assert depth == 8 and ctype in (2, 6) and interlace == 0, 'unexpected PNG format'
        bpp = 3 if ctype == 2 else 4
    elif kind == b'IDAT':
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
stride = w * bpp
prev = bytearray(stride)
red = 0
for y in range(h):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    r, g, bl = line[0::bpp], line[1::bpp], line[2::bpp]
    red += sum(1 for i in range(w) if r[i] >= 150 and g[i] <= 60 and bl[i] <= 60)
    prev = line
print(red)
PY
}

passed=0
failed=0
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
for page in "${pages[@]}"; do
  name=$(echo "${page#$out/runs/}" | tr '/' '_')
  profile=$(mktemp -d)
  flags=(--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking
         --disable-component-update --disable-sync --user-data-dir="$profile" --window-size=1280,960
         --hide-scrollbars)
  shot="$out/shots/$name.png"
  timeout 90 "$chrome" "${flags[@]}" --enable-logging=stderr --v=0 --screenshot="$shot" "file://$page" \
    >"$out/shots/$name.log" 2>&1 || true
  # The DOM of every HTML page and of the hostile finding's pictures (Graphviz's and ours).
  case "$name" in
    *.html | hostile_*) timeout 90 "$chrome" "${flags[@]}" --dump-dom "file://$page" >"$out/shots/$name.dom" 2>/dev/null || true ;;
    *) cp "$page" "$out/shots/$name.dom" ;;
  esac
  rm -rf "$profile"
  ok=1
  if [ ! -s "$shot" ]; then fail "$name" "no screenshot"; ok=0; fi
  if grep -E 'CONSOLE\(|Uncaught|Failed to load|net::ERR_|Refused to' "$out/shots/$name.log" >/dev/null; then
    fail "$name" "the console or the network reported: $(grep -m1 -E 'CONSOLE\(|Uncaught|Failed to load|net::ERR_|Refused to' "$out/shots/$name.log")"
    ok=0
  fi
  if [ ! -s "$out/shots/$name.dom" ]; then fail "$name" "empty DOM"; ok=0; fi
  if grep -qi '<script' "$out/shots/$name.dom"; then fail "$name" "a <script> element in the DOM"; ok=0; fi
  case "$name" in
    hostile_*)
      if ! grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$out/shots/$name.dom"; then
        fail "$name" "the hostile name is not shown as text"; ok=0
      fi ;;
  esac
  if [ -s "$shot" ]; then
    red=$(red_pixels "$shot")
    if [ "$red" -lt 300 ]; then fail "$name" "the red culprit is not on the first screen ($red red pixels)"; ok=0; fi
  fi
  [ $ok = 1 ] && { echo "ok   $name (red pixels on the first screen: $red)"; passed=$((passed + 1)); }
done
echo "screenshots: $out/shots"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
