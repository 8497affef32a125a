// The portfolio (model/strategies/portfolio.cpp). Its members keep their own sequences of
// executions, identical to what each would run alone with the same seed, and every member
// is guaranteed at least half a fair share of the turns. Hence, for every seed: if member
// k alone first finds a bug at its execution j_k, the portfolio has found it by execution
// 2 K min_k(j_k) + K (K members). Checked on real searches, seed by seed: deterministic.
#include <catch2/catch.hpp>

#include "strategy_support.hpp"
#include "weft/model/strategies/portfolio.hpp"

using namespace weft;
using namespace weft::model_test;

TEST_CASE("portfolio: the first round gives every member a turn, starting at seed mod K", "[portfolio]") {
  const auto members = model::PortfolioStrategy::default_members();
  const std::size_t k = members.size();
  for (std::uint64_t seed : {0u, 1u, 6u}) {
    sim::SimPlatform sim;
    model::PortfolioStrategy p(seed);
    std::vector<std::string> names;
    for (std::uint64_t i = 0; i < k; ++i) {
      REQUIRE(p.begin_execution(i));
      names.push_back(p.execution_name());
      sim::RunResult r = sim.run([] { two_locks(true); }, p);
      p.end_execution(model::Execution{r, sim.trace(), sim.decisions()});
    }
    CHECK(names.front() == "portfolio/" + model::make_strategy(members[seed % k], 0)->name());
    std::sort(names.begin(), names.end());
    CHECK(std::unique(names.begin(), names.end()) == names.end());
  }
}

TEST_CASE("portfolio: finds a bug by 2K times the best member's executions, for every seed", "[portfolio]") {
  const auto members = model::PortfolioStrategy::default_members();
  const std::uint64_t k = members.size();
  auto body = [] { two_locks_in_noise(2, 2); };
  for (std::uint64_t seed = 0; seed < 10; ++seed) {
    CAPTURE(seed);
    std::uint64_t best = 0;
    for (const std::string& m : members) {
      auto r = model::explore(quick(m, seed, 500), body, outcome_checker);
      if (r.executions_to_first_bug && (best == 0 || *r.executions_to_first_bug < best)) best = *r.executions_to_first_bug;
    }
    REQUIRE(best > 0);
    auto p = model::explore(quick("portfolio", seed, 500), body, outcome_checker);
    REQUIRE(p.executions_to_first_bug.has_value());
    CHECK(*p.executions_to_first_bug <= 2 * k * best + k);
    CHECK(p.findings.front().schedule.strategy.rfind("portfolio/", 0) == 0);
  }
}

TEST_CASE("portfolio: is the default, and its finding replays exactly", "[portfolio]") {
  model::ExploreOptions o;
  CHECK(o.strategy == "portfolio");
  o.nondeterminism_check_every = 0;
  auto r = model::explore(o, [] { two_locks(false); }, outcome_checker);
  REQUIRE(!r.findings.empty());
  auto rr = model::replay(r.findings.front().schedule, [] { two_locks(false); }, outcome_checker);
  CHECK_FALSE(rr.diverged);
  REQUIRE(!rr.violations.empty());
  CHECK(rr.violations.front().kind == ViolationKind::deadlock);
}

TEST_CASE("strategy table: one parser for every spec", "[portfolio]") {
  for (const char* ok : {"portfolio", "random", "pct", "pct:2", "pos", "surw", "dfs", "dfs:1", "dpor", "dpor:2"})
    CHECK_NOTHROW(model::validate_strategy(ok));
  for (const char* bad : {"", "rnd", "pos:3", "pct:x", "random:1", "portfolio:2"})
    CHECK_THROWS_AS(model::validate_strategy(bad), std::invalid_argument);
  CHECK(model::strategy_usage().find("surw") != std::string::npos);
}
