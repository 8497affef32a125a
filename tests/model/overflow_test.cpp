// A task that recurses without bound on its virtual thread's stack: every overflow hits the
// stack's guard region and ends that execution as a `crash` finding ("stack overflow in task
// T, spawned at f:l") with a schedule that replays it; the simulator keeps working after it
// and nothing below the stack is written.
#include <catch2/catch.hpp>


#include "programs.hpp"
#include "weft/model/check.hpp"

using namespace weft;

namespace {

[[gnu::noinline]] std::uint64_t dive(std::uint64_t n) {
  volatile char pad[512];
  pad[n % 512] = char(n);
  if (n == 0) return 0;  // only after 2^64 calls: no bound in practice, and no UB
  return dive(n + 1) + std::uint64_t(pad[n % 512]);
}

Task<std::uint64_t> deep(bool overflow) { co_return overflow ? dive(1) : 1; }

// Half of the executions overflow, decided by a recorded random draw.
void sometimes_overflows() {
  ThreadPool pool(2, "pool");
  bool overflow = current_platform().random_below(2) == 1;
  auto h = spawn(pool, deep(overflow));
  h.join();
}

}  // namespace

TEST_CASE("every stack overflow is a crash outcome, the rest complete, the simulator goes on", "[overflow]") {
  sim::Options o;
  o.stack_bytes = 64 * 1024;
  sim::SimPlatform sp(o);
  int crashed = 0, completed = 0, drawn = 0;
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    sim::RandomSource rs(seed);
    auto r = sp.run(sometimes_overflows, rs);
    bool draw = false;
    for (auto& d : sp.decisions())
      if (d.kind == sim::RecordedKind::random) draw = d.value == 1;
    drawn += draw;
    if (r.outcome == sim::Outcome::crashed) {
      ++crashed;
      CHECK(draw);
      CHECK(r.message.find("stack overflow in task ") == 0);
      CHECK(r.message.find("overflow_test.cpp:28") != std::string::npos);  // the spawn site
      CHECK(r.message.find("64 KiB") != std::string::npos);
    } else {
      CHECK(r.outcome == sim::Outcome::completed);
      CHECK_FALSE(draw);
      ++completed;
    }
  }
  CHECK(crashed == drawn);
  CHECK(crashed > 5);
  CHECK(completed > 5);
}

TEST_CASE("an overflow found by the explorer is a crash finding whose schedule replays it", "[overflow]") {
  model::ExploreOptions o;
  o.name = "overflow";
  o.seed = 7;
  o.iterations = 30;
  o.shrink = false;
  o.sim.stack_bytes = 64 * 1024;
  auto r = model::explore(o, sometimes_overflows, model_test::outcome_checker);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.violation.kind == ViolationKind::crash);
  CHECK(f.violation.message.find("stack overflow in task ") == 0);
  auto again = model::replay(f.schedule, sometimes_overflows, model_test::outcome_checker, o.sim);
  CHECK_FALSE(again.diverged);
  CHECK(again.result.outcome == sim::Outcome::crashed);
  CHECK(again.result.trace_hash == f.trace_hash);
}
