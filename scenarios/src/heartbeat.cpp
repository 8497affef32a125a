// heartbeat — image thumbnails are rendered with CPU-bound work on the same pool that
// serves the health check. While a batch runs, every worker is busy for two seconds and
// the heartbeat cannot get a thread: the load balancer marks a perfectly healthy
// instance dead and restarts it mid-batch. Bites services that do CPU work (compression,
// crypto, rendering) on their I/O pool. Verdict: the bug is starvation — the heartbeat
// probe misses its 500 ms deadline (its continuation waits ~2 s for a worker). The fix
// runs the CPU work on a dedicated pool: the heartbeat's pool stays free.
#include <vector>

#include "support/options.hpp"
#include "support/probe.hpp"
#include "weft/scenarios/scenario.hpp"
#include "weft/sim/sim.hpp"
#include "weft/weft.hpp"

namespace weft::scenarios {
namespace {

constexpr std::uint32_t kWorkers = 4;

Task<void> render_thumbnail(std::uint32_t image) {
  cpu_work(2_s);
  annotate("thumbnail " + std::to_string(image));
  co_return;
}

void run(bool dedicated) {
  ThreadPool app(kWorkers, "app");
  ThreadPool cpu(kWorkers, "cpu");
  Executor& render_on = dedicated ? static_cast<Executor&>(cpu) : static_cast<Executor&>(app);
  std::vector<JoinHandle<void>> inflight;
  inflight.push_back(spawn(app, heartbeat(HeartbeatOptions{100_ms, 500_ms, 30})));
  for (std::uint32_t i = 0; i < kWorkers; ++i) inflight.push_back(spawn(render_on, render_thumbnail(i)));
  sim::settle();
}

model::ExploreOptions options() {
  auto o = explore_options("heartbeat", 60_s);
  // The dedicated CPU pool is meant to be saturated; liveness is the heartbeat's verdict.
  o.properties.all_workers_blocked_max = 60_s;
  return o;
}

const Register reg{Scenario{
    "heartbeat",
    ViolationKind::starvation,
    "CPU-bound work on every worker keeps the health probe from answering in time",
    [] { run(false); },
    [] { run(true); },
    options(),
    10,  // its row in the catalogue
}};

}  // namespace
}  // namespace weft::scenarios
