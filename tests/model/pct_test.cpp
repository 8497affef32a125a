// PCT (model/strategies/pct.cpp): the yield rule. A task that spins -- queues itself
// again until a flag set by another task flips -- makes plain PCT useless: with fixed
// priorities the spinner's worker, if it has the higher priority, is chosen at every step
// and the setter never runs, so the execution ends at the step limit. With the yield rule
// the spinner's worker drops below the others at its first yield and the setter runs.
// Deterministic: the same 100 executions for seed 0, every one of which must complete.
#include <catch2/catch.hpp>

#include "strategy_support.hpp"

using namespace weft;
using namespace weft::model_test;

namespace {

Task<void> spin_until(bool* flag) {
  while (!*flag) co_await Reschedule{};
}

Task<void> set_after_hop(ThreadPool* pool, bool* flag) {
  co_await spawn(*pool, noop());
  *flag = true;
}

void spin_program() {
  ThreadPool pool(2, "pool");
  bool flag = false;
  auto spinner = spawn(pool, spin_until(&flag));
  auto setter = spawn(pool, set_after_hop(&pool, &flag));
  block_on(spinner);
  block_on(setter);
}

}  // namespace

TEST_CASE("pct: a spinning task yields its priority, so no execution hits the step limit", "[pct]") {
  auto o = quick("pct:3", 0, 100);
  o.sim.limits.steps_max = 20000;
  auto r = model::explore(o, spin_program, outcome_checker);
  CHECK(r.findings.empty());
  CHECK(r.executions == 100);
}

TEST_CASE("pct: without the trace (no yield seen) the spinner starves the setter in some execution", "[pct]") {
  // The control for the test above: same program, same seeds, the rule switched off by
  // hiding the trace. Some of the 100 executions give the spinner the higher priority.
  auto o = quick("pct:3", 0, 100);
  o.sim.limits.steps_max = 20000;
  o.sim.trace = false;
  o.stop_at_first = true;
  auto r = model::explore(o, spin_program, outcome_checker);
  REQUIRE(r.executions_to_first_bug.has_value());
  CHECK(r.findings.front().violation.kind == ViolationKind::limit);
}

TEST_CASE("pct: still finds the two-lock inversion for every one of 50 seeds within 100 executions", "[pct]") {
  auto found = executions_to_bug("pct:3", 50, 100, [] { two_locks(false); });
  CHECK(std::count(found.begin(), found.end(), 0u) == 0);
}
