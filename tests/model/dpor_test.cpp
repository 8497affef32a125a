// DPOR (model/strategies/dpor.cpp). Exhaustive search is deterministic: no seed. The
// coverage argument: DPOR explores at least one execution of every Mazurkiewicz trace of
// the visible footprints, so on a program whose bug is an ordering of weft operations it
// must find the bug, and on a correct program it must end ("exhaustive") with no violation
// -- and since it only branches on races, with fewer executions than the sleep-set DFS,
// which branches on every enabled thread.
#include <catch2/catch.hpp>

#include "strategy_support.hpp"

using namespace weft;
using namespace weft::model_test;

namespace {
model::ExploreReport exhaust(const std::string& strategy, void (*body)(), std::uint64_t cap = 20000) {
  return model::explore(quick(strategy, 0, cap), body, outcome_checker);
}
}  // namespace

// Measured: dpor 190, dfs:2 352. The bound was 126 (the sleep-set DFS's count) before a
// pool worker got a scheduling point between its pop and the job's first step: jobs ready
// together now start in either order, so the two workers' pops race on the pool's queue
// and there are more thread-level interleavings to cover (without those points dpor
// needs 42, dfs:2 240).
TEST_CASE("dpor: counter is exhaustive, clean, in at most the sleep-set DFS's executions", "[dpor]") {
  auto dpor = exhaust("dpor", counter);
  auto dfs = exhaust("dfs:2", counter);
  INFO("dpor " << dpor.executions << ", dfs:2 " << dfs.executions);
  CHECK(dpor.exhaustive);
  CHECK(dpor.findings.empty());
  CHECK(dfs.exhaustive);
  CHECK(dpor.executions <= 190);
  CHECK(dpor.executions <= dfs.executions);
}

TEST_CASE("dpor:2 covers counter in fewer executions than dfs:2, the same bound", "[dpor]") {
  auto dpor = exhaust("dpor:2", counter);
  auto dfs = exhaust("dfs:2", counter);
  INFO("dpor:2 " << dpor.executions << ", dfs:2 " << dfs.executions);
  CHECK(dpor.exhaustive);
  CHECK(dpor.executions < dfs.executions);
}

TEST_CASE("dpor: finds the two-lock inversion", "[dpor]") {
  auto r = exhaust("dpor", [] { two_locks(false); });
  REQUIRE(r.executions_to_first_bug.has_value());
  CHECK(r.findings.front().violation.kind == ViolationKind::deadlock);
}

// Unbounded, dpor does not finish this program within 100,000 executions since the pop
// points came in (it needed 4,550 without them): two workers popping and queueing on one
// pool give many thread-level orders that differ only in which worker runs which job. So
// the proof is the bounded one: clean within two preemptions, in fewer executions than
// dfs:2 over the same bounded space (measured: dpor:2 789, dfs:2 2,667).
TEST_CASE("dpor: the fixed two-lock program is proven clean within two preemptions", "[dpor]") {
  auto r = exhaust("dpor:2", [] { two_locks(true); });
  auto dfs = exhaust("dfs:2", [] { two_locks(true); });
  INFO("dpor:2 " << r.executions << ", dfs:2 " << dfs.executions);
  CHECK(r.exhaustive);
  CHECK(r.findings.empty());
  CHECK(dfs.exhaustive);
  CHECK(r.executions < dfs.executions);
}

TEST_CASE("dpor: every execution it runs is a different interleaving", "[dpor]") {
  auto h = hashes("dpor", 0, 1000, counter);
  CHECK(distinct(h) == h.size());
}
