// Must-show 3: replay reproduces executions exactly; a body that reads state outside the
// simulator is reported as nondeterminism, with its step. Plus the replay strategy's
// divergence message.
#include <catch2/catch.hpp>
#include <iostream>

#include "programs.hpp"
#include "weft/model/strategies/random.hpp"
#include "weft/model/strategies/replay.hpp"

using namespace weft;
using namespace weft::model_test;

namespace {

int g_runs = 0;  // survives executions: the nondeterminism under test

Task<void> maybe_hop(ThreadPool* pool, int n) {
  for (int i = 0; i < n; ++i) co_await spawn(*pool, noop());
}

void nondeterministic() {
  ++g_runs;
  ThreadPool pool(2, "pool");
  auto a = spawn(pool, maybe_hop(&pool, 1 + g_runs % 2));
  auto b = spawn(pool, maybe_hop(&pool, 1));
  block_on(a);
  block_on(b);
}

}  // namespace

TEST_CASE("1,000 (program, seed) pairs replay to identical trace hashes", "[replay]") {
  std::vector<std::function<void()>> programs = {[] { two_locks(false); }, [] { two_locks(true); }, [] { counter(); },
                                                 [] { two_locks_in_noise(3, 5); }};
  sim::SimPlatform sim;
  model::ExploreOptions o;
  o.name = "replay";
  int pairs = 0, identical = 0;
  for (std::uint64_t seed = 0; seed < 250; ++seed) {
    for (auto& program : programs) {
      model::RandomStrategy strategy(seed);
      strategy.begin_execution(0);
      sim::RunResult first = sim.run(program, strategy);
      model::Schedule schedule = model::schedule_of(sim, o);
      auto parsed = model::parse_token(model::to_token(schedule));
      REQUIRE(parsed.ok());
      auto again = model::replay(parsed.value(), program, outcome_checker);
      ++pairs;
      if (!again.diverged && again.result.trace_hash == first.trace_hash && again.result.outcome == first.outcome) ++identical;
    }
  }
  std::cout << "replay: " << identical << " of " << pairs << " (program, seed) pairs identical\n";
  CHECK(pairs == 1000);
  CHECK(identical == pairs);
}

TEST_CASE("a body reading a global that changes between runs is nondeterminism", "[replay]") {
  model::ExploreOptions o;
  o.name = "nondeterministic";
  o.iterations = 10;
  o.nondeterminism_check_every = 1;
  auto r = model::explore(o, nondeterministic, outcome_checker);
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].violation.kind == ViolationKind::nondeterminism);
  std::cout << "nondeterminism: " << r.findings[0].violation.message << "\n";
  CHECK(r.findings[0].violation.message.find("nondeterminism at step ") == 0);
}

TEST_CASE("replay names the expected thread and task and the enabled set", "[replay]") {
  sim::SimPlatform sim;
  model::RandomStrategy strategy(7);
  strategy.begin_execution(0);
  sim.run([] { two_locks(true); }, strategy);
  model::ExploreOptions o;
  model::Schedule s = model::schedule_of(sim, o);
  REQUIRE(s.decisions.size() > 2);
  s.decisions[1].value = 99;  // a thread that never exists
  auto r = model::replay(s, [] { two_locks(true); }, outcome_checker);
  CHECK(r.diverged);
  CHECK(r.result.outcome == sim::Outcome::aborted);
  std::cout << "divergence: " << r.divergence << "\n";
  CHECK(r.divergence.find("nondeterminism at step 1: expected thread 99") == 0);
  CHECK(r.divergence.find("got enabled {") != std::string::npos);
}
