// model/src/pair.cpp: the nearest passing schedule of a finding, one decision away (the
// positive case runs on a catalogue scenario: tests/scenarios/pair_test.cpp).
#include <catch2/catch.hpp>

#include "weft/model/pair.hpp"
#include "weft/weft.hpp"

using namespace weft;

namespace {

// Two tasks on two workers; the checker below flags every execution.
void race() {
  ThreadPool pool(2);
  // Both wake at the same virtual instant: which resumes first is a scheduling choice.
  auto a = spawn(pool, []() -> Task<void> {
    co_await sleep_for(1_ms);
    annotate("a");
  }());
  auto b = spawn(pool, []() -> Task<void> {
    co_await sleep_for(1_ms);
    annotate("b");
  }());
  a.join();
  b.join();
}

}  // namespace

TEST_CASE("nearest_pass says so when every neighbour fails", "[model][pair]") {
  auto always = [](const sim::Trace&, const sim::RunResult&) {
    Violation v;
    v.kind = ViolationKind::invariant;
    return std::vector<Violation>{v};
  };
  model::ExploreOptions o;
  o.iterations = 5;
  auto report = model::explore(o, race, always);
  REQUIRE(!report.findings.empty());
  auto pair = model::nearest_pass(report.findings.front().schedule, ViolationKind::invariant, race, always);
  CHECK(!pair.found);
  CHECK(pair.tried >= 1);
}
