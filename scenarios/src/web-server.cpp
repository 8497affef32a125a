// web-server — an HTTP service on a (fake) network: a load generator opens 60 client
// connections over 600 ms, the server accepts on a 10-worker pool and each handler reads
// an order from a 200 ms database. With the blocking database client a worker is held
// for the whole query: capacity is 10 / 0.2 s = 50 req/s, the offered load is 100 req/s,
// and the queue grows for as long as the burst lasts — latency, not errors, is the
// symptom. Bites every "we only have 10 threads but it's async" service at peak hour.
// Verdict: the bug is starvation — the load generator's p99 latency probe exceeds its
// 500 ms SLO. The fix awaits the database: p99 is the database latency plus the network,
// far under the SLO, on the same 10 workers.
#include <string>
#include <vector>

#include "support/net.hpp"
#include "support/options.hpp"
#include "support/probe.hpp"
#include "support/service.hpp"
#include "weft/scenarios/scenario.hpp"
#include "weft/sim/sim.hpp"
#include "weft/weft.hpp"

namespace weft::scenarios {
namespace {

constexpr std::uint32_t kWorkers = 10;
constexpr std::uint32_t kClients = 60;
constexpr Nanos kArrivalGap = 10_ms;
constexpr Nanos kSlo = 500_ms;  // p99 latency goal

struct Server {
  Network net;
  Service db{ServiceOptions{"db", 200_ms, 200_ms}};
  Mailbox listener;
  bool blocking = false;
};

Task<void> handle(Server& s, Message request) {
  Request q{request.from, "SELECT order"};
  Response r;
  if (s.blocking)
    r = s.db.call(q);  // holds this worker for the whole query
  else
    r = co_await s.db.call_async(q);
  Message response{request.from, "200 OK " + r.body, nullptr};
  auto delivery = s.net.send(*request.reply_to, std::move(response));
  co_await std::move(delivery);
}

Task<void> accept_loop(Executor& pool, Server& s) {
  for (;;) {
    auto receiving = s.listener.receive();
    auto request = co_await receiving;
    if (!request) break;  // the listener was closed
    spawn_detached(pool, handle(s, std::move(*request)));
  }
}

Task<void> client(Server& s, std::uint32_t id, Nanos& latency) {
  auto& p = current_platform();
  co_await sleep_for(Nanos(id) * kArrivalGap);
  Nanos start = p.now();
  Mailbox reply;
  Message get{id, "GET /orders/" + std::to_string(id), &reply};
  auto delivery = s.net.send(s.listener, std::move(get));
  co_await std::move(delivery);
  auto receiving = reply.receive();
  auto response = co_await receiving;
  if (!response) throw ChannelClosed();
  latency = p.now() - start;
}

Task<void> load_generator(Server& s, std::vector<Nanos>& latencies) {
  std::vector<Task<void>> clients;
  for (std::uint32_t i = 0; i < kClients; ++i) clients.push_back(client(s, i, latencies[i]));
  co_await when_all(std::move(clients));
  Nanos p99 = percentile(latencies, 0.99);
  annotate("p50 " + std::to_string(percentile(latencies, 0.50) / 1_ms) + " ms, p99 " + std::to_string(p99 / 1_ms) +
           " ms");
  emit_probe(p99, kSlo, "p99 request latency");
  s.listener.close();
}

void run(bool blocking) {
  ThreadPool pool(kWorkers, "http");
  SerialExecutor clients("clients");
  Server server;
  server.blocking = blocking;
  std::vector<Nanos> latencies(kClients, 0);
  auto accept = spawn(pool, accept_loop(pool, server));
  auto load = spawn(clients, load_generator(server, latencies));
  sim::settle();
}

const Register reg{Scenario{
    "web-server",
    ViolationKind::starvation,
    "blocking handlers on 10 workers miss the p99 latency goal under a burst of clients",
    [] { run(true); },
    [] { run(false); },
    explore_options("web-server", 120_s),
}};

}  // namespace
}  // namespace weft::scenarios
