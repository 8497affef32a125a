// PCT, probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi, Nagarakatte,
// ASPLOS 2010). Each thread gets a random priority when it first appears (distinct, all
// above d); d-1 change points are drawn uniformly in [0, k), k being the most choice
// points any execution so far had (steps where no choice exists cannot change anything,
// so they are not counted); at change point i the thread about to run drops to d-1-i.
// The highest-priority enabled thread runs. A bug of depth d is found with probability
// at least 1/(n k^(d-1)) per execution.
//
// A thread that yields without progress -- it ran a task that only queued itself again
// (a spin: `co_await yield`, a retry loop, a poll) -- drops below every other thread,
// those lowered by change points included (as shuttle's PCT does): under fixed priorities a spinning
// high-priority thread would otherwise starve the one it waits for and every execution
// would end at the step limit. The most recent yielder is the lowest. Needs the trace
// (to see the self-reschedule); without it, plain PCT.
//
// pct-await:D (the await mode): every thread that ran a piece of a task until the task
// awaited something (a lock, a join, a step, a channel) or finished gives way: it draws a
// random place in the yield band, below every thread that has not run yet; change points
// send a thread to a random place in the band too. The threads that gave way come back in
// a fresh random order each time, while a thread that has not run yet goes first. On an
// async pool a worker runs many short task pieces, and a bug often needs one task's pieces
// to come between two pieces of several others (reorder_N: the checker between every
// setter's two stores): plain PCT must lower each of those workers by a change point
// (about N of them), the await mode puts them all in the band, where the checker comes
// back first with probability about 1/N. Same priorities and cost otherwise.
//
// Cost per decision: one pass over Choice::enabled reading a flat priority array indexed
// by thread (no per-task or per-thread allocation, no map); it is proportional to the
// number of *enabled* threads only, never to tasks (see model/bench/strategy_bench.cpp).
#pragma once

#include <vector>

#include "weft/model/happens_before.hpp"
#include "weft/model/strategy.hpp"

namespace weft::model {

class PctStrategy final : public Strategy {
 public:
  // steps_estimate: k for the first execution (in choice points); then the longest seen.
  PctStrategy(std::uint64_t seed, std::uint32_t depth, std::uint64_t steps_estimate = 8,
              bool await_gives_way = false) noexcept;
  bool begin_execution(std::uint64_t index) override;
  void end_execution(const Execution& e) override;
  std::string name() const override { return (await_gives_way_ ? "pct-await:" : "pct:") + std::to_string(depth_); }
  std::size_t choose(const sim::Choice& c) override;
  std::uint64_t random(std::uint64_t bound) override;

 private:
  // Priorities, highest first: initial ones (random, distinct, above yield_band + d), then
  // change point i at yield_band + d-1-i, then yielders below yield_band (each new
  // yield one lower).
  // yield_band leaves room below it for band keys ((yield_keys + 1) << 16 < yield_band)
  // and above it for the change points; initial priorities are shifted above them all.
  static constexpr std::uint64_t yield_band = std::uint64_t(1) << 40;
  static constexpr std::uint64_t yield_keys = std::uint64_t(1) << 23;
  static_assert(((yield_keys + 1) << 16) < yield_band, "band keys stay below the yield band");
  std::uint64_t priority_of(sim::ThreadIndex t);
  std::uint64_t band_key(sim::ThreadIndex t);  // a random place below the yield band's top
  bool yielded(const sim::Trace* trace) const noexcept;
  std::size_t highest(const sim::Choice& c);
  [[gnu::noinline]] std::size_t highest_drawing(const sim::Choice& c);  // highest() when a thread has no priority yet

  bool await_gives_way_;
  std::uint64_t seed_;
  std::uint32_t depth_;
  std::uint64_t steps_estimate_;
  sim::RandomSource rng_;
  std::vector<std::uint64_t> priority_;        // by thread index; 0 = not seen yet
  std::size_t priorities_used_ = 0;             // priority_[t] == 0 for every t >= this
  std::vector<std::uint64_t> change_points_;   // sorted steps
  std::size_t next_change_ = 0;
  std::uint64_t choices_ = 0;                   // choice points so far in this execution
  TransitionObserver observer_;
  sim::ThreadIndex last_chosen_ = 0;
  std::uint64_t yields_ = 0;                    // yield demotions so far in this execution
};

}  // namespace weft::model
