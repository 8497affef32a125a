// The test harness: explore a body under the simulator from a Catch2 test.
//
//   auto report = weft::check({.name = "two locks", .strategy = "pct:3"}, [] { ... });
//   REQUIRE_NO_VIOLATION(report);
//
// A finding writes the same artefact directory as `weft run` (weft-out/<name>/: schedule.weft,
// token.txt, trace.txt, finding.weft, report.md, schedule.svg, schedule.dot, timeline.json),
// prints its replay token unwrapped on stderr, and the failure message gives every distinct
// finding (errors first, causes before symptoms) with a replay line ready to paste:
//   WEFT_REPLAY=weft-out/two_locks/schedule.weft ./tests "the Catch2 test name"
//
// Environment knobs override the options, so a CI failure reproduces locally:
//   WEFT_SEED=<n> WEFT_ITERATIONS=<n> WEFT_STRATEGY=random|pct:D|dfs:B
//   WEFT_REPLAY=<w1.… token, schedule file or artefact directory>: replays that schedule
//       into the check whose name is the schedule's; every other check runs as usual and
//       says on stderr that the replay was not for it
//   WEFT_FILTER=<name>  only the check with that name runs; the others are skipped
//   WEFT_OUT=<dir>      where the artefact directories go (default: weft-out)
//   WEFT_WATCHDOG=<s>   wall-clock seconds one execution may take (default 30; 0 = off)
//
// The watchdog: the simulator runs every virtual thread on one OS thread, so a real blocking
// call in the body (a std::mutex held across co_await, a real sleep, a blocking read) stops
// the whole simulation. weft::check therefore explores on a thread of its own and watches
// it; an execution that makes no progress for WEFT_WATCHDOG seconds becomes a `hang` finding
// (seed, execution, the last site the execution reached, the schedule so far) and the test
// goes on. The stuck thread cannot be stopped from outside: it is abandoned, with the
// execution's memory, and stays blocked (a call that returns later runs on into a body
// whose test has moved on: keep real blocking calls out of simulated code).
#pragma once

#include <string>

#include "weft/model/explorer.hpp"
#include "weft/properties/invariant.hpp"  // weft::invariant, Monitor, probe: what a body asserts

namespace weft {

model::ExploreReport check(model::ExploreOptions options, const model::Body& body,
                           const model::Checker& checker = {});

// Empty when the report has no finding; else the failure text: every distinct finding
// (kind once, message, sites, detail), errors first and causes before symptoms, the replay
// line and the artefact directory. `test_name`, when given, is added to the replay line as
// the test binary's filter (REQUIRE_NO_VIOLATION passes Catch2's current test name).
std::string failure_message(const model::ExploreReport& report, const std::string& test_name = {});

// Applies WEFT_SEED / WEFT_ITERATIONS / WEFT_STRATEGY / WEFT_REPLAY to `options`.
// WEFT_REPLAY applies only when the schedule's name is options.name.
// Throws std::invalid_argument (one line) on a malformed value.
void apply_environment(model::ExploreOptions& options);

namespace model {
// Orders violations for people: errors before warnings, then causes before the symptoms
// they produce (a crash, deadlock or hang before the lost exceptions and timeouts it
// leaves behind). Stable within a rank.
void order_by_cause(std::vector<Violation>& violations);
void order_by_cause(std::vector<Finding>& findings);
}  // namespace model

}  // namespace weft

// For Catch2 tests: fails with failure_message() when the report holds a violation; a clean
// report counts as one passed assertion (so `-w NoAssertions` does not flag the test).
#define WEFT_REQUIRE_NO_VIOLATION(report)                                                       \
  do {                                                                                          \
    const ::weft::model::ExploreReport& weft_report_ = (report);                                \
    if (!weft_report_.findings.empty())                                                         \
      FAIL(::weft::failure_message(weft_report_, ::Catch::getResultCapture().getCurrentTestName())); \
    SUCCEED("weft: no violation in " << weft_report_.executions << " executions");             \
  } while (false)
#ifndef REQUIRE_NO_VIOLATION
#define REQUIRE_NO_VIOLATION(report) WEFT_REQUIRE_NO_VIOLATION(report)
#endif
