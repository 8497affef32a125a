// double-await — a price lookup's JoinHandle (a single-use result, like .NET's ValueTask)
// is awaited once to check the value and again to use it. The second await is a misuse:
// on weft it throws MisuseError and records a `misuse` event, never undefined behaviour;
// on ValueTask it is silent corruption. Bites code that refactors Task into ValueTask.
// Verdict: the bug is a misuse error at the second await (caught here so the program
// goes on). The fix awaits once and keeps the value.
#include "support/options.hpp"
#include "support/service.hpp"
#include "weft/scenarios/scenario.hpp"
#include "weft/sim/sim.hpp"
#include "weft/weft.hpp"

namespace weft::scenarios {
namespace {

Task<double> lookup_price(Service& prices, std::uint32_t sku) {
  Response r = co_await prices.call_async(Request{sku, "price"});
  co_return double(r.latency / 1_ms);
}

// Both handlers look the price up concurrently with the customer's discount.
Task<void> quote_twice(Executor& pool, Service& prices) {
  auto price = spawn(pool, lookup_price(prices, 17));
  co_await prices.call_async(Request{17, "discount"});
  double checked = co_await price;
  if (checked < 0) co_return;
  try {
    double used = co_await price;  // the single-use result, awaited again
    annotate("quote " + std::to_string(used));
  } catch (const MisuseError& e) {
    annotate(e.what());
  }
}

Task<void> quote_once(Executor& pool, Service& prices) {
  auto price = spawn(pool, lookup_price(prices, 17));
  co_await prices.call_async(Request{17, "discount"});
  double value = co_await price;
  if (value < 0) co_return;
  annotate("quote " + std::to_string(value));
}

template <class Handler>
void run(Handler handler) {
  ThreadPool pool(2, "app");
  Service prices(ServiceOptions{"prices", 10_ms, 30_ms, 10_ms});
  auto h = spawn(pool, handler(pool, prices));
  sim::settle();
}

const Register reg{Scenario{
    "double-await",
    ViolationKind::misuse,
    "a single-use JoinHandle awaited twice",
    [] { run(quote_twice); },
    [] { run(quote_once); },
    explore_options("double-await", 60_s),
    11,  // its row in the catalogue
}};

}  // namespace
}  // namespace weft::scenarios
