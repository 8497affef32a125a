// The fast slice of the detection benchmark: a few bugs of different kinds, found by the
// default portfolio with the right kind for each of 5 fixed seeds, and their twins clean.
// Deterministic: every execution is a function of (seed, index). The budgets are more
// than ten times the largest executions-to-bug the full benchmark measured for these bugs
// (README, "Detection benchmark"), so a failure here is a regression, not bad luck.
#include <catch2/catch.hpp>

#include "bugs.hpp"
#include "weft/model/explorer.hpp"

using namespace weft;

namespace {

const detection::Bug& bug(const std::string& name) {
  for (const detection::Bug& b : detection::all_bugs())
    if (b.name == name) return b;
  throw std::logic_error("no bug " + name);
}

model::ExploreOptions options(std::uint64_t seed, std::uint64_t iterations) {
  return detection::explore_options("portfolio", seed, iterations);
}

}  // namespace

TEST_CASE("detection suite: at least 25 bugs, unique names, each with a twin", "[detection]") {
  const auto& all = detection::all_bugs();
  CHECK(all.size() >= 25);
  for (std::size_t i = 0; i < all.size(); ++i) {
    CHECK(all[i].bug);
    CHECK(all[i].twin);
    for (std::size_t j = i + 1; j < all.size(); ++j) CHECK(all[i].name != all[j].name);
  }
}

TEST_CASE("detection suite: the portfolio finds a sample of bugs with the right kind", "[detection]") {
  for (const char* name : {"deadlock01", "account", "reorder_3", "timeout_race", "close_race", "wrong_executor", "carter"}) {
    const detection::Bug& b = bug(name);
    for (std::uint64_t seed = 0; seed < 5; ++seed) {
      CAPTURE(name, seed);
      auto r = model::explore(options(seed, 2000), b.bug);
      REQUIRE(r.executions_to_first_bug.has_value());
      INFO(r.summary);
      CHECK(r.findings.front().violation.kind == b.kind);
      CHECK(r.findings.front().schedule.strategy.rfind("portfolio/", 0) == 0);
    }
  }
}

TEST_CASE("detection suite: the same twins stay clean", "[detection]") {
  for (const char* name : {"deadlock01", "account", "reorder_3", "timeout_race", "close_race", "wrong_executor", "carter"}) {
    CAPTURE(name);
    auto r = model::explore(options(0, 300), bug(name).twin);
    CHECK(r.findings.empty());
    CHECK(r.executions == 300);
  }
}

// No schedule within `lower` (a bounded dpor that searches the bug out) fails, and the
// portfolio's findings of 5 seeds, shrunk, keep exactly `fewest` preemptions and still fail
// with the same kind.
static void check_shrinks_to_fewest(const char* name, std::size_t fewest, const char* lower) {
  const detection::Bug& b = bug(name);
  CAPTURE(name);
  auto clean = model::explore(detection::explore_options(lower, 0, 5000), b.bug);
  CHECK(clean.exhaustive);
  CHECK(clean.findings.empty());
  for (std::uint64_t seed = 0; seed < 5; ++seed) {
    CAPTURE(seed);
    auto r = model::explore(options(seed, 2000), b.bug);
    REQUIRE_FALSE(r.findings.empty());
    const model::Finding& f = r.findings.front();
    model::Schedule shrunk = model::shrink(f.schedule, f.violation.kind, b.bug);
    CHECK(model::count_preemptions(shrunk, b.bug) == fewest);
    auto again = model::replay(shrunk, b.bug);
    CHECK_FALSE(again.diverged);
    CHECK(std::any_of(again.violations.begin(), again.violations.end(),
                      [&](const Violation& v) { return v.kind == f.violation.kind; }));
  }
}

// The shrinker against the fewest preemptions: for these bugs no schedule without a
// preemption fails (dpor:0 searches them out, clean), and one preemption is enough. The
// portfolio's findings, shrunk, must keep exactly one. Edits alone (cutting, replacing a
// preemption by "stay") left 3 to 7 here: removing one switch sends the decisions after
// it to threads in another state. The bounded search step of model::shrink finds them.
TEST_CASE("detection suite: shrunk findings keep the fewest preemptions", "[detection]") {
  for (const char* name : {"deadlock01", "account", "twostage", "token_ring", "timeout_race", "close_race"})
    check_shrinks_to_fewest(name, 1, "dpor:0");
}

// Bugs that need more than one: wsq needs two (dpor:1 searches it out, clean),
// philosophers_4 three (N-1: each task but the last must give way between its
// two locks; dpor:0 searches out clean). Without the shrinker's delta debugging over
// switches and its search above bound 3, some of these seeds kept 3 on wsq (and on
// twostage, when its reader was spawned before its writer), and 5 and 6 on philosophers_4.
TEST_CASE("detection suite: shrunk findings that need several preemptions keep the fewest", "[detection]") {
  check_shrinks_to_fewest("wsq", 2, "dpor:1");
  check_shrinks_to_fewest("philosophers_4", 3, "dpor:0");
}
