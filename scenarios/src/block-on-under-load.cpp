// block-on-under-load — handlers on a pool block on an async call (`.Result` on a pool
// thread). With fewer concurrent requests than workers a free worker runs the captured
// continuations and everything works, so tests pass; at >= workers concurrent requests
// every worker waits for a continuation queued behind itself: the service stops dead
// under its first real load. Verdict: the bug is a deadlock (all workers in block_on,
// their continuations queued on the same pool), found by the explorer choosing the load:
// the number of concurrent requests is a recorded random decision in 1..2x workers.
// The fix awaits: no load deadlocks it.
#include <vector>

#include "support/options.hpp"
#include "support/service.hpp"
#include "weft/scenarios/scenario.hpp"
#include "weft/sim/sim.hpp"
#include "weft/weft.hpp"

namespace weft::scenarios {
namespace {

constexpr std::uint32_t kWorkers = 4;

Task<void> handle_blocking(Service& db, std::uint32_t id) {
  Response r = block_on(db.call_async(Request{id, "SELECT cart"}));
  annotate(r.body);
  co_return;
}

Task<void> handle_awaiting(Service& db, std::uint32_t id) {
  Response r = co_await db.call_async(Request{id, "SELECT cart"});
  annotate(r.body);
}

template <class Handler>
void run(Handler handler) {
  ThreadPool pool(kWorkers, "app");
  Service db(ServiceOptions{"db", 100_ms, 100_ms});
  // The load is the explorer's choice: 1 .. 2 x workers concurrent requests.
  auto load = std::uint32_t(current_platform().random_below(2 * kWorkers)) + 1;
  std::vector<JoinHandle<void>> inflight;
  for (std::uint32_t i = 0; i < load; ++i) inflight.push_back(spawn(pool, handler(db, i)));
  sim::settle();
}

const Register reg{Scenario{
    "block-on-under-load",
    ViolationKind::deadlock,
    "block_on on pool workers deadlocks once concurrent requests reach the worker count",
    [] { run(handle_blocking); },
    [] { run(handle_awaiting); },
    explore_options("block-on-under-load", 60_s),
    6,  // its row in the catalogue
}};

}  // namespace
}  // namespace weft::scenarios
