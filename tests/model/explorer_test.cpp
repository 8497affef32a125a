// Must-show 1 and 2: the two-lock inversion is found fast by random and PCT and by DFS,
// its fix is proven (within the bound) by DFS; "counter" is explored exhaustively.
#include <algorithm>
#include <catch2/catch.hpp>
#include <iostream>

#include "programs.hpp"
#include "weft/model/check.hpp"
#include "weft/model/strategies/dfs.hpp"
#include <cstdlib>

using namespace weft;
using namespace weft::model_test;

namespace {

model::ExploreOptions options(std::string strategy, std::uint64_t seed = 0, std::uint64_t iterations = 1000) {
  model::ExploreOptions o;
  o.name = "test";
  o.strategy = std::move(strategy);
  o.seed = seed;
  o.iterations = iterations;
  o.shrink = false;
  o.nondeterminism_check_every = 0;
  return o;
}

}  // namespace

TEST_CASE("random finds the two-lock inversion", "[explorer]") {
  auto r = model::explore(options("random", 1), [] { two_locks(false); }, outcome_checker);
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].violation.kind == ViolationKind::deadlock);
  CHECK(r.executions_to_first_bug.has_value());
  auto replayed = model::replay(r.findings[0].schedule, [] { two_locks(false); }, outcome_checker);
  CHECK_FALSE(replayed.diverged);
  CHECK(replayed.result.outcome == sim::Outcome::deadlock);
  CHECK(replayed.result.trace_hash == r.findings[0].trace_hash);
}

TEST_CASE("dfs finds the two-lock inversion, the fix is exhaustive", "[explorer]") {
  auto buggy = model::explore(options("dfs:2"), [] { two_locks(false); }, outcome_checker);
  REQUIRE(buggy.findings.size() == 1);
  CHECK(buggy.findings[0].violation.kind == ViolationKind::deadlock);
  std::cout << "dfs:2 two locks (buggy): found after " << *buggy.executions_to_first_bug << " executions\n";

  auto fixed = model::explore(options("dfs:2", 0, 100000), [] { two_locks(true); }, outcome_checker);
  CHECK(fixed.findings.empty());
  CHECK(fixed.exhaustive);
  std::cout << "dfs:2 two locks (fixed): " << fixed.summary << "\n";

  auto blocking = model::explore(options("dfs:2", 0, 100000), [] { two_locks_block_on(false); }, outcome_checker);
  REQUIRE(blocking.findings.size() == 1);
  std::cout << "dfs:2 two locks block_on (buggy): found after " << *blocking.executions_to_first_bug << " executions\n";
  // Three workers: jobs ready together start in either order and each steal draws its
  // victim among three (a branch of DFS), so dfs:1 no longer finishes within 100,000.
  auto blocking_fixed = model::explore(options("dfs:1", 0, 100000), [] { two_locks_block_on(true); }, outcome_checker);
  CHECK(blocking_fixed.findings.empty());
  std::cout << "dfs:1 two locks block_on (fixed): " << blocking_fixed.summary << "\n";
}

TEST_CASE("counter is explored exhaustively with reduction", "[explorer]") {
  for (std::string s : {"dfs:0", "dfs:1", "dfs:2", "dfs:3"}) {
    auto r = model::explore(options(s, 0, 100000), [] { counter(); }, outcome_checker);
    CHECK(r.findings.empty());
    CHECK(r.exhaustive);
    std::cout << "counter " << s << ": " << r.summary << " (" << r.distinct_schedules << " distinct)\n";
    // 315 before jobs ready together could start in either order (measured: 352 after).
    if (s == "dfs:2") CHECK(r.executions <= 360);
  }
}

TEST_CASE("the harness reports a violation with a replay token", "[check]") {
  auto o = options("random", 3, 100);
  o.name = "two locks";
  auto r = weft::check(o, [] { two_locks(false); }, outcome_checker);
  REQUIRE_FALSE(r.findings.empty());
  std::string msg = weft::failure_message(r);
  CHECK(msg.find("deadlock") != std::string::npos);
  CHECK(msg.find("replay: WEFT_REPLAY=") != std::string::npos);
  CHECK(msg.find("artefacts:") != std::string::npos);
  auto fixed = weft::check(options("random", 3, 50), [] { two_locks(true); }, outcome_checker);
  REQUIRE_NO_VIOLATION(fixed);
}

