// Steps per second of the random walk vs PCT at 100 tasks: PCT's per-decision cost must
// stay within 1.5x of random's. Two shapes: 100 tasks on a 4-worker pool (few threads,
// many tasks) and 100 tasks on a 100-worker pool (many enabled threads per choice).
#include <benchmark/benchmark.h>

#include <algorithm>

#include "programs.hpp"
#include "weft/model/explorer.hpp"
#include "weft/spawn.hpp"
#include "weft/thread_pool.hpp"

namespace {

using namespace weft;

Task<void> noop() { co_return; }
Task<void> hops(ThreadPool* pool, int n) {
  for (int i = 0; i < n; ++i) co_await spawn(*pool, noop());
}

void hundred_tasks(std::uint32_t workers) {
  ThreadPool pool(workers, "pool");
  std::vector<JoinHandle<void>> tasks;
  for (int i = 0; i < 100; ++i) tasks.push_back(spawn(pool, hops(&pool, 4)));
  for (auto& t : tasks) block_on(t);
}

void run(benchmark::State& state, const char* strategy_spec) {
  const auto workers = std::uint32_t(state.range(0));
  sim::SimPlatform sim;
  auto strategy = model::make_strategy(strategy_spec, 1);
  std::uint64_t steps = 0, decisions = 0, index = 0;
  for (auto _ : state) {
    strategy->begin_execution(index++);
    sim::RunResult r = sim.run([workers] { hundred_tasks(workers); }, *strategy);
    strategy->end_execution(model::Execution{r, sim.trace(), sim.decisions()});
    steps += r.steps;
    decisions += sim.decisions().size();
  }
  state.counters["steps/s"] = benchmark::Counter(double(steps), benchmark::Counter::kIsRate);
  state.counters["decisions/s"] = benchmark::Counter(double(decisions), benchmark::Counter::kIsRate);
  state.counters["steps/exec"] = double(steps) / double(index ? index : 1);
}

// Executions the random walk needs to find the lock-order bug of timed_lock_order() (hidden
// behind exact timings) with every sleep jittered by up to state.range(0) ms; median over
// 21 seeds, and how many seeds found it within 10,000 executions.
void BM_jitter_lock_order(benchmark::State& state) {
  const Nanos jitter = Nanos(state.range(0)) * 1'000'000;
  std::vector<double> to_find;
  std::uint64_t found = 0, seeds = 0;
  for (auto _ : state) {
    to_find.clear();
    found = 0;
    for (std::uint64_t seed = 0; seed < 21; ++seed) {
      model::ExploreOptions o;
      o.seed = seed;
      o.iterations = 10000;
      o.shrink = false;
      o.nondeterminism_check_every = 0;
      o.sim.time_jitter = jitter;
      auto r = model::explore(o, model_test::timed_lock_order);
      to_find.push_back(r.executions_to_first_bug ? double(*r.executions_to_first_bug) : 10000.0);
      if (r.executions_to_first_bug) ++found;
    }
    seeds = to_find.size();
  }
  std::sort(to_find.begin(), to_find.end());
  state.counters["median_executions"] = to_find[to_find.size() / 2];
  state.counters["seeds_found"] = double(found);
  state.counters["seeds"] = double(seeds);
}

void BM_random(benchmark::State& state) { run(state, "random"); }
void BM_pct3(benchmark::State& state) { run(state, "pct:3"); }

}  // namespace

BENCHMARK(BM_jitter_lock_order)->Arg(0)->Arg(1)->Arg(5)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_random)->Arg(4)->Arg(100)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_pct3)->Arg(4)->Arg(100)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
