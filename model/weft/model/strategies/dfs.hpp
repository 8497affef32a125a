// Bounded depth-first search over thread choices (CHESS-style preemption bounding) with
// sleep sets (Godefroid) for partial-order reduction.
//
// A transition is "thread t runs from one choice point to the next" (forced steps in
// between included). Its footprint is read from the trace records it produced (the
// records a choice's sim::Choice::trace gained since the previous choice; the last
// transition's, from Execution::trace at end_execution): every
// object id (executors, mutexes, channels) and task id it names (a worker resuming a task
// is keyed by the task, not the executor: conflicting pops show as the same task). Two
// transitions are independent when they are by different threads and their footprints
// are disjoint. A transition that produced no record is a worker inspecting its
// executor's queues and parking (footprint: that executor) or, for any other thread,
// something we cannot see: dependent with everything. With the trace off every
// transition is such: then this is plain bounded DFS.
//
// Sleep sets: after exploring t from state s, later siblings t' carry t in their sleep
// set (with t's footprint) for as long as the transitions taken since are independent
// of it; a sleeping thread is never chosen. When every allowed thread sleeps, the rest of
// the execution is covered elsewhere: it is finished without further branching.
//
// Fault firings and small random draws are branches too: each fault point is explored
// held, then fired; a draw below a bound of at most `random_branch_max` takes every value.
//
// Limits (documented, not hidden, and counted in coverage()): user code touching plain
// shared memory without a weft primitive is invisible to footprints, so two such
// transitions may be pruned as independent; random draws (a service's latency, a steal
// victim among many) with a larger bound are not branched on: each returns 0, and a
// search that met any is never called exhaustive; sleep sets combined with a preemption bound may skip schedules that need a
// sleeping thread to be re-chosen within the bound. With bound B the search covers every
// schedule of at most B preemptions and every fault outcome, modulo those.
#pragma once

#include <vector>

#include "weft/model/strategy.hpp"

namespace weft::model {

class DfsStrategy final : public Strategy {
 public:
  // none: every transition touches everything (plain bounded DFS, for comparison).
  enum class Reduction : std::uint8_t { sleep_sets, none };
  explicit DfsStrategy(std::uint32_t preemption_bound, Reduction reduction = Reduction::sleep_sets) noexcept;
  bool begin_execution(std::uint64_t index) override;
  // The footprint of the execution's last transition. Without this call (a driver that
  // skips it) that transition counts as dependent with everything: less reduction, no
  // schedule lost.
  void end_execution(const Execution& e) override;
  std::string name() const override { return "dfs:" + std::to_string(bound_); }
  std::size_t choose(const sim::Choice& c) override;
  std::uint64_t random(std::uint64_t bound) override;
  bool fault(std::string_view, std::uint32_t per_million) override;

  // The search finished and nothing was left out (no unbranched random draw).
  bool exhaustive() const noexcept override { return finished_ && random_draws_ == 0; }
  // The search ran out of alternatives (its space, as described by coverage(), is covered).
  bool finished() const noexcept override { return finished_; }
  // One line: what a finished search covered and what it did not.
  std::string coverage() const override;
  // Executions that ended in a state where every allowed thread slept (covered elsewhere).
  std::uint64_t sleep_blocked() const noexcept { return sleep_blocked_; }

 private:
  using Footprint = std::vector<std::uint64_t>;  // sorted; {universal} = touches everything
  struct Sleeping {
    sim::ThreadIndex thread;
    Footprint footprint;
  };
  struct Frame {
    std::uint64_t values = 0;        // a value choice (fault: 2, random draw: its bound); 0 = thread choice
    std::vector<sim::ThreadIndex> enabled;
    sim::ThreadIndex current = 0;
    bool current_enabled = false;
    sim::ThreadIndex chosen = 0;
    std::uint32_t preemptions_before = 0;
    bool branching = true;
    std::vector<Sleeping> sleep;     // sleep set of the state this frame chooses in
    std::vector<Sleeping> explored;  // alternatives already explored here, with footprints
    Footprint footprint;             // of the chosen transition, once it ran
  };

  bool allowed(const Frame& f, sim::ThreadIndex t) const noexcept;
  Frame* last_thread_frame() noexcept;
  void finish_transition(const sim::Trace* trace);
  static std::uint64_t silent_footprint(const sim::Trace* trace, sim::ThreadIndex t) noexcept;
  static bool independent(const Footprint& a, const Footprint& b) noexcept;
  static bool contains(const std::vector<Sleeping>& s, sim::ThreadIndex t) noexcept;

  std::uint32_t bound_;
  Reduction reduction_;
  std::vector<Frame> frames_;
  std::size_t depth_ = 0;   // frames used so far in this execution
  std::size_t cursor_ = 0;  // first trace record of the running transition
  bool redundant_ = false;
  bool finished_ = false;
  std::uint64_t sleep_blocked_ = 0;
  static constexpr std::uint64_t random_branch_max = 4;
  std::uint64_t value_choice(std::uint64_t values);
  std::uint64_t random_draws_ = 0;      // draws with a bound above random_branch_max, answered 0
  std::uint64_t random_bound_max_ = 0;
  std::uint64_t fault_points_ = 0;
};

}  // namespace weft::model
