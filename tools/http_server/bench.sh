#!/usr/bin/env bash
# Loopback throughput: weft's http_server (async handlers, db 0 ms) against the same
# service on asio 1.22 coroutines, one wrk run each, same machine, same settings.
# weft runs twice: --affinity pool (every I/O completion posted from the reactor thread to
# the pool: the default) and --affinity io (connection code resumes on the reactor
# thread, /db still on the pool), which isolates the cost of that hand-off.
#
#   tools/http_server/bench.sh [BIN_DIR]   BIN_DIR holds http_server and asio_http_server
#                                          (default: build-io/tools/http_server)
# Env: THREADS (server threads, 2), WRK_THREADS (2), CONNECTIONS (50), DURATION (5s),
#      PORT_WEFT (18080), PORT_WEFT_IO (18082), PORT_ASIO (18081).
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN_DIR=${1:-build-io/tools/http_server}
THREADS=${THREADS:-2}
WRK_THREADS=${WRK_THREADS:-2}
CONNECTIONS=${CONNECTIONS:-50}
DURATION=${DURATION:-5s}
PORT_WEFT=${PORT_WEFT:-18080}
PORT_ASIO=${PORT_ASIO:-18081}
PORT_WEFT_IO=${PORT_WEFT_IO:-18082}

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
  out=$(wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" "http://127.0.0.1:$2/hello")
  echo "$out" >&2
  echo "$out" | awk '/Requests\/sec/ {print $2}'
}

"$BIN_DIR/http_server" --port "$PORT_WEFT" --handlers async --threads "$THREADS" --db-ms 0 >/dev/null &
pids+=($!)
"$BIN_DIR/http_server" --port "$PORT_WEFT_IO" --handlers async --threads "$THREADS" --db-ms 0 --affinity io >/dev/null &
pids+=($!)
"$BIN_DIR/asio_http_server" --port "$PORT_ASIO" --threads "$THREADS" >/dev/null &
pids+=($!)
wait_port "$PORT_WEFT"
wait_port "$PORT_ASIO"
wait_port "$PORT_WEFT_IO"

if [ "$(fetch "$PORT_WEFT")" != "$(fetch "$PORT_ASIO")" ] || [ "$(fetch "$PORT_WEFT_IO")" != "$(fetch "$PORT_ASIO")" ]; then
  echo "bench.sh: the two servers answer different bytes" >&2
  exit 4
fi

echo "== weft (epoll reactor + pool of $THREADS) ==" >&2
weft_rps=$(run weft "$PORT_WEFT")
echo "== weft --affinity io (reactor thread + pool of $THREADS) ==" >&2
weft_io_rps=$(run weft-io "$PORT_WEFT_IO")
echo "== asio (io_context on $THREADS threads) ==" >&2
asio_rps=$(run asio "$PORT_ASIO")

printf 'weft (affinity pool)  %10.0f requests/s\n' "$weft_rps"
printf 'weft (affinity io)    %10.0f requests/s\n' "$weft_io_rps"
printf 'asio                  %10.0f requests/s\n' "$asio_rps"
awk -v w="$weft_rps" -v i="$weft_io_rps" -v a="$asio_rps" \
  'BEGIN { printf "weft/asio  %.2f (affinity pool)  %.2f (affinity io)\n", w / a, i / a }'
