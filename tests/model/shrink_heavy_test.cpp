// Shrinking, the hard shape (heavy): the lockers sit behind six noise tasks in the queue,
// so reaching them needs many switches; shrinking is reported, not bounded, here.
#include <catch2/catch.hpp>
#include <iostream>

#include "programs.hpp"

using namespace weft;
using namespace weft::model_test;

TEST_CASE("shrinking when the lockers sit behind the noise (reported, not required)", "[shrink][heavy]") {
  auto program = [] { two_locks_in_noise(6, 16, 6); };
  model::ExploreOptions o;
  o.seed = 5;
  o.iterations = 2000;
  o.shrink = false;
  o.nondeterminism_check_every = 0;
  auto found = model::explore(o, program, outcome_checker);
  REQUIRE(found.findings.size() == 1);
  const auto& f = found.findings[0];
  auto shrunk = model::shrink(f.schedule, f.violation.kind, program, outcome_checker);
  std::cout << "shrink (lockers behind noise): " << model::count_preemptions(f.schedule, program) << " -> "
            << model::count_preemptions(shrunk, program) << " preemptions\n";
  CHECK(model::replay(shrunk, program, outcome_checker).result.outcome == sim::Outcome::deadlock);
}
