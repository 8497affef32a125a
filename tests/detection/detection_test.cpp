// Detection power at the default settings: each schedule-dependent bug of programs.hpp is
// found with the kind a user expects and its twin is clean; the simulator's own guarantees
// behind that (jobs ready together start in either order, a cycle is reported when it
// forms, nothing ends unreported, DFS branches on faults, warnings never hide errors).
#include <catch2/catch.hpp>

#include "programs.hpp"
#include "weft/model/check.hpp"

using namespace weft;
using namespace weft::detection;

namespace {

model::ExploreOptions defaults(std::uint64_t seed, std::uint64_t iterations) {
  model::ExploreOptions o;  // the defaults a user gets: random walk, coarse granularity
  o.name = "detection";
  o.seed = seed;
  o.iterations = iterations;
  o.shrink = false;
  return o;
}

const Case& find_case(std::string_view name) {
  for (const Case& c : cases())
    if (c.name == name) return c;
  throw std::logic_error("no case " + std::string(name));
}

}  // namespace

TEST_CASE("each bug is found with its kind, each twin is clean (1,000 executions)", "[detection]") {
  for (const Case& c : cases()) {
    INFO(c.name);
    auto bug = model::explore(defaults(1, 1000), [&c] { c.program(false); });
    REQUIRE_FALSE(bug.findings.empty());
    CHECK(bug.findings.front().violation.kind == c.kind);
    INFO(bug.findings.front().violation.message);
    auto fix = model::explore(defaults(1, 1000), [&c] { c.program(true); });
    CHECK(fix.findings.empty());
    if (!fix.findings.empty()) INFO(fix.findings.front().violation.message);
  }
}

TEST_CASE("jobs ready together on a pool of two start in either order", "[detection][coarse]") {
  // The reader of assertion_thrown runs before the initialiser only when the second job
  // queued can start first. Without the point between pop and first step it never does.
  auto with = model::explore(defaults(1, 1000), [] { assertion_thrown(false); });
  REQUIRE_FALSE(with.findings.empty());
  CHECK(with.findings.front().violation.kind == ViolationKind::crash);
  auto o = defaults(1, 1000);
  o.sim.job_start_points = false;
  auto without = model::explore(o, [] { assertion_thrown(false); });
  CHECK(without.findings.empty());
  // And DFS at coarse granularity sees it too, instead of calling the space clean.
  auto dfs = defaults(0, 10000);
  dfs.strategy = "dfs:2";
  auto d = model::explore(dfs, [] { assertion_thrown(false); });
  REQUIRE_FALSE(d.findings.empty());
  CHECK(d.findings.front().violation.kind == ViolationKind::crash);
}

TEST_CASE("an escaping exception is a crash naming the join that rethrew it", "[detection][crash]") {
  auto r = model::explore(defaults(1, 1000), [] { assertion_thrown(false); });
  REQUIRE_FALSE(r.findings.empty());
  const Violation& v = r.findings.front().violation;
  CHECK(v.kind == ViolationKind::crash);
  CHECK(v.message.find("config read before it was initialised") != std::string::npos);

  auto joined = model::explore(defaults(1, 10), [] {
    ThreadPool pool(1, "pool");
    auto t = spawn(pool, []() -> Task<int> {
      throw std::runtime_error("boom");
      co_return 1;
    }());
    t.join();  // rethrows into the body
  });
  REQUIRE_FALSE(joined.findings.empty());
  const Violation& j = joined.findings.front().violation;
  CHECK(j.kind == ViolationKind::crash);
  CHECK(j.message.find("boom") != std::string::npos);
  CHECK(j.message.find("rethrown by the join at") != std::string::npos);
  CHECK(j.message.find("detection_test.cpp") != std::string::npos);
}

TEST_CASE("a partial deadlock is reported when it forms, with the timer still ticking", "[detection][deadlock]") {
  auto r = model::explore(defaults(1, 1000), [] { partial_deadlock(false); });
  REQUIRE_FALSE(r.findings.empty());
  const model::Finding& f = r.findings.front();
  CHECK(f.violation.kind == ViolationKind::deadlock);
  CHECK(f.result.outcome == sim::Outcome::deadlock);
  CHECK(f.result.message.rfind("wait-for cycle", 0) == 0);
  // The chain names the mutexes, their holders and the lock sites.
  CHECK(f.violation.detail.find("held by task") != std::string::npos);
  CHECK(f.violation.detail.find("programs.hpp:") != std::string::npos);
  // Found long before any limit: the heartbeat ran only a few ticks.
  CHECK(f.result.end_time < 1_s);
}

TEST_CASE("a leaked permit is a hang naming the semaphore and its dead holder", "[detection][hang]") {
  auto r = model::explore(defaults(1, 100), [] { leaked_permit(false); });
  REQUIRE_FALSE(r.findings.empty());
  const Violation& v = r.findings.front().violation;
  CHECK(v.kind == ViolationKind::hang);
  CHECK(v.message.find("semaphore #") != std::string::npos);
  CHECK(v.message.find("after throwing DbError") != std::string::npos);
  CHECK(v.message.find("permit never released") != std::string::npos);
  CHECK(v.message.find("main waits on task") == 0 + std::string("hang: ").size());
}

TEST_CASE("an execution that ends at a limit is a finding listing what still waited", "[detection][limit]") {
  auto o = defaults(1, 5);
  o.sim.limits.time_max = 1_s;
  auto r = model::explore(o, [] {
    ThreadPool pool(2, "pool");
    Event never;
    auto waiter = spawn(pool, [](Event* e) -> Task<void> { co_await e->wait(); }(&never));
    auto ticker = spawn(pool, []() -> Task<void> {
      for (;;) co_await sleep_for(100_ms);
    }());
    waiter.join();
  });
  REQUIRE_FALSE(r.findings.empty());
  const Violation& v = r.findings.front().violation;
  CHECK(v.kind == ViolationKind::limit);
  CHECK(v.detail.find("event #") != std::string::npos);
  CHECK(v.detail.find("main waits on task") != std::string::npos);
}

