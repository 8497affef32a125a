// fire-and-forget — a background "update prices" job started with spawn_detached (C#'s
// `async void`, a discarded Task). A malformed quote throws; nobody holds the task, so the
// exception goes nowhere and the prices silently stop updating. Bites dashboards and
// caches that "just stop refreshing" with nothing in the logs. Verdict: the bug is a lost
// exception, reported with the spawn site of the detached task. The fix uses
// spawn_supervised: the error is observed and reported (here: logged and counted), so
// the checker finds nothing.
#include <string>

#include "support/options.hpp"
#include "support/service.hpp"
#include "weft/scenarios/scenario.hpp"
#include "weft/sim/sim.hpp"
#include "weft/weft.hpp"

namespace weft::scenarios {
namespace {

struct PriceBoard {
  int updates = 0;
  int errors_reported = 0;
};

double parse_quote(const std::string& quote) {
  if (quote.empty() || quote.find_first_not_of("0123456789.") != std::string::npos)
    throw std::invalid_argument("malformed quote '" + quote + "'");
  return std::stod(quote);
}

Task<void> update_prices(Service& feed, PriceBoard& board) {
  const char* quotes[] = {"101.5", "99.25", "N/A", "100.0"};  // the feed sends a bad one
  std::uint32_t id = 0;
  for (const char* q : quotes) {
    Request request{id++, "quote"};  // not inside co_await: clang takes that for two modifications
    co_await feed.call_async(std::move(request));
    parse_quote(q);
    ++board.updates;
  }
}

void run(bool supervised) {
  ThreadPool pool(2, "app");
  Service feed(ServiceOptions{"feed", 50_ms, 150_ms, 50_ms});
  PriceBoard board;
  if (supervised) {
    spawn_supervised(pool, update_prices(feed, board), [&board](std::exception_ptr e) {
      ++board.errors_reported;
      annotate("price update failed: " + describe(e));
    });
  } else {
    spawn_detached(pool, update_prices(feed, board));
  }
  sim::settle();
}

const Register reg{Scenario{
    "fire-and-forget",
    ViolationKind::lost_exception,
    "a detached background task throws and nobody ever sees it",
    [] { run(false); },
    [] { run(true); },
    explore_options("fire-and-forget", 60_s),
    5,  // its row in the catalogue
}};

}  // namespace
}  // namespace weft::scenarios
