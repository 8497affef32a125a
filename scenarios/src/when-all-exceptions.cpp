// when-all-exceptions — checkout runs three calls concurrently with when_all; the stock
// and the mail services are both down. The handler catches std::exception and logs
// what(): only the first failure is ever seen, the second vanishes (C#'s `await
// Task.WhenAll` rethrowing only the first inner exception). Bites incident reviews: the
// log blames one service while two were failing. Verdict: the bug is a lost exception
// (the unobserved inner exception of the AggregateError). The fix catches AggregateError
// and observes every inner exception. Runs under strict observation
// (AggregateObservation::strict, the auditing mode): by default what() on the aggregate
// counts every inner exception as observed, as .NET does.
#include <vector>

#include "support/options.hpp"
#include "support/service.hpp"
#include "weft/scenarios/scenario.hpp"
#include "weft/sim/sim.hpp"
#include "weft/weft.hpp"

namespace weft::scenarios {
namespace {

struct Backends {
  Service payments{ServiceOptions{"payments", 30_ms, 90_ms, 10_ms}};
  Service stock{ServiceOptions{"stock", 20_ms, 60_ms, 10_ms, 1'000'000}};  // down
  Service mail{ServiceOptions{"mail", 10_ms, 50_ms, 10_ms, 1'000'000}};    // down
};

Task<void> call(Service& s, std::uint32_t order) {
  co_await s.call_async(Request{order, "checkout"});
}

std::vector<Task<void>> checkout_steps(Backends& b, std::uint32_t order) {
  std::vector<Task<void>> steps;
  steps.push_back(call(b.payments, order));
  steps.push_back(call(b.stock, order));
  steps.push_back(call(b.mail, order));
  return steps;
}

Task<void> checkout_first_only(Backends& b, std::uint32_t order) {
  try {
    co_await when_all(checkout_steps(b, order));
  } catch (const std::exception& e) {
    annotate(std::string("checkout failed: ") + e.what());  // sees the first failure only
  }
}

Task<void> checkout_all(Backends& b, std::uint32_t order) {
  try {
    co_await when_all(checkout_steps(b, order));
  } catch (const AggregateError& e) {
    for (const auto& error : e.exceptions()) annotate("checkout failed: " + describe(error));
  }
}

template <class Handler>
void run(Handler handler) {
  struct Strict {
    AggregateObservation prev = AggregateError::set_observation(AggregateObservation::strict);
    ~Strict() { AggregateError::set_observation(prev); }
  } strict;
  ThreadPool pool(2, "app");
  Backends backends;
  auto h = spawn(pool, handler(backends, 42));
  sim::settle();
}

const Register reg{Scenario{
    "when-all-exceptions",
    ViolationKind::lost_exception,
    "two of three when_all children fail and only the first failure is ever observed",
    [] { run(checkout_first_only); },
    [] { run(checkout_all); },
    explore_options("when-all-exceptions", 60_s),
    7,  // its row in the catalogue
}};

}  // namespace
}  // namespace weft::scenarios
