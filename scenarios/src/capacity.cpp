#include "weft/scenarios/capacity.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "support/probe.hpp"
#include "support/service.hpp"
#include "weft/sim/sim.hpp"
#include "weft/weft.hpp"

namespace weft::scenarios {
namespace {

constexpr std::uint32_t kWorkers = 10;
constexpr Nanos kDatabaseLatency = 2_s;

struct Load {
  Service db{ServiceOptions{"db", kDatabaseLatency, kDatabaseLatency}};
  std::vector<Nanos> latencies;  // per request: arrival (t = 0) to response
  std::uint32_t busy = 0;
  std::uint32_t busy_peak = 0;
};

Task<void> handle_blocking(Load& load, std::uint32_t id) {
  ++load.busy;
  load.busy_peak = std::max(load.busy_peak, load.busy);
  load.db.call(Request{id, "SELECT order"});
  --load.busy;
  load.latencies[id] = current_platform().now();
  co_return;
}

Task<void> handle_awaiting(Load& load, std::uint32_t id) {
  co_await load.db.call_async(Request{id, "SELECT order"});
  load.latencies[id] = current_platform().now();
}

}  // namespace

CapacityCell measure_capacity(bool blocking, std::uint32_t requests, std::uint64_t seed) {
  sim::Options options;
  options.trace = false;
  // 10,000 blocking requests take 2,000 s of virtual time; room for ten times that.
  options.limits.time_max = Nanos(requests / kWorkers + 1) * kDatabaseLatency * 10;
  options.limits.steps_max = 100ull * requests + 10'000;
  sim::SimPlatform platform(options);
  sim::RandomSource decisions(seed);
  Load load;
  load.latencies.assign(requests, 0);
  auto result = platform.run(
      [&load, blocking, requests] {
        ThreadPool pool(kWorkers, "app");
        std::vector<JoinHandle<void>> inflight;
        inflight.reserve(requests);
        for (std::uint32_t i = 0; i < requests; ++i)
          inflight.push_back(spawn(pool, blocking ? handle_blocking(load, i) : handle_awaiting(load, i)));
        sim::settle();
      },
      decisions);
  if (result.outcome != sim::Outcome::completed)
    throw std::runtime_error("capacity: " + std::string(sim::to_string(result.outcome)) + ": " + result.message);
  CapacityCell c;
  c.blocking = blocking;
  c.requests = requests;
  c.completion = *std::max_element(load.latencies.begin(), load.latencies.end());
  c.throughput_rps = c.completion > 0 ? double(requests) * 1e9 / double(c.completion) : 0;
  c.latency_p50 = percentile(load.latencies, 0.50);
  c.latency_p99 = percentile(load.latencies, 0.99);
  c.peak_threads_busy = load.busy_peak;
  return c;
}

std::string capacity_table() {
  std::string out =
      "| handlers | concurrent requests | completion | throughput (req/s) | p50 latency | p99 latency | peak "
      "threads blocked |\n"
      "|---|---:|---:|---:|---:|---:|---:|\n";
  char line[256];
  for (bool blocking : {true, false}) {
    for (std::uint32_t n : {10u, 11u, 100u, 1'000u, 10'000u}) {
      CapacityCell c = measure_capacity(blocking, n);
      std::snprintf(line, sizeof line, "| %s | %u | %.1f s | %.1f | %.1f s | %.1f s | %u |\n",
                    blocking ? "blocking" : "awaiting", n, double(c.completion) / 1e9, c.throughput_rps,
                    double(c.latency_p50) / 1e9, double(c.latency_p99) / 1e9, c.peak_threads_busy);
      out += line;
    }
  }
  return out;
}

}  // namespace weft::scenarios
