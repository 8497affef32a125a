// web-server — the HTTP service of tools/http_server (weft::http, the same handler code)
// over the simulator's network: a load generator opens 60 client connections over 600 ms,
// the server accepts on a 10-worker pool and each GET /db reads from a 200 ms database.
// With the blocking database client (`--handlers blocking`) a worker is held for the whole
// query: capacity is 10 / 0.2 s = 50 req/s, the offered load is 100 req/s, and the queue
// grows for as long as the burst lasts — latency, not errors, is the symptom. Bites every
// "we only have 10 threads but it's async" service at peak hour.
// Verdict: the bug is starvation — the load generator's p99 latency probe exceeds its
// 500 ms SLO. The fix awaits the database (`--handlers async`): p99 is the database
// latency, far under the SLO, on the same 10 workers.
#include <stdexcept>
#include <string>
#include <vector>

#include "support/options.hpp"
#include "support/probe.hpp"
#include "weft/http/service.hpp"
#include "weft/scenarios/scenario.hpp"
#include "weft/sim/net.hpp"
#include "weft/sim/sim.hpp"
#include "weft/weft.hpp"

namespace weft::scenarios {
namespace {

constexpr std::uint32_t kWorkers = 10;
constexpr std::uint32_t kClients = 60;
constexpr Nanos kArrivalGap = 10_ms;
constexpr Nanos kDatabase = 200_ms;
constexpr Nanos kSlo = 500_ms;  // p99 latency goal
constexpr std::uint16_t kPort = 80;

// One request per connection, as a browser behind a proxy might: connect, GET /db, read the
// answer until the server closes.
Task<void> client(sim::Network& net, std::uint32_t id, Nanos& latency) {
  auto& p = current_platform();
  co_await sleep_for(Nanos(id) * kArrivalGap);
  Nanos start = p.now();
  auto connecting = net.connect("client-" + std::to_string(id), "server", kPort);
  auto stream = co_await std::move(connecting);
  std::string request = "GET /db HTTP/1.1\r\nHost: server\r\nConnection: close\r\n\r\n";
  auto sending = stream->write(request);
  co_await std::move(sending);
  std::string response;
  char buffer[512];
  for (;;) {
    auto reading = stream->read(buffer);
    std::size_t n = co_await std::move(reading);
    if (n == 0) break;
    response.append(buffer, n);
  }
  stream->close();
  if (response.rfind("HTTP/1.1 200 OK", 0) != 0) throw std::runtime_error("web-server: not a 200: " + response);
  latency = p.now() - start;
}

Task<void> load_generator(sim::Network& net, std::vector<Nanos>& latencies, std::stop_source& server_stop) {
  std::vector<Task<void>> clients;
  for (std::uint32_t i = 0; i < kClients; ++i) clients.push_back(client(net, i, latencies[i]));
  co_await when_all(std::move(clients));
  Nanos p99 = percentile(latencies, 0.99);
  annotate("p50 " + std::to_string(percentile(latencies, 0.50) / 1_ms) + " ms, p99 " + std::to_string(p99 / 1_ms) +
           " ms");
  emit_probe(p99, kSlo, "p99 request latency");
  request_stop(server_stop);
}

void run(http::Handlers handlers) {
  ThreadPool pool(kWorkers, "http");
  SerialExecutor clients("clients");
  // Segments arrive at once: the latency that matters here is the database's, and a delay
  // per segment would cost a timer each in every one of the 10,000 explored executions.
  sim::NetOptions net_options;
  net_options.latency = 0;
  sim::Network net(net_options);
  auto listener = net.listen("server", kPort);
  http::ServiceOptions options;
  options.handlers = handlers;  // the only difference between the bug and the fix
  options.db_latency = kDatabase;
  std::stop_source stop;
  std::vector<Nanos> latencies(kClients, 0);
  auto served = spawn(pool, http::serve(*listener, pool, options, stop.get_token(), nullptr));
  auto load = spawn(clients, load_generator(net, latencies, stop));
  sim::settle();
  listener->close();
}

const Register reg{Scenario{
    "web-server",
    ViolationKind::starvation,
    "blocking handlers on 10 workers miss the p99 latency goal under a burst of clients",
    [] { run(http::Handlers::blocking); },
    [] { run(http::Handlers::async); },
    explore_options("web-server", 120_s),
    13,  // its row in the catalogue
}};

}  // namespace
}  // namespace weft::scenarios
