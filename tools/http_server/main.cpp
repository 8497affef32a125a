// http_server: the weft HTTP service on real sockets (127.0.0.1) until SIGINT/SIGTERM.
//
//   http_server --port P [--address A] [--handlers blocking|async] [--threads N] [--db-ms D] [--affinity io|pool]
//
// --affinity io (the default): N event loops, each polling its own epoll instance and
// running the connections registered with it; /db runs on a pool of N workers.
// --affinity pool: one reactor thread posts every completion to a pool of N workers that
// runs the connections (one thread hand-off per wait; kept to measure that cost).
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "weft/http/service.hpp"
#include "weft/io/epoll.hpp"
#include "weft/io/loop.hpp"

namespace {

enum Exit { ok = 0, bad_usage = 2, cannot_listen = 3 };

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr, "http_server: %s\nusage: http_server --port P [--address A] [--handlers blocking|async] [--threads N] [--db-ms D] [--affinity io|pool]\n",
               why);
  std::exit(bad_usage);
}

long number(const char* flag, const char* text, long lo, long hi) {
  char* end = nullptr;
  long v = std::strtol(text, &end, 10);
  if (!*text || *end || v < lo || v > hi) {
    std::string why = std::string("bad value for ") + flag + ": '" + text + "'";
    usage(why.c_str());
  }
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace weft;
  long port = -1;
  std::string address = "127.0.0.1";  // or "::1", "0.0.0.0", "::"
  long threads = 2;
  http::ServiceOptions options;
  options.affinity = http::Affinity::io;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (i + 1 >= argc) usage(("missing value for " + std::string(a)).c_str());
    const char* v = argv[++i];
    if (a == "--port") {
      port = number("--port", v, 0, 65535);
    } else if (a == "--address") {
      address = v;
    } else if (a == "--threads") {
      threads = number("--threads", v, 1, 1024);
    } else if (a == "--db-ms") {
      options.db_latency = number("--db-ms", v, 0, 3'600'000) * 1_ms;
    } else if (a == "--affinity") {
      if (std::strcmp(v, "pool") == 0)
        options.affinity = http::Affinity::pool;
      else if (std::strcmp(v, "io") == 0)
        options.affinity = http::Affinity::io;
      else
        usage("--affinity takes pool or io");
    } else if (a == "--handlers") {
      if (std::strcmp(v, "blocking") == 0)
        options.handlers = http::Handlers::blocking;
      else if (std::strcmp(v, "async") == 0)
        options.handlers = http::Handlers::async;
      else
        usage("--handlers takes blocking or async");
    } else {
      usage(("unknown flag " + std::string(a)).c_str());
    }
  }
  if (port < 0) usage("--port is required");

  // Signals go to the main thread's sigwait only: block them before any thread starts.
  // An ignored signal is discarded, never waited for, and a shell starts `http_server &`
  // with SIGINT ignored: take the default disposition back first.
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // Connections run on event loops (io) or on the pool behind one reactor thread (pool).
  std::unique_ptr<io::EventLoops> loops;
  std::unique_ptr<io::EpollReactor> reactor;
  std::unique_ptr<io::Listener> listener;
  try {
    if (options.affinity == http::Affinity::io) {
      loops = std::make_unique<io::EventLoops>(static_cast<std::uint32_t>(threads), "loop");
      listener = io::tcp_listen(*loops, address, static_cast<std::uint16_t>(port));
    } else {
      reactor = std::make_unique<io::EpollReactor>();
      listener = io::tcp_listen(*reactor, address, static_cast<std::uint16_t>(port));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "http_server: cannot listen on %s:%ld: %s\n", address.c_str(), port, e.what());
    return cannot_listen;
  }
  http::ServiceStats stats;
  std::stop_source stop;
  {
    ThreadPool pool(static_cast<std::uint32_t>(threads), "http");
    Executor& acceptor = loops ? static_cast<Executor&>((*loops)[0]) : pool;
    auto served = spawn(acceptor, http::serve(*listener, pool, options, stop.get_token(), &stats));
    std::printf("listening on %s:%u (%s handlers, %ld threads, db %lld ms, %s affinity)\n", address.c_str(), listener->port(),
                options.handlers == http::Handlers::async ? "async" : "blocking", threads,
                static_cast<long long>(options.db_latency / 1_ms),
                options.affinity == http::Affinity::io ? "io" : "pool");
    std::fflush(stdout);
    int sig = 0;
    sigwait(&signals, &sig);
    request_stop(stop);
    served.join();
  }
  listener->close();
  loops.reset();
  reactor.reset();
  std::printf("stopped: %llu connections, %llu requests, %llu rejected, %llu timed out\n",
              static_cast<unsigned long long>(stats.connections.load()),
              static_cast<unsigned long long>(stats.requests.load()),
              static_cast<unsigned long long>(stats.rejected.load()),
              static_cast<unsigned long long>(stats.timed_out.load()));
  return ok;
}
