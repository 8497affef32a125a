// SURW, selectively uniform random walk (after "Selectively Uniform Concurrency Testing",
// ASPLOS 2025), on weft's transitions.
//
// A uniform choice at every step does not sample interleavings uniformly: a thread with
// many steps left is as likely to run next as one with a single step left, so orders in
// which short threads finish late are rare. Choosing each thread with probability
// proportional to the number of steps it has left samples every interleaving of the
// threads' steps with the same probability (the multinomial count of the extensions
// after each choice is proportional to that number). SURW applies this to the steps that
// matter: each execution picks a set of interesting keys (one object the program
// synchronises on, drawn among those two threads touched in earlier executions, or all of
// them with probability 1/2), and weighs each enabled thread by the interesting steps it
// still has, estimated from earlier executions with the same selection (the largest count
// seen for that thread). A thread with none left keeps weight 1, so every interleaving
// stays possible. weft::Shared variables are never selected (they would make the walk
// nearly thread-uniform on programs where every task touches them; see surw.cpp). A
// program that shares no sync object between threads (tasks that only hop on
// a pool) has nothing to select: then every step is interesting, and the walk is uniform
// over the interleavings of all the threads' steps (on reorder_N, where the checker must
// run its steps between a setter's two, this finds the bug in about half the executions a
// thread-uniform walk needs). The first execution, with no estimate yet, is a uniform
// walk; so is every execution with the trace off.
#pragma once

#include <map>
#include <vector>

#include "weft/model/happens_before.hpp"
#include "weft/model/strategy.hpp"

namespace weft::model {

class SurwStrategy final : public Strategy {
 public:
  explicit SurwStrategy(std::uint64_t seed) noexcept;
  bool begin_execution(std::uint64_t index) override;
  void end_execution(const Execution& e) override;
  std::string name() const override { return "surw"; }
  std::size_t choose(const sim::Choice& c) override;
  std::uint64_t random(std::uint64_t bound) override;

 private:
  bool interesting(const Footprint& fp) const noexcept;
  void account(const sim::Trace& trace, sim::ThreadIndex t, const Footprint& fp);
  // account() for the transition that just ended (its records: the tail of `trace`)
  void account_next(const sim::Trace* trace, sim::ThreadIndex t);
  // The estimate slot of this execution's selection: 0 for all known keys, the key for one,
  // universal_key for every step.
  Key selection() const noexcept { return every_step_ ? universal_key : interesting_.empty() ? 0 : interesting_[0]; }

  std::uint64_t seed_;
  sim::RandomSource rng_;
  TransitionObserver observer_;
  std::vector<Key> known_keys_;        // sorted: sync objects two threads touched so far
  std::map<Key, sim::ThreadIndex> first_thread_;  // sync objects seen: the first thread that touched each
  std::vector<Key> interesting_;       // sorted: this execution's selection (empty: all known)
  bool every_step_ = false;            // no known key: every step is interesting
  std::vector<std::uint32_t> done_;    // per thread: interesting steps so far in this execution
  // Per selection (0: all known keys) and thread: the most interesting steps seen in one execution.
  std::map<Key, std::vector<std::uint32_t>> estimates_;
  std::vector<std::uint32_t>* estimate_ = nullptr;  // estimates_[selection()], fixed from begin to end
  sim::ThreadIndex last_chosen_ = 0;
  std::vector<std::uint32_t> weights_;  // choose()'s scratch, by position in Choice::enabled
};

}  // namespace weft::model
