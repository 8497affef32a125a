// DPOR, dynamic partial-order reduction with source sets and sleep sets (after Abdulla,
// Aronis, Jonsson, Sagonas, POPL 2014; the race detection of Flanagan & Godefroid, POPL
// 2005), for exhaustive search without a preemption bound.
//
// Transitions and footprints are the sleep-set DFS's (dfs.hpp): a transition is a thread
// running from one choice point to the next, its footprint comes from
// model::transition_footprint over the records the choice's trace (sim::Choice::trace)
// gained since the previous choice; the last one's, and what the symmetry below reads
// (each thread's executor, its first record), from the trace end_execution is told. The DFS branches on every enabled thread at every choice
// point and prunes with sleep sets; DPOR branches only where the execution just run
// shows a race. After each execution it computes, per transition, a vector clock over
// threads (program order plus every earlier conflicting transition of another thread)
// and finds the races: transitions j < i of different threads with conflicting
// footprints where j reaches i only through that conflict (no other transition in
// between carries the order). For each race, the state before j must also try some
// thread that can start the reversed order: an initial of v = (the transitions after j
// not ordered after it, then i). If j's backtrack set holds none, the earliest enabled
// initial joins it; if none is enabled (a wake-up footprints do not show), every enabled
// thread does (the classic conservative rule). Sleep sets, as in the DFS, skip threads
// whose step commutes with everything taken since they were explored.
//
// Every execution explored is a different Mazurkiewicz trace of the visible footprints,
// and every trace is covered up to worker symmetry: when the backtrack sets are empty the
// search is exhaustive. The symmetry: the two workers of a two-worker pool, while neither
// has run, are interchangeable, so a race between their first transitions is not reversed
// (the reversed order is the same execution with the workers' names swapped). On counter
// this halves the executions (190 to 86).
// With a preemption bound B (`dpor:B`), a thread is tried at a state only if that keeps
// the schedule within B preemptions; a race whose reversal would exceed it is also tried
// at the latest earlier state where switching to that thread is free (the thread before
// it blocked), as bounded partial-order reduction (Coons, Musuvathi, McKinley, OOPSLA
// 2013) does, so that the bounded space is still covered.
//
// The limits are the DFS's: plain memory touched without a weft primitive is invisible to
// footprints; random draws return 0 and faults never fire.
#pragma once

#include <vector>

#include "weft/model/happens_before.hpp"
#include "weft/model/strategy.hpp"

namespace weft::model {

class DporStrategy final : public Strategy {
 public:
  static constexpr std::uint32_t unbounded = ~std::uint32_t(0);
  // preemption_bound: unbounded, or B (bounded DPOR: schedules of at most B preemptions).
  explicit DporStrategy(std::uint32_t preemption_bound = unbounded) noexcept;
  bool begin_execution(std::uint64_t index) override;
  // The footprint of the last transition and the threads' executors and first records.
  // Without this call (a driver that skips it) the last transition conflicts with
  // everything and no two workers count as interchangeable: more branches, none lost.
  void end_execution(const Execution& e) override;
  std::string name() const override { return bound_ == unbounded ? "dpor" : "dpor:" + std::to_string(bound_); }
  std::size_t choose(const sim::Choice& c) override;
  std::uint64_t random(std::uint64_t) override { return 0; }
  bool fault(std::string_view, std::uint32_t) override { return false; }

  bool exhaustive() const noexcept override { return exhaustive_; }
  // Executions cut short because every enabled thread slept (covered elsewhere).
  std::uint64_t sleep_blocked() const noexcept { return sleep_blocked_; }

 private:
  struct Sleeping {
    sim::ThreadIndex thread;
    Footprint footprint;
  };
  struct Frame {
    std::vector<sim::ThreadIndex> enabled;
    sim::ThreadIndex current = 0;
    bool current_enabled = false;
    sim::ThreadIndex chosen = 0;
    bool branching = true;            // false past a sleep-blocked state
    std::uint32_t preemptions_before = 0;
    std::vector<sim::ThreadIndex> backtrack;  // sorted: threads to try here
    std::vector<Sleeping> sleep;      // sleep set of this state
    std::vector<Sleeping> done;       // threads explored here, with their footprints
    Footprint footprint;              // of the chosen transition, once it ran
    std::size_t begin = 0;            // index of the transition's first trace record
  };

  void finish_transition(const sim::Trace* trace);
  bool allowed(const Frame& f, sim::ThreadIndex t) const noexcept;
  void request(std::size_t frame, sim::ThreadIndex t);
  void analyse_races();
  void note_fresh_threads(const sim::Trace& trace);
  void note_enabled_from_start(std::size_t n);
  bool interchangeable(std::size_t j, std::size_t i, const std::vector<std::uint32_t>& position) const;
  static bool sleeping(const std::vector<Sleeping>& s, sim::ThreadIndex t) noexcept;
  static void add(std::vector<sim::ThreadIndex>& set, sim::ThreadIndex t);

  std::uint32_t bound_;
  std::vector<Frame> frames_;
  std::size_t depth_ = 0;
  std::size_t cursor_ = 0;
  bool redundant_ = false;
  bool exhaustive_ = false;
  std::uint64_t sleep_blocked_ = 0;
  bool ended_ = false;                           // end_execution() was told the execution just run
  // Per thread of the execution just run (note_fresh_threads()): its executor (0: none), the
  // index of its first record (the record count: none), and how many of the first frames in a row
  // have it enabled.
  std::vector<ObjectId> executor_;
  std::vector<std::size_t> first_record_;
  std::vector<std::size_t> enabled_from_start_;
};

}  // namespace weft::model
