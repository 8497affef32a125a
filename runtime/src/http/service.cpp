#include "weft/http/service.hpp"

#include <cerrno>
#include <string_view>
#include <vector>

#include "weft/yield.hpp"

namespace weft::http {

namespace {

Response text(int status, std::string body, bool keep_alive) {
  Response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "text/plain");
  r.body = std::move(body);
  r.keep_alive = keep_alive;
  return r;
}

// The database: the same call, once blocking the worker and once awaiting.
Task<void> database_call(const ServiceOptions& options) {
  if (options.db_latency <= 0) co_return;
  if (options.handlers == Handlers::blocking) {
    blocking_io(options.db_latency);
  } else {
    co_await sleep_for(options.db_latency);
  }
}

// Writes `bytes` within `timeout` (TimedOut otherwise): a client that never reads cannot
// hold the connection by leaving our write pending.
Task<void> write_all(io::Stream& stream, std::string_view bytes, std::stop_token stop, Nanos timeout) {
  io::Stream* s = &stream;
  auto t = io::with_timeout(timeout, std::move(stop), [s, bytes](std::stop_token tk) { return s->write(bytes, std::move(tk)); });
  co_await std::move(t);
}

}  // namespace

Task<Response> handle(const Request& request, const ServiceOptions& options) {
  bool known = request.target == "/hello" || request.target == "/db";
  if (!known) co_return text(404, "not found\n", request.keep_alive);
  if (request.method != "GET") {
    auto r = text(405, "method not allowed\n", request.keep_alive);
    r.headers.emplace_back("Allow", "GET");
    co_return r;
  }
  if (request.target == "/hello") co_return text(200, "hello", request.keep_alive);
  auto db = database_call(options);
  co_await std::move(db);
  co_return text(200, "db", request.keep_alive);
}

Task<void> serve_connection(std::unique_ptr<io::Stream> stream, const ServiceOptions& options,
                            std::stop_token service_stop, ServiceStats* stats, Executor* pool) {
  if (stats) stats->connections.fetch_add(1, std::memory_order_relaxed);
  // The connection's own stop, linked once to the service's: every read links to it, and a
  // token shared by all connections would be a lock all event loops contend for per read.
  std::stop_source connection_stop;
  std::stop_callback<io::detail::ForwardStop> link(service_stop, io::detail::ForwardStop{&connection_stop});
  std::stop_token stop = connection_stop.get_token();
  std::vector<char> buffer(options.read_buffer_bytes);
  RequestParser parser(options.limits);
  std::string_view pending;     // received, not yet fed to the parser
  bool request_started = false;  // some byte of the current request arrived
  Nanos request_deadline = no_deadline;
  Platform& platform = current_platform();
  bool send_408 = false;
  bool writing = false;  // a TimedOut now is the client not reading: no 408 then
  // Requests answered since this connection last gave its thread away. A client that
  // pipelines faster than it reads is answered by awaits that all complete at once; every
  // kPipelineBurst answers it yields, so other connections on the loop get their turn and
  // the chain of completed awaits (a tail call only where the compiler makes it one: not
  // under ThreadSanitizer, not at -O0) never grows the stack without bound.
  constexpr int kPipelineBurst = 32;
  int burst = 0;
  try {
    for (;;) {
      // Feed what we have; answer every complete request in it (pipelining).
      bool close_after = false;
      while (!pending.empty() && !close_after) {
        if (!request_started) {
          request_started = true;
          request_deadline = platform.now() + options.request_timeout;
        }
        std::size_t used = 0;
        auto status = parser.feed(pending, used);
        pending.remove_prefix(used);
        if (status == RequestParser::Status::need_more) break;
        if (status == RequestParser::Status::error) {
          if (stats) stats->rejected.fetch_add(1, std::memory_order_relaxed);
          std::string bytes = serialize(error_response(parser.error_status(), parser.error_message()));
          writing = true;
          auto w = write_all(*stream, bytes, stop, options.write_timeout);
          co_await std::move(w);
          writing = false;
          close_after = true;
          break;
        }
        auto request = parser.take();
        request_started = !pending.empty();
        if (request_started) request_deadline = platform.now() + options.request_timeout;
        Response response;
        if (options.affinity == Affinity::io && pool && request.target == "/db") {
          // Off the I/O thread: the database call may block its thread or sleep.
          auto h = spawn(*pool, handle(request, options));
          response = co_await h;
        } else {
          auto h = handle(request, options);
          response = co_await std::move(h);
        }
        if (stats) stats->requests.fetch_add(1, std::memory_order_relaxed);
        std::string bytes = serialize(response);
        writing = true;
        auto w = write_all(*stream, bytes, stop, options.write_timeout);
        co_await std::move(w);
        writing = false;
        if (!response.keep_alive) close_after = true;
        if (++burst == kPipelineBurst) {
          burst = 0;
          co_await yield();
        }
      }
      if (close_after) break;

      Nanos timeout = options.idle_timeout;
      if (request_started) timeout = request_deadline - platform.now();
      if (timeout <= 0) throw TimedOut();
      std::span<char> into(buffer.data(), buffer.size());
      io::Stream* s = stream.get();
      auto r = io::with_timeout(timeout, stop, [s, into](std::stop_token t) { return s->read(into, std::move(t)); });
      std::size_t n = co_await std::move(r);
      if (n == 0) break;  // the client closed its side
      pending = std::string_view(buffer.data(), n);
    }
  } catch (const TimedOut&) {
    if (stats) stats->timed_out.fetch_add(1, std::memory_order_relaxed);
    // Tell a client stuck mid-request why; an idle kept-alive connection, or one that does
    // not read, just closes.
    send_408 = request_started && !writing;
  } catch (...) {
    // Reset, cancelled at shutdown, ...: this connection ends, the service goes on.
  }
  if (send_408) {
    // Best effort, bounded: a client that does not read must not hold us here.
    std::string bytes = serialize(error_response(408, "request not complete in time"));
    io::Stream* s = stream.get();
    std::string_view view(bytes);
    try {
      auto w = io::with_timeout(options.request_timeout, stop,
                                [s, view](std::stop_token t) { return s->write(view, std::move(t)); });
      co_await std::move(w);
    } catch (...) {
    }
  }
  stream->close();
}

