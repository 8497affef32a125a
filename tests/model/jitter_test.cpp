// Time jitter as a decision: a lock-order bug hidden behind exact virtual timings is found
// once sleeps get a latency range; the draws replay exactly and shrink toward nominal.
#include <algorithm>
#include <catch2/catch.hpp>
#include <iostream>

#include "programs.hpp"
#include "weft/model/explorer.hpp"
#include "weft/properties/invariant.hpp"
#include "weft/shared.hpp"
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

namespace {
// A reply that cancels a deadline due 1 us after it; the deadline's task treats waking up
// (not cancelled) as a timeout. On time, the reply always runs first and cancels it. A
// clock that wakes late finds both due: both tasks are runnable before either runs.
void deadline_after_reply(bool fixed) {
  ThreadPool pool(1);
  Shared<int> replied{0, "replied"}, timed_out{0, "timed_out"};
  std::stop_source stop;
  auto deadline = spawn(pool, [](Shared<int>* replied, Shared<int>* timed_out, std::stop_token t, bool fixed) -> Task<void> {
    try {
      co_await sleep_for(10_ms + 1000, t);
    } catch (const OperationCancelled&) {
      co_return;  // the reply cancelled it
    }
    if (fixed && replied->load()) co_return;  // the reply won
    timed_out->store(1);
  }(&replied, &timed_out, stop.get_token(), fixed));
  auto reply = spawn(pool, [](Shared<int>* replied, Shared<int>* timed_out, std::stop_source* s) -> Task<void> {
    co_await sleep_for(10_ms);
    if (timed_out->load()) co_return;  // too late: the request timed out
    replied->store(1);
    s->request_stop();
  }(&replied, &timed_out, &stop));
  deadline.join();
  reply.join();
  invariant("a replied request is never also timed out", !(replied.load() && timed_out.load()));
}
}  // namespace

TEST_CASE("a late wake-up lets deadlines a moment apart fire together", "[jitter]") {
  model::ExploreOptions o;
  o.name = "deadline after reply";
  o.iterations = 1000;
  o.shrink = false;
  auto exact = model::explore(o, [] { deadline_after_reply(false); });
  CHECK(exact.findings.empty());

  o.sim.wakeup_lateness = 1_ms;
  for (std::uint64_t seed = 0; seed < 5; ++seed) {
    INFO("seed " << seed);
    o.seed = seed;
    auto late = model::explore(o, [] { deadline_after_reply(false); });
    REQUIRE_FALSE(late.findings.empty());
    const auto& f = late.findings.front();
    CHECK(f.violation.kind == ViolationKind::invariant);
    CHECK(*late.executions_to_first_bug <= 50);
    // The lateness is a decision: the schedule replays the same execution.
    auto again = model::replay(f.schedule, [] { deadline_after_reply(false); }, {}, o.sim);
    CHECK_FALSE(again.diverged);
    CHECK(again.result.trace_hash == f.trace_hash);
  }
  auto twin = model::explore(o, [] { deadline_after_reply(true); });
  CHECK(twin.findings.empty());
}
