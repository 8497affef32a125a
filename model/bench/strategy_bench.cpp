// Steps per second of the random walk vs PCT at 100 tasks: PCT's per-decision cost must
// stay within 1.5x of random's. Two shapes: 100 tasks on a 4-worker pool (few threads,
// many tasks) and 100 tasks on a 100-worker pool (many enabled threads per choice).
#include <benchmark/benchmark.h>

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
  auto strategy = model::make_strategy(strategy_spec, 1, &sim.trace());
  std::uint64_t steps = 0, decisions = 0, index = 0;
  for (auto _ : state) {
    strategy->begin_execution(index++);
    sim::RunResult r = sim.run([workers] { hundred_tasks(workers); }, *strategy);
    strategy->end_execution(r);
    steps += r.steps;
    decisions += sim.decisions().size();
  }
  state.counters["steps/s"] = benchmark::Counter(double(steps), benchmark::Counter::kIsRate);
  state.counters["decisions/s"] = benchmark::Counter(double(decisions), benchmark::Counter::kIsRate);
  state.counters["steps/exec"] = double(steps) / double(index ? index : 1);
}

void BM_random(benchmark::State& state) { run(state, "random"); }
void BM_pct3(benchmark::State& state) { run(state, "pct:3"); }

}  // namespace

BENCHMARK(BM_random)->Arg(4)->Arg(100)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_pct3)->Arg(4)->Arg(100)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
