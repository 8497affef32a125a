// uncancelled-query — a user opens a report, gives up after a second and the client
// cancels (request_stop). The handler stops waiting, but the slow query it started never
// got the token: it pages through the table for ten more seconds on a pool worker, for
// nobody. Bites report and search endpoints: cancelled requests still load the database,
// and "cancel" appears to hang. Verdict: the bug is a cancellation violation — work of the
// cancelled operation keeps running far past the grace period after the stop request.
// The fix hands the token down to the query (sleep_for(d, token)): it stops within the
// grace period and the client observes OperationCancelled.
#include <stop_token>

#include "support/options.hpp"
#include "support/service.hpp"
#include "weft/scenarios/scenario.hpp"
#include "weft/sim/sim.hpp"
#include "weft/weft.hpp"

namespace weft::scenarios {
namespace {

constexpr int kPages = 20;

// The slow query: 20 pages of 500 ms each. `token` reaches the I/O waits only if given.
Task<int> run_query(std::stop_token token) {
  int rows = 0;
  for (int page = 0; page < kPages; ++page) {
    co_await sleep_for(500_ms, token);
    rows += 100;
  }
  co_return rows;
}

Task<int> serve_report(std::stop_token token, bool pass_token) {
  std::stop_token query_token = pass_token ? token : std::stop_token{};
  auto query = run_query(std::move(query_token));
  int rows = co_await std::move(query);
  annotate("report ready: " + std::to_string(rows) + " rows");
  co_return rows;
}

// The client: starts the report, gives up after 1 s.
Task<void> client(Executor& pool, bool pass_token) {
  std::stop_source cancel;
  auto report = spawn(pool, serve_report(cancel.get_token(), pass_token));
  co_await sleep_for(1_s);
  request_stop(cancel);
  try {
    co_await report;
  } catch (const OperationCancelled&) {
    annotate("report cancelled");
  }
}

void run(bool pass_token) {
  ThreadPool pool(4, "app");
  auto h = spawn(pool, client(pool, pass_token));
  sim::settle();
}

const Register reg{Scenario{
    "uncancelled-query",
    ViolationKind::cancellation,
    "a cancelled report request leaves its slow query running: the token never reached it",
    [] { run(false); },
    [] { run(true); },
    explore_options("uncancelled-query", 60_s),
    9,  // its row in the catalogue
}};

}  // namespace
}  // namespace weft::scenarios
