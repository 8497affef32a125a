// POS (model/strategies/pos.cpp). Deterministic: every execution is a function of (seed,
// index), so each CHECK is about fixed schedules. Why the bounds hold for every seed:
// the two-lock inversion shows whenever both lockers take their first lock before either
// takes its second; under POS the locker that runs first keeps its priority only until a
// racing step re-samples it, so each execution has a constant chance (about 1/4) of the
// crossing order, and 100 executions miss with probability (3/4)^100 < 1e-12.
#include <catch2/catch.hpp>

#include "strategy_support.hpp"

using namespace weft;
using namespace weft::model_test;

TEST_CASE("pos: same seed, same executions, another seed, other executions", "[pos]") {
  auto body = [] { two_locks(true); };
  auto a = hashes("pos", 7, 50, body);
  auto b = hashes("pos", 7, 50, body);
  auto c = hashes("pos", 8, 50, body);
  CHECK(a == b);
  CHECK(a != c);
  CHECK(distinct(a) > 5);  // it explores: not one schedule over and over
}

TEST_CASE("pos: finds the two-lock inversion for every one of 50 seeds within 100 executions", "[pos]") {
  auto found = executions_to_bug("pos", 50, 100, [] { two_locks(false); });
  CHECK(std::count(found.begin(), found.end(), 0u) == 0);
}

TEST_CASE("pos: the fixed program stays clean", "[pos]") {
  auto r = model::explore(quick("pos", 1, 300), [] { two_locks(true); }, outcome_checker);
  CHECK(r.findings.empty());
  CHECK(r.executions == 300);
}

TEST_CASE("pos: with the trace off it still explores (every priority redrawn: a random walk)", "[pos]") {
  auto o = quick("pos", 3, 100);
  o.sim.trace = false;
  auto r = model::explore(o, [] { two_locks(false); }, outcome_checker);
  CHECK(r.executions_to_first_bug.has_value());
}
