// The test harness: explore a body under the simulator from a Catch2 test.
//
//   auto report = weft::check({.name = "two locks", .strategy = "pct:3"}, [] { ... });
//   REQUIRE_NO_VIOLATION(report);
//
// Environment knobs override the options, so a CI failure reproduces locally:
//   WEFT_SEED=<n> WEFT_ITERATIONS=<n> WEFT_STRATEGY=random|pct:D|dfs:B
//   WEFT_REPLAY=<w1.… token or schedule file>  (replays just that schedule)
//   WEFT_OUT=<dir>  where a failing schedule file and trace dump go (default: weft-out)
#pragma once

#include <string>

#include "weft/model/explorer.hpp"

namespace weft {

model::ExploreReport check(model::ExploreOptions options, const model::Body& body,
                           const model::Checker& checker = {});

// Empty when the report has no finding; else the failure text: kind and one line, the
// replay token ("WEFT_REPLAY=w1.…") and where the artefacts were written.
std::string failure_message(const model::ExploreReport& report);

// Applies WEFT_SEED / WEFT_ITERATIONS / WEFT_STRATEGY / WEFT_REPLAY to `options`.
// Throws std::invalid_argument (one line) on a malformed value.
void apply_environment(model::ExploreOptions& options);

}  // namespace weft

// For Catch2 tests: fails with failure_message() when the report holds a violation.
#define WEFT_REQUIRE_NO_VIOLATION(report)                             \
  do {                                                                \
    const ::weft::model::ExploreReport& weft_report_ = (report);      \
    if (!weft_report_.findings.empty()) FAIL(::weft::failure_message(weft_report_)); \
  } while (false)
#ifndef REQUIRE_NO_VIOLATION
#define REQUIRE_NO_VIOLATION(report) WEFT_REQUIRE_NO_VIOLATION(report)
#endif
