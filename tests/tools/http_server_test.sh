#!/usr/bin/env bash
# http_server on real loopback sockets, as a user runs it: started in the background by a
# shell, answers /hello and 400 to garbage, keeps serving, and stops on SIGINT (exit 0,
# its "stopped:" line) within a bound while a client still holds a keep-alive connection.
# usage: http_server_test.sh path/to/http_server
set -u
server="$1"
tmp=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; cat "$tmp/out" 2>/dev/null; exit 1; }

"$server" --port 0 --threads 2 >"$tmp/out" 2>&1 &
pid=$!
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$tmp/out")
  [ -n "$port" ] && break
  sleep 0.05
done
[ -n "$port" ] || fail "no 'listening on' line"

ask() {  # request bytes -> first line of the answer (the connection closes after it)
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf '%b' "$1" >&3
  timeout 5 head -n 1 <&3 | tr -d '\r'
  exec 3<&-
}
[ "$(ask 'GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n')" = "HTTP/1.1 200 OK" ] || fail "/hello"
[ "$(ask 'GARBAGE\x01 / HTTP/1.1\r\n\r\n')" = "HTTP/1.1 400 Bad Request" ] || fail "garbage did not get 400"
[ "$(ask 'GET /db HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n')" = "HTTP/1.1 200 OK" ] || fail "/db after the bad request"

# An idle keep-alive connection must not hold the shutdown up (its idle timeout is 30 s).
exec 4<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /hello HTTP/1.1\r\nHost: t\r\n\r\n' >&4
timeout 5 head -c 12 <&4 >/dev/null
kill -INT "$pid"
for _ in $(seq 1 100); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.05
done
kill -0 "$pid" 2>/dev/null && fail "still running 5 s after SIGINT"
wait "$pid"
code=$?
pid=""
exec 4<&-
[ "$code" = 0 ] || fail "exit $code after SIGINT"
grep -q '^stopped: ' "$tmp/out" || fail "no 'stopped:' line"
echo "ok: port $port, $(grep '^stopped: ' "$tmp/out")"
