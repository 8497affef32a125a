// Must-show 4: a depth-2 bug inside a ~200-step execution shrinks to a schedule with at
// most 2 preemptions, which still replays exactly to the same kind of violation.
#include <catch2/catch.hpp>
#include <iostream>

#include "programs.hpp"

using namespace weft;
using namespace weft::model_test;

TEST_CASE("shrinking a deadlock hidden among noise tasks", "[shrink]") {
  // The lockers are spawned first, the noise after: the bug needs 2 switches early on,
  // then ~200 steps of noise run on until the world is quiescent and the deadlock shows.
  auto program = [] { two_locks_in_noise(6, 16, 0); };
  model::ExploreOptions o;
  o.name = "two locks in noise";
  // Pinned to random (the default is the portfolio): the bound on the found execution's
  // length below is about the first random schedule that deadlocks, not about whichever
  // strategy a portfolio rotation reaches first.
  o.strategy = "random";
  o.seed = 5;
  o.iterations = 2000;
  o.shrink = false;
  o.nondeterminism_check_every = 0;
  auto found = model::explore(o, program, outcome_checker);
  REQUIRE(found.findings.size() == 1);
  const auto& f = found.findings[0];
  std::size_t before = model::count_preemptions(f.schedule, program);
  auto shrunk = model::shrink(f.schedule, f.violation.kind, program, outcome_checker);
  std::size_t after = model::count_preemptions(shrunk, program);
  auto replayed = model::replay(shrunk, program, outcome_checker);
  std::cout << "shrink: execution of " << f.result.steps << " steps, " << f.schedule.decisions.size()
            << " decisions, " << before << " preemptions -> " << shrunk.decisions.size() << " decisions, " << after
            << " preemptions (" << replayed.result.steps << " steps)\n";
  // The execution now ends the moment the wait-for cycle forms, long before the noise is
  // done; and a worker stopped between pop and first step is an enabled thread, so leaving
  // it counts as one more preemption than before (2 until then).
  CHECK(f.result.steps < 150);
  CHECK(after <= 3);
  CHECK_FALSE(replayed.diverged);
  CHECK(replayed.result.outcome == sim::Outcome::deadlock);

  // explore() shrinks its first finding itself.
  o.shrink = true;
  auto auto_shrunk = model::explore(o, program, outcome_checker);
  REQUIRE(auto_shrunk.findings.size() == 1);
  CHECK(model::count_preemptions(auto_shrunk.findings[0].schedule, program) <= 3);
}
