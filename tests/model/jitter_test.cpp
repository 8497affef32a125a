// Time jitter as a decision: a lock-order bug hidden behind exact virtual timings is found
// once sleeps get a latency range; the draws replay exactly and shrink toward nominal.
#include <algorithm>
#include <catch2/catch.hpp>
#include <iostream>

#include "programs.hpp"
#include "weft/model/explorer.hpp"
#include "weft/sim/delay.hpp"

using namespace weft;
using namespace weft::model_test;

namespace {
model::ExploreOptions jittered(Nanos jitter, std::uint64_t seed, std::uint64_t iterations) {
  model::ExploreOptions o;
  o.name = "timed lock order";
  o.seed = seed;
  o.iterations = iterations;
  o.sim.time_jitter = jitter;
  return o;
}

std::uint64_t draws_sum(const model::Schedule& s) {
  std::uint64_t sum = 0;
  for (const auto& d : s.decisions)
    if (d.kind == model::DecisionKind::random) sum += d.value;
  return sum;
}
}  // namespace

TEST_CASE("exact timings hide the inversion, time jitter finds it", "[jitter]") {
  auto exact = model::explore(jittered(0, 0, 2000), timed_lock_order);
  CHECK(exact.findings.empty());
  CHECK(exact.executions == 2000);

  auto o = jittered(5_ms, 0, 2000);
  o.shrink = false;
  auto found = model::explore(o, timed_lock_order);
  REQUIRE_FALSE(found.findings.empty());
  const auto& f = found.findings.front();
  CHECK(f.violation.kind == ViolationKind::deadlock);
  std::cout << "time jitter 5 ms: deadlock after " << *found.executions_to_first_bug << " executions\n";
  // The draws are decisions: the schedule replays the same execution.
  auto again = model::replay(f.schedule, timed_lock_order, {}, o.sim);
  CHECK_FALSE(again.diverged);
  CHECK(again.result.trace_hash == f.trace_hash);

  // Shrinking pulls the draws toward the nominal timings while the deadlock stays.
  auto shrunk = model::shrink(f.schedule, ViolationKind::deadlock, timed_lock_order, {}, o.sim);
  CHECK(draws_sum(shrunk) <= draws_sum(f.schedule));
  auto replayed = model::replay(shrunk, timed_lock_order, {}, o.sim);
  REQUIRE_FALSE(replayed.violations.empty());
  CHECK(replayed.violations.front().kind == ViolationKind::deadlock);
  std::cout << "jitter draws: " << draws_sum(f.schedule) << " ns in all before shrinking, " << draws_sum(shrunk)
            << " ns after\n";
}

namespace {
Task<void> ranged_pair(Mutex* first, Mutex* second, Nanos start) {
  co_await sim::delay(start, start + 5_ms);  // a fake's latency range, per call
  auto g1 = co_await first->lock();
  co_await sleep_for(1_ms, 5_ms);  // per-call jitter
  auto g2 = co_await second->lock();
}
void ranged_lock_order() {
  ThreadPool pool(2, "pool");
  Mutex stock, cache;
  auto a = spawn(pool, ranged_pair(&stock, &cache, 1_ms));
  auto b = spawn(pool, ranged_pair(&cache, &stock, 5_ms));
  block_on(a);
  block_on(b);
}
}  // namespace

TEST_CASE("per-call ranges: sleep_for(d, jitter) and sim::delay(lo, hi)", "[jitter]") {
  auto found = model::explore(jittered(0, 0, 2000), ranged_lock_order);
  REQUIRE_FALSE(found.findings.empty());
  CHECK(found.findings.front().violation.kind == ViolationKind::deadlock);
  // The same sleeps with a zero range are exact again.
  sim::SimPlatform sp;
  sim::RandomSource rs(7);
  auto r = sp.run([] {
    ThreadPool pool(1, "pool");
    spawn(pool, []() -> Task<void> {
      co_await sim::delay(3_ms, 3_ms);
      co_await sleep_for(2_ms, 0);
    }()).join();
  }, rs);
  CHECK(r.end_time == 5_ms);
}
