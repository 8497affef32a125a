// The nondeterminism check (model/src/wrappers/nondeterminism.cpp) is a transparent
// wrapper: whoever drives it learns what it does only through the Strategy interface
// (rerun(), rerun_pending(), needs_trace_hash(), divergence()), and it learns what to
// replay only from the Execution end_execution is told. Driven here by hand, as explore
// drives it, with no explorer in between.
#include <catch2/catch.hpp>

#include "programs.hpp"
#include "weft/model/strategies/random.hpp"
#include "weft/model/wrappers/nondeterminism.hpp"

using namespace weft;
using namespace weft::model_test;

namespace {

int g_hops = 0;  // survives executions: what makes `drifting` nondeterministic

Task<void> hops(ThreadPool* pool, int n) {
  for (int i = 0; i < n; ++i) co_await spawn(*pool, noop());
}

void drifting() {
  ++g_hops;
  ThreadPool pool(2, "pool");
  auto a = spawn(pool, hops(&pool, 1 + g_hops % 2));
  auto b = spawn(pool, hops(&pool, 1));
  block_on(a);
  block_on(b);
}

struct Step {
  bool rerun = false;
  std::vector<model::Decision> replayed;
  std::vector<model::Decision> taken;
  std::optional<std::string> divergence;
};

// One execution, driven as explore drives a strategy.
Step run_one(sim::SimPlatform& sim, model::Strategy& s, std::uint64_t index, void (*body)()) {
  REQUIRE(s.begin_execution(index));
  Step out;
  if (const auto* d = s.rerun()) {
    out.rerun = true;
    out.replayed = *d;
  }
  sim::RunResult r = sim.run(body, s.source());
  r.trace_hash = sim.trace_hash();
  const model::Execution e{r, sim.trace(), sim.decisions()};
  s.end_execution(e);
  out.divergence = s.divergence(e);
  for (const sim::RecordedDecision& d : sim.decisions()) out.taken.push_back({model::DecisionKind(d.kind), d.value, 0});
  return out;
}

}  // namespace

TEST_CASE("nondeterminism check: every k-th execution is followed by a re-run of its decisions", "[nondeterminism]") {
  sim::SimPlatform sim;
  model::RandomStrategy inner(5);
  model::NondeterminismCheck check(inner, 2);
  std::vector<Step> steps;
  for (std::uint64_t i = 0; i < 6; ++i) steps.push_back(run_one(sim, check, i, [] { two_locks(true); }));
  // Inner executions 0 and 2 are checked: the order is run, re-run, run, run, re-run, run.
  std::vector<bool> reruns;
  for (const Step& s : steps) reruns.push_back(s.rerun);
  CHECK(reruns == std::vector<bool>{false, true, false, false, true, false});
  // A re-run replays what the execution before it took, and takes the same decisions.
  CHECK(steps[1].replayed == steps[0].taken);
  CHECK(steps[1].taken == steps[0].taken);
  CHECK(steps[4].replayed == steps[3].taken);
  for (const Step& s : steps) CHECK_FALSE(s.divergence);
  // The inner strategy saw its own consecutive executions: run 3 is its execution 2.
  model::RandomStrategy alone(5);
  sim::SimPlatform sim2;
  std::vector<Step> plain;
  for (std::uint64_t i = 0; i < 3; ++i) plain.push_back(run_one(sim2, alone, i, [] { two_locks(true); }));
  CHECK(steps[3].taken == plain[2].taken);
}

TEST_CASE("nondeterminism check: a re-run that diverges is reported by divergence(), with the step", "[nondeterminism]") {
  sim::SimPlatform sim;
  model::RandomStrategy inner(1);
  model::NondeterminismCheck check(inner, 1);
  std::optional<std::string> found;
  for (std::uint64_t i = 0; i < 20 && !found; ++i) {
    Step s = run_one(sim, check, i, drifting);
    if (s.divergence) {
      CHECK(s.rerun);  // only a re-run diverges: the search's own executions replay nothing
      found = s.divergence;
    }
  }
  REQUIRE(found);
  CHECK(found->find("nondeterminism at step ") == 0);
}

TEST_CASE("nondeterminism check: a check due after the last execution is announced", "[nondeterminism]") {
  sim::SimPlatform sim;
  model::RandomStrategy inner(3);
  model::NondeterminismCheck check(inner, 64);
  CHECK_FALSE(check.rerun_pending());
  REQUIRE(check.begin_execution(0));
  CHECK_FALSE(check.needs_trace_hash());  // its trace is compared with the re-run's, not its hash
  sim::RunResult r = sim.run([] { counter(); }, check.source());
  check.end_execution(model::Execution{r, sim.trace(), sim.decisions()});
  CHECK(check.rerun_pending());
  REQUIRE(check.begin_execution(1));
  CHECK(check.rerun() != nullptr);
  CHECK_FALSE(model::NondeterminismCheck(inner, 0).rerun_pending());
}
