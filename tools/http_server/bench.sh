#!/usr/bin/env bash
# Loopback throughput: weft's http_server (async handlers, db 0 ms) against the same
# service on asio 1.22 coroutines, same thread count, same response bytes, one wrk run
# each on the same machine with the same settings.
#  weft:        the default, --affinity io: THREADS event loops, each polling its own epoll
#               instance and resuming its connections inline.
#  weft (pool): --affinity pool: one reactor thread posting every completion to a pool of
#               THREADS workers, which isolates the cost of that hand-off.
#  asio:        one io_context run by THREADS threads.
#
#   tools/http_server/bench.sh [BIN_DIR]   BIN_DIR holds http_server and asio_http_server
#                                          (default: build-io/tools/http_server)
# Env: THREADS (server threads, 2), WRK_THREADS (2), CONNECTIONS (50), DURATION (5s),
#      ROUNDS (1: rounds of weft then asio, each with its own ratio), POOL (1: also
#      measure --affinity pool), PORT_WEFT (18080), PORT_ASIO (18081), PORT_WEFT_POOL (18082).
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN_DIR=${1:-build-io/tools/http_server}
THREADS=${THREADS:-2}
WRK_THREADS=${WRK_THREADS:-2}
CONNECTIONS=${CONNECTIONS:-50}
DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-1}
POOL=${POOL:-1}
PORT_WEFT=${PORT_WEFT:-18080}
PORT_ASIO=${PORT_ASIO:-18081}
PORT_WEFT_POOL=${PORT_WEFT_POOL:-18082}

for b in http_server asio_http_server; do
  [ -x "$BIN_DIR/$b" ] || { echo "bench.sh: $BIN_DIR/$b not built" >&2; exit 2; }
done
if ! command -v wrk >/dev/null; then
  apt-get install -y wrk >/dev/null || { echo "bench.sh: wrk missing and could not be installed" >&2; exit 2; }
fi

pids=()
cleanup() { for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

wait_port() {
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "bench.sh: nothing listening on port $1" >&2
  exit 3
}

# One response, raw bytes, for the same-bytes check.
fetch() {
  exec 3<>"/dev/tcp/127.0.0.1/$1"
  printf 'GET /hello HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n' >&3
  cat <&3 | od -c
  exec 3<&-
}

run() {  # name port -> prints requests/s
  local out
  echo "== $1 ==" >&2
  out=$(wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" "http://127.0.0.1:$2/hello")
  echo "$out" >&2
  echo "$out" | awk '/Requests\/sec/ {print $2}'
}

"$BIN_DIR/http_server" --port "$PORT_WEFT" --handlers async --threads "$THREADS" --db-ms 0 >/dev/null &
pids+=($!)
"$BIN_DIR/asio_http_server" --port "$PORT_ASIO" --threads "$THREADS" >/dev/null &
pids+=($!)
wait_port "$PORT_WEFT"
wait_port "$PORT_ASIO"
if [ "$POOL" = 1 ]; then
  "$BIN_DIR/http_server" --port "$PORT_WEFT_POOL" --handlers async --threads "$THREADS" --db-ms 0 --affinity pool >/dev/null &
  pids+=($!)
  wait_port "$PORT_WEFT_POOL"
fi

if [ "$(fetch "$PORT_WEFT")" != "$(fetch "$PORT_ASIO")" ] ||
   { [ "$POOL" = 1 ] && [ "$(fetch "$PORT_WEFT_POOL")" != "$(fetch "$PORT_ASIO")" ]; }; then
  echo "bench.sh: the servers answer different bytes" >&2
  exit 4
fi

echo "threads $THREADS, wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION"
for round in $(seq 1 "$ROUNDS"); do
  weft_rps=$(run "weft: $THREADS event loops" "$PORT_WEFT")
  asio_rps=$(run "asio: io_context on $THREADS threads" "$PORT_ASIO")
  awk -v r="$round" -v w="$weft_rps" -v a="$asio_rps" \
    'BEGIN { printf "round %d: weft %8.0f  asio %8.0f requests/s  weft/asio %.2f\n", r, w, a, w / a }'
done
if [ "$POOL" = 1 ]; then
  pool_rps=$(run "weft --affinity pool: reactor thread + pool of $THREADS" "$PORT_WEFT_POOL")
  awk -v p="$pool_rps" -v a="$asio_rps" \
    'BEGIN { printf "weft --affinity pool %8.0f requests/s  (%.2f of the last asio run)\n", p, p / a }'
fi
