// The HTTP/1.1 service, written once against io::Listener / io::Stream: it serves real
// sockets (tools/http_server, on event loops) and the simulator's fake network (the
// `web-server` scenario, tests/sim/net_test.cpp) with the same code.
//
// Routes: GET /hello -> "hello"; GET /db -> a database call taking `db_latency`, either
// blocking the pool worker (Handlers::blocking, the anti-pattern) or awaiting a timer
// (Handlers::async). Keep-alive and Content-Length framing; bad input gets its status
// (400, 413, 414, 431, 501, 505; 408 when a request is not complete within
// `request_timeout`) and a closed connection, while the other connections go on. A client
// that does not read its answers is closed after `write_timeout`.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <stop_token>
#include <string>

#include "weft/http/http.hpp"
#include "weft/io/net.hpp"
#include "weft/weft.hpp"

namespace weft::http {

enum class Handlers : std::uint8_t { blocking, async };

// Where a connection's code runs between awaits.
//  pool: on the pool, the captured context: every I/O completion is posted there, one
//        thread hand-off per wait.
//  io:   where its I/O completes: on the stream's home event loop when it has one
//        (io::EventLoop: readiness resumes it inline), else on whichever thread
//        completed the I/O (like ConfigureAwait(false)). A route that may block or wait
//        (/db) is still spawned on the pool, and its answer comes back to the connection.
enum class Affinity : std::uint8_t { pool, io };

struct ServiceOptions {
  Handlers handlers = Handlers::async;
  Nanos db_latency = 0;
  Affinity affinity = Affinity::pool;
  // Waiting for the first byte of the next request on a kept-alive connection.
  Nanos idle_timeout = 30_s;
  // From the first byte of a request to its last: a client dribbling bytes gets 408.
  Nanos request_timeout = 10_s;
  // One response's write: a client that stops reading (pipelining requests it never reads
  // the answers to) fills its socket buffers, and the connection is closed this long after
  // the write stalls. Answers are written one at a time, so at most one response per
  // connection waits in the service beyond what the kernel buffers.
  Nanos write_timeout = 10_s;
  std::size_t read_buffer_bytes = 4096;
  Limits limits;
};

struct ServiceStats {
  std::atomic<std::uint64_t> connections{0};
  std::atomic<std::uint64_t> requests{0};        // answered by a handler
  std::atomic<std::uint64_t> rejected{0};        // answered with a parse error status
  std::atomic<std::uint64_t> timed_out{0};       // closed by a read or write timeout
};

// Answers one parsed request (the router). The only place the two Handlers differ.
Task<Response> handle(const Request& request, const ServiceOptions& options);

// Serves one connection until the client closes, an error, or `stop`. Never throws.
// With Affinity::io, routes that may block run on `pool` (inline when null).
Task<void> serve_connection(std::unique_ptr<io::Stream> stream, const ServiceOptions& options,
                            std::stop_token stop, ServiceStats* stats, Executor* pool = nullptr);

// Accepts on `listener` until `stop`, running each connection as a task (on `pool`, or on
// its stream's event loop with Affinity::io); returns once every connection has ended.
// Errors of single connections never end the service.
Task<void> serve(io::Listener& listener, Executor& pool, const ServiceOptions& options, std::stop_token stop,
                 ServiceStats* stats);

}  // namespace weft::http
