// The minimal pair on a catalogue bug that hangs on one scheduling choice: when_all's second
// failure is lost only when the failing children finish in one order.
#include <catch2/catch.hpp>

#include "weft/model/pair.hpp"
#include "weft/properties/property.hpp"
#include "weft/scenarios/scenario.hpp"

using namespace weft;

TEST_CASE("nearest_pass: a passing schedule one decision away, which replays without the bug", "[scenarios][pair]") {
  const scenarios::Scenario* s = scenarios::find("when-all-exceptions");
  REQUIRE(s != nullptr);
  properties::Config cfg = s->options.properties;
  model::Checker checker = [cfg](const sim::Trace& t, const sim::RunResult& r) { return properties::check_all(t, r, cfg); };
  model::ExploreOptions o = s->options;
  o.name = "when-all-exceptions.bug";
  auto report = model::explore(o, s->bug, checker);
  REQUIRE(!report.findings.empty());
  const auto& f = report.findings.front();
  auto pair = model::nearest_pass(f.schedule, f.violation.kind, s->bug, checker, o.sim);
  REQUIRE(pair.found);
  CHECK(pair.decision < f.schedule.decisions.size());
  CHECK(pair.sentence.find("the lost-exception disappears") != std::string::npos);
  // Threads and tasks by name: the coroutines of the catalogue live in namespace scenarios.
  CHECK(pair.sentence.find(" scenarios::") != std::string::npos);
  CHECK(pair.sentence.find("task ") == std::string::npos);
  CHECK(pair.failing.find(" scenarios::") != std::string::npos);
  auto passing = model::replay(pair.passing_schedule, s->bug, checker, o.sim);
  CHECK(!passing.diverged);
  CHECK(std::none_of(passing.violations.begin(), passing.violations.end(),
                     [](const Violation& v) { return v.kind == ViolationKind::lost_exception; }));
  auto failing = model::replay(f.schedule, s->bug, checker, o.sim);
  CHECK(std::any_of(failing.violations.begin(), failing.violations.end(),
                    [](const Violation& v) { return v.kind == ViolationKind::lost_exception; }));
}
