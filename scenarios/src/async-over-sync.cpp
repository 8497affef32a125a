// async-over-sync — a library offers an "async" API that is only the synchronous call
// pushed onto the app pool (`Task.Run(() => Query())`), and the legacy synchronous handler
// that uses it waits for the result. Each request now holds two workers: the handler's,
// waiting, and the one running the blocking call. Bites ASP.NET apps "made async" by
// wrapping: at 5 concurrent requests on 10 workers the direct blocking version still
// leaves 5 workers free; this one leaves none. Verdict: the bug is starvation — the
// heartbeat on the app pool misses its deadline and its continuation waits > 1 s in the
// queue. The fix keeps blocking calls off the app pool: the handler awaits
// spawn_blocking on a BlockingPool (grown on demand, meant to be saturated), the app pool
// stays free and every beat is on time.
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
constexpr std::uint32_t kRequests = 5;

// The library's fake-async API: the synchronous call on the app pool.
JoinHandle<Response> query_async_over_sync(Executor& pool, Service& db, std::uint32_t id) {
  return spawn_blocking(pool, [&db, id] { return db.call(Request{id, "report"}); });
}

// A legacy synchronous handler (runs on an app worker) using it: two workers per request.
Task<void> handle_legacy(Executor& app, Service& db, std::uint32_t id) {
  Response r = query_async_over_sync(app, db, id).join();
  annotate(r.body);
  co_return;
}

Task<void> handle_offloaded(Executor& blocking, Service& db, std::uint32_t id) {
  Response r = co_await spawn_blocking(blocking, [&db, id] { return db.call(Request{id, "report"}); });
  annotate(r.body);
}

void run_bug() {
  ThreadPool app(kWorkers, "app");
  Service db(ServiceOptions{"db", 2_s, 2_s});
  std::vector<JoinHandle<void>> inflight;
  inflight.push_back(spawn(app, heartbeat(HeartbeatOptions{100_ms, 500_ms, 30})));
  for (std::uint32_t i = 0; i < kRequests; ++i) inflight.push_back(spawn(app, handle_legacy(app, db, i)));
  sim::settle();
}

void run_fix() {
  ThreadPool app(kWorkers, "app");
  BlockingPool blocking(64, "blocking");
  Service db(ServiceOptions{"db", 2_s, 2_s});
  std::vector<JoinHandle<void>> inflight;
  inflight.push_back(spawn(app, heartbeat(HeartbeatOptions{100_ms, 500_ms, 30})));
  for (std::uint32_t i = 0; i < kRequests; ++i) inflight.push_back(spawn(app, handle_offloaded(blocking, db, i)));
  sim::settle();
}

model::ExploreOptions options() {
  auto o = explore_options("async-over-sync", 120_s);
  // A BlockingPool exists to be saturated by blocking calls; liveness is judged by the
  // heartbeat probe and queue waits on the app pool instead.
  o.properties.all_workers_blocked_max = 60_s;
  return o;
}

const Register reg{Scenario{
    "async-over-sync",
    ViolationKind::starvation,
    "a sync call wrapped in a pool task and waited for holds two app workers per request",
    run_bug,
    run_fix,
    options(),
    3,  // its row in the catalogue
}};

}  // namespace
}  // namespace weft::scenarios
