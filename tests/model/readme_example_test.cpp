// The README's harness example, kept honest: the lock inversion is found and replayable.
#include <catch2/catch.hpp>

#include <weft/model/check.hpp>
#include <weft/weft.hpp>

using namespace weft;

namespace {
void transfers() {
  ThreadPool pool(4);
  Mutex a, b;
  auto transfer = [](Mutex& from, Mutex& to) -> Task<void> {
    auto g1 = co_await from.lock();
    co_await sleep_for(1_ms);
    auto g2 = co_await to.lock();
  };
  auto t1 = spawn(pool, transfer(a, b));
  auto t2 = spawn(pool, transfer(b, a));
  t1.join();
  t2.join();
}
}  // namespace

TEST_CASE("the README example: the transfer lock inversion is found", "[model][readme]") {
  model::ExploreOptions o;
  o.strategy = "pct:3";
  o.iterations = 2000;
  auto report = weft::check(o, transfers);
  REQUIRE_FALSE(report.findings.empty());
  CHECK(report.findings.front().violation.kind == ViolationKind::deadlock);
  auto again = model::replay(report.findings.front().schedule, transfers);
  CHECK_FALSE(again.diverged);
  REQUIRE_FALSE(again.violations.empty());
  CHECK(again.violations.front().kind == ViolationKind::deadlock);
}
