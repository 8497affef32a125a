// Helpers shared by the per-strategy tests.
#pragma once

#include <algorithm>
#include <coroutine>
#include <cstdint>
#include <string>
#include <vector>

#include "programs.hpp"
#include "weft/executor.hpp"

namespace weft::model_test {

// A yield: the running task queues itself again on its executor (a spin's step).
struct Reschedule : ResumeJob {
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    handle = h;
    task = current_task();
    current_context()->post(this);
  }
  void await_resume() const noexcept {}
};

inline model::ExploreOptions quick(const std::string& strategy, std::uint64_t seed, std::uint64_t iterations) {
  model::ExploreOptions o;
  o.strategy = strategy;
  o.seed = seed;
  o.iterations = iterations;
  o.shrink = false;
  o.nondeterminism_check_every = 0;
  return o;
}

// Executions to the first violation for seeds [0, seeds) (0 = not found within `budget`).
template <class Body>
std::vector<std::uint64_t> executions_to_bug(const std::string& strategy, std::uint64_t seeds, std::uint64_t budget,
                                             Body body) {
  std::vector<std::uint64_t> out;
  for (std::uint64_t seed = 0; seed < seeds; ++seed) {
    auto r = model::explore(quick(strategy, seed, budget), body, outcome_checker);
    out.push_back(r.executions_to_first_bug.value_or(0));
  }
  return out;
}

// The trace hashes of `n` executions of `strategy` under `seed`.
template <class Body>
std::vector<std::uint64_t> hashes(const std::string& strategy, std::uint64_t seed, std::uint64_t n, Body body) {
  sim::SimPlatform sim;
  auto strategy_ptr = model::make_strategy(strategy, seed);
  std::vector<std::uint64_t> out;
  for (std::uint64_t i = 0; i < n && strategy_ptr->begin_execution(i); ++i) {
    sim::RunResult r = sim.run(body, *strategy_ptr);
    strategy_ptr->end_execution(model::Execution{r, sim.trace(), sim.decisions()});
    out.push_back(r.trace_hash);
  }
  return out;
}

inline std::uint64_t distinct(std::vector<std::uint64_t> v) {
  std::sort(v.begin(), v.end());
  return std::uint64_t(std::unique(v.begin(), v.end()) - v.begin());
}

}  // namespace weft::model_test
