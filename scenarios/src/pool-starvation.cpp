// pool-starvation — request handlers on a 10-worker pool call a 2 s database with the
// legacy blocking client. The 11th request waits for a worker, and so does everything
// else scheduled on the pool: timers' continuations, health checks. Bites every service
// that mixes sync I/O into an async server (ASP.NET "thread pool starvation", Tokio's
// "blocking in async"): latency jumps by whole multiples of the DB latency under a burst.
// Verdict: the bug is starvation — the heartbeat probe on the pool misses its 500 ms
// deadline by seconds, queued continuations wait > 1 s and every worker sits in blocking
// work. The fix awaits the service: workers stay free, every beat is on time.
#include <vector>

#include "support/options.hpp"
#include "support/probe.hpp"
#include "support/service.hpp"
#include "weft/scenarios/scenario.hpp"
#include "weft/sim/sim.hpp"
#include "weft/weft.hpp"

namespace weft::scenarios {
namespace {

constexpr std::uint32_t kWorkers = 10;
constexpr std::uint32_t kBurst = 20;

Task<void> handle_blocking(Service& db, std::uint32_t id) {
  Response r = db.call(Request{id, "SELECT order"});
  annotate(r.body);
  co_return;
}

Task<void> handle_awaiting(Service& db, std::uint32_t id) {
  Response r = co_await db.call_async(Request{id, "SELECT order"});
  annotate(r.body);
}

template <class Handler>
void run(Handler handler) {
  ThreadPool pool(kWorkers, "app");
  Service db(ServiceOptions{"db", 2_s, 2_s});
  std::vector<JoinHandle<void>> inflight;
  inflight.push_back(spawn(pool, heartbeat(HeartbeatOptions{100_ms, 500_ms, 30})));
  for (std::uint32_t i = 0; i < kBurst; ++i) inflight.push_back(spawn(pool, handler(db, i)));
  sim::settle();
}

const Register reg{Scenario{
    "pool-starvation",
    ViolationKind::starvation,
    "blocking 2 s database calls on a 10-worker pool starve everything else on it",
    [] { run(handle_blocking); },
    [] { run(handle_awaiting); },
    explore_options("pool-starvation", 120_s),
    2,  // its row in the catalogue
}};

}  // namespace
}  // namespace weft::scenarios
