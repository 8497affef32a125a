// redundant-hop — an already-asynchronous call wrapped in another pool task and awaited
// (`await Task.Run(async () => await db.QueryAsync())`). Nothing blocks, so nothing breaks:
// it costs one extra task, one queue round trip and one more place for the continuation
// to wait, per request. Common after mechanical "make it async" refactors. Verdict: the
// bug is a misuse warning (redundant hop) — a spawned pool task whose body only awaits
// another async operation while its parent waits for it. The fix awaits the call directly.
#include <vector>

#include "support/options.hpp"
#include "support/service.hpp"
#include "weft/scenarios/scenario.hpp"
#include "weft/sim/sim.hpp"
#include "weft/weft.hpp"

namespace weft::scenarios {
namespace {

constexpr std::uint32_t kRequests = 3;

// Both handlers store the price for the page; neither does anything else.
Task<void> handle_hopping(Executor& pool, Service& db, std::uint32_t id, std::vector<Nanos>& prices) {
  Response r = co_await spawn(pool, db.call_async(Request{id, "SELECT price"}));
  prices[id] = r.latency;
}

Task<void> handle_direct(Executor&, Service& db, std::uint32_t id, std::vector<Nanos>& prices) {
  Response r = co_await db.call_async(Request{id, "SELECT price"});
  prices[id] = r.latency;
}

template <class Handler>
void run(Handler handler) {
  ThreadPool pool(4, "app");
  Service db(ServiceOptions{"db", 20_ms, 60_ms, 10_ms});
  std::vector<Nanos> prices(kRequests, 0);
  std::vector<JoinHandle<void>> inflight;
  for (std::uint32_t i = 0; i < kRequests; ++i) inflight.push_back(spawn(pool, handler(pool, db, i, prices)));
  sim::settle();
}

const Register reg{Scenario{
    "redundant-hop",
    ViolationKind::misuse,
    "an already-async call wrapped in another pool task and awaited",
    [] { run(handle_hopping); },
    [] { run(handle_direct); },
    [] {
      // The verdict here is a warning: stop at it as at an error (elsewhere warnings are
      // reported after the errors and never stop an exploration).
      auto o = explore_options("redundant-hop", 60_s);
      o.warnings = model::Warnings::error;
      return o;
    }(),
    4,  // its row in the catalogue
}};

}  // namespace
}  // namespace weft::scenarios