TEST_CASE("weft::yield is a scheduling point", "[detection][yield]") {
  // One worker: a spin on a flag that only yields terminates because the setter runs.
  auto r = model::explore(defaults(1, 200), [] {
    ThreadPool pool(1, "pool");
    bool flag = false;
    auto spin = spawn(pool, [](bool* f) -> Task<void> {
      while (!*f) co_await weft::yield();
    }(&flag));
    auto set = spawn(pool, [](bool* f) -> Task<void> {
      *f = true;
      co_return;
    }(&flag));
    spin.join();
    set.join();
  });
  INFO((r.findings.empty() ? std::string() : r.findings.front().violation.message));
  CHECK(r.findings.empty());
  CHECK(r.executions == 200);
}

TEST_CASE("dfs branches on faults: the fault-dependent deadlock is found, the twin is exhaustive", "[detection][dfs]") {
  auto o = defaults(0, 100000);
  o.strategy = "dfs:2";
  auto bug = model::explore(o, [] { fault_deadlock(false); });
  REQUIRE_FALSE(bug.findings.empty());
  CHECK(bug.findings.front().violation.kind == ViolationKind::deadlock);
  bool fired = false;
  for (const auto& d : bug.findings.front().schedule.decisions)
    fired = fired || (d.kind == model::DecisionKind::fault && d.value == 1);
  CHECK(fired);
  auto fix = model::explore(o, [] { fault_deadlock(true); });
  CHECK(fix.findings.empty());
  CHECK(fix.exhaustive);
  CHECK(fix.coverage.find("every fault point") != std::string::npos);
}

TEST_CASE("dfs does not call a space with unexplored random draws exhaustive", "[detection][dfs]") {
  auto o = defaults(0, 100000);
  o.strategy = "dfs:1";
  auto r = model::explore(o, [] {
    ThreadPool pool(1, "pool");
    auto t = spawn(pool, []() -> Task<void> {
      if (current_platform().random_below(1000) == 999) throw std::runtime_error("rare");
      co_return;
    }());
    t.join();
  });
  CHECK(r.findings.empty());
  CHECK_FALSE(r.exhaustive);
  CHECK(r.coverage.find("NOT exhaustive") != std::string::npos);
  CHECK(r.summary.find(": exhaustive:") == std::string::npos);
}

namespace {
// A redundant hop (a warning) and an invariant that fails in every execution (an error).
Task<int> inner_call() {
  co_await sleep_for(1_ms);
  co_return 1;
}
Task<void> hop(ThreadPool* pool) { co_await spawn(*pool, inner_call()); }
void hop_and_error() {
  ThreadPool pool(2, "pool");
  auto t = spawn(pool, hop(&pool));
  t.join();
  invariant("the order was saved", false);
}
// The same shape, but the outer task also sends on a channel: real work, not a hop.
Task<void> hop_with_send(ThreadPool* pool, Channel<int>* out) {
  int v = co_await spawn(*pool, inner_call());
  out->try_send(v);
}
}  // namespace

TEST_CASE("warnings never stop the exploration or stand in front of an error", "[detection][severity]") {
  auto r = model::explore(defaults(1, 50), hop_and_error);
  REQUIRE(r.findings.size() >= 2);
  CHECK(r.findings.front().violation.kind == ViolationKind::invariant);
  CHECK(r.findings.front().violation.severity == Severity::error);
  CHECK(r.findings.back().violation.severity == Severity::warning);
  CHECK(r.warnings >= 1);
  CHECK(r.summary.find("warning(s) seen") != std::string::npos);

  auto off = defaults(1, 50);
  off.warnings = model::Warnings::off;
  auto ro = model::explore(off, hop_and_error);
  REQUIRE(ro.findings.size() == 1);
  CHECK(ro.warnings == 0);

  auto err = defaults(1, 50);
  err.warnings = model::Warnings::error;
  auto re = model::explore(err, [] {
    ThreadPool pool(2, "pool");
    spawn(pool, hop(&pool)).join();
  });
  REQUIRE(re.findings.size() == 1);
  CHECK(re.executions == 1);  // stopped at the warning
  CHECK(re.findings.front().violation.kind == ViolationKind::misuse);

  // Without errors, report mode runs every execution and keeps the warning.
  auto rep = model::explore(defaults(1, 50), [] {
    ThreadPool pool(2, "pool");
    spawn(pool, hop(&pool)).join();
  });
  CHECK(rep.executions == 50);
  REQUIRE(rep.findings.size() == 1);
  CHECK(rep.findings.front().violation.severity == Severity::warning);
}

TEST_CASE("a task that did channel I/O is not a redundant hop", "[detection][severity]") {
  auto r = model::explore(defaults(1, 50), [] {
    ThreadPool pool(2, "pool");
    Channel<int> out;
    spawn(pool, hop_with_send(&pool, &out)).join();
  });
  CHECK(r.findings.empty());
}

TEST_CASE("WEFT_WARNINGS is checked", "[detection][severity]") {
  model::ExploreOptions o;
  ::setenv("WEFT_WARNINGS", "loud", 1);
  CHECK_THROWS_AS(apply_environment(o), std::invalid_argument);
  ::setenv("WEFT_WARNINGS", "off", 1);
  apply_environment(o);
  ::unsetenv("WEFT_WARNINGS");
  CHECK(o.warnings == model::Warnings::off);
  (void)find_case;
}
