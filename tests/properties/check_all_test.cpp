// check_all: errors before warnings, identical findings once, Config thresholds respected.
#include "properties/harness.hpp"

using namespace weft;

namespace {

Task<int> work() {
  co_await sleep_for(1_ms);
  co_return 7;
}
Task<int> hop(ThreadPool& pool) { co_return co_await spawn(pool, work()); }
Task<int> fails() {
  co_await sleep_for(1_ms);
  throw std::runtime_error("boom");
}

// A redundant hop (warning) found before a lost exception (error) in trace order.
void hop_then_lost() {
  ThreadPool pool(2, "pool");
  spawn(pool, hop(pool)).join();
  spawn_detached(pool, fails());
  sim::settle();
}

Task<void> slow_blocking() {
  blocking_io(500_ms);
  co_return;
}
void short_blocking() {
  ThreadPool pool(1, "pool");
  spawn(pool, slow_blocking()).join();
  spawn(pool, slow_blocking()).join();
}

}  // namespace

TEST_CASE("check_all: errors first, then warnings", "[properties][check_all]") {
  sim::SimPlatform sp;
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    sim::RandomSource rs(seed);
    auto r = sp.run(hop_then_lost, rs);
    auto vs = properties::check_all(sp.trace(), r);
    REQUIRE(vs.size() == 2);
    CHECK(vs[0].kind == ViolationKind::lost_exception);
    CHECK(vs[0].severity == Severity::error);
    CHECK(vs[1].kind == ViolationKind::misuse);
    CHECK(vs[1].severity == Severity::warning);
  }
}

TEST_CASE("check_all: identical violations are reported once", "[properties][check_all]") {
  sim::Trace tr;
  tr.threads.push_back(sim::ThreadInfo{"main", 0, 0});
  std::uint32_t text = tr.intern_text("a JoinHandle awaited twice (single-use result)");
  std::uint32_t site = tr.intern_site("/x/app.cpp", 12);
  for (int i = 0; i < 3; ++i) {
    sim::TraceRecord rec;
    rec.kind = EventKind::misuse;
    rec.text = text;
    rec.site = site;
    tr.records.push_back(rec);
  }
  sim::RunResult r;
  auto vs = properties::check_all(tr, r);
  REQUIRE(vs.size() == 1);
  CHECK(vs[0].locations == std::vector<std::string>{"/x/app.cpp:12"});
}

TEST_CASE("check_all: thresholds come from Config", "[properties][check_all]") {
  properties::Config strict;
  strict.all_workers_blocked_max = 100_ms;
  strict.queue_wait_max = 100_ms;
  auto t = test::explore(short_blocking, ViolationKind::starvation, test::options(), strict, 20);
  CHECK(t.flagged == t.runs);
  auto relaxed = test::explore(short_blocking, ViolationKind::starvation, test::options(), {}, 20);
  CHECK(relaxed.any_violation == 0);
}