TEST_CASE("counter without reduction, for comparison", "[explorer]") {
  // The same bounded DFS with every transition dependent on every other: no sleep sets apply.
  for (std::uint32_t bound : {1u, 2u}) {
    sim::SimPlatform sim;
    model::DfsStrategy plain(bound, model::DfsStrategy::Reduction::none);
    std::uint64_t executions = 0;
    while (plain.begin_execution(executions) && executions < 100000) {
      auto r = sim.run([] { counter(); }, plain);
      CHECK(r.outcome == sim::Outcome::completed);
      plain.end_execution(model::Execution{r, sim.trace(), sim.decisions()});
      ++executions;
    }
    CHECK(plain.exhaustive());
    std::cout << "counter dfs:" << bound << " without reduction: " << executions << " schedules\n";
  }
}

TEST_CASE("WEFT_REPLAY replays a token through the harness", "[check]") {
  auto o = options("random", 11, 100);
  o.name = "two locks";
  auto found = weft::check(o, [] { two_locks(false); }, outcome_checker);
  REQUIRE_FALSE(found.findings.empty());
  std::string token = model::to_token(found.findings[0].schedule);
  ::setenv("WEFT_REPLAY", token.c_str(), 1);
  auto again = options("random", 999, 100);
  again.name = "two locks";  // WEFT_REPLAY goes to the check the schedule names
  auto replayed = weft::check(again, [] { two_locks(false); }, outcome_checker);
  ::unsetenv("WEFT_REPLAY");
  REQUIRE(replayed.executions == 1);
  REQUIRE(replayed.findings.size() == 1);
  CHECK(replayed.findings[0].violation.kind == ViolationKind::deadlock);
  CHECK(replayed.findings[0].trace_hash == found.findings[0].trace_hash);
}

TEST_CASE("the strategy table: every search it offers is made from its spec, each row has its help, replay and mutate need a schedule", "[explorer]") {
  // strategy_choices() is what `weft run --help` offers: each one must be made, by name.
  std::string choices = model::strategy_choices() + "|";
  std::vector<std::string> names;
  for (std::size_t at = 0, bar; (bar = choices.find('|', at)) != std::string::npos; at = bar + 1) {
    std::string spec = choices.substr(at, bar - at);
    spec = spec.substr(0, spec.find('['));
    names.push_back(model::make_strategy(spec, 1)->name());
  }
  CHECK(names == std::vector<std::string>{"portfolio", "random", "pct:3", "pct-await:3", "pos", "surw", "dfs:2", "dpor"});
  for (const char* needs : {"replay", "mutate"}) {
    CHECK(choices.find(needs) == std::string::npos);
    CHECK_THROWS_WITH(model::make_strategy(needs, 1), Catch::Contains("needs a schedule"));
    model::Schedule s;
    CHECK(model::make_strategy(needs, 1, &s)->name() == needs);
  }
  // Every row has its one line of help, and the table's order and specs are the synopsis'.
  std::string searches;
  for (const model::StrategyHelp& s : model::strategy_help()) {
    INFO(s.spec);
    CHECK(!s.help.empty());
    CHECK(s.help.find('\n') == std::string::npos);
    CHECK(s.help.size() <= 110);  // one line of `weft run --help` beside the name
    if (!s.needs_schedule) searches += (searches.empty() ? "" : "|") + s.spec;
  }
  CHECK(model::strategy_help().size() == names.size() + 2);
  CHECK(searches == model::strategy_choices());
  CHECK_THROWS_WITH(model::make_strategy("pos:2", 1), Catch::Contains("takes no parameter"));
  CHECK_THROWS_WITH(model::make_strategy("frob", 1), Catch::Contains("unknown strategy"));
}