namespace {

// Counts live connections plus the acceptor; the last one out opens `done`. Shared: the
// acceptor may see `done` open and end while the last connection is still inside set().
struct ConnectionGroup {
  std::atomic<std::int64_t> live{1};
  Event done;
  void leave() {
    if (live.fetch_sub(1, std::memory_order_acq_rel) == 1) done.set();
  }
};

Task<void> run_connection(std::unique_ptr<io::Stream> stream, const ServiceOptions* options, std::stop_token stop,
                          ServiceStats* stats, std::shared_ptr<ConnectionGroup> group, Executor* pool, bool on_home) {
  auto c = serve_connection(std::move(stream), *options, std::move(stop), stats, pool);
  if (options->affinity == Affinity::io && !on_home) {
    co_await resume_anywhere(std::move(c));
  } else {
    co_await std::move(c);
  }
  group->leave();
}

}  // namespace

Task<void> serve(io::Listener& listener, Executor& pool, const ServiceOptions& options, std::stop_token stop,
                 ServiceStats* stats) {
  auto group = std::make_shared<ConnectionGroup>();
  for (;;) {
    std::unique_ptr<io::Stream> stream;
    try {
      auto a = listener.accept(stop);
      stream = co_await std::move(a);
    } catch (const OperationCancelled&) {
      break;
    } catch (const io::NetError& e) {
      if (stop.stop_requested() || e.code() == EBADF) break;
      continue;  // one failed accept (reset before accepted, ...) does not end the service
    }
    group->live.fetch_add(1, std::memory_order_relaxed);
    // On its event loop, readiness resumes the connection inline; else the pool runs it.
    Executor* home = options.affinity == Affinity::io ? stream->home() : nullptr;
    Executor& runs_on = home ? *home : pool;
    spawn_detached(runs_on, run_connection(std::move(stream), &options, stop, stats, group, &pool, home != nullptr));
  }
  group->leave();
  auto w = group->done.wait();
  co_await w;
}

}  // namespace weft::http
