// POS, partial order sampling (Yuan, Yang, Gu, CAV 2018), on weft's transitions.
//
// Every pending step (what an enabled thread will do when chosen next) carries a random
// priority, drawn when the step becomes pending: when its thread has just run, or has
// just become enabled. The enabled thread with the highest priority runs. After a step
// with footprint F ran, every other pending step that races with it -- here: whose
// thread's previous transition conflicts with F, the best prediction of its next one we
// have before running it -- gets a fresh priority. Without the reset this is random
// priority scheduling; with it, the probability of sampling an interleaving depends on
// its partial order, not on how many equivalent total orders it has: a thread that lost
// once is not doomed to lose at every later step (as it is under a fixed priority), and
// independent steps do not dilute the choices that matter (as they do under a uniform
// walk). With the trace off every footprint is universal and every priority is redrawn at
// every step: a uniform random walk.
#pragma once

#include <vector>

#include "weft/model/happens_before.hpp"
#include "weft/model/strategy.hpp"

namespace weft::model {

class PosStrategy final : public Strategy {
 public:
  explicit PosStrategy(std::uint64_t seed) noexcept;
  bool begin_execution(std::uint64_t index) override;
  std::string name() const override { return "pos"; }
  std::size_t choose(const sim::Choice& c) override;
  std::uint64_t random(std::uint64_t bound) override;

 private:
  struct PerThread {
    std::uint64_t priority = 0;  // 0 = to be drawn
    std::uint64_t enabled_at = 0;  // the last choice (numbered across executions) it was enabled at
    Footprint last;              // footprint of its previous transition (its predicted next)
  };
  PerThread& at(sim::ThreadIndex t);

  std::uint64_t seed_;
  sim::RandomSource rng_;
  TransitionObserver observer_;
  std::vector<PerThread> threads_;
  std::uint64_t choice_ = 0;     // choices so far, over every execution
  sim::ThreadIndex last_chosen_ = 0;
};

}  // namespace weft::model
