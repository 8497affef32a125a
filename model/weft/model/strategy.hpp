// The extension point of the explorer: where an execution's decisions come from.
// As small as AWS shuttle's Scheduler: begin an execution, then answer the simulator's
// questions (which thread, which random value, does a fault fire: sim::DecisionSource),
// then hear how it ended. One strategy per file in model/strategies/; cross-cutting
// concerns (metrics, the nondeterminism check) wrap a strategy instead of adding flags to it.
//
// Everything a strategy reads comes through this interface: a choice carries the trace
// recorded so far (sim::Choice::trace: footprints of transitions), end_execution the
// execution as it ended (result, trace, decisions). Nothing is borrowed from the simulator
// at construction.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "weft/model/schedule.hpp"
#include "weft/sim/sim.hpp"

namespace weft::model {

// An execution as it ended, as end_execution and divergence() are told it. Valid during
// the call only.
struct Execution {
  const sim::RunResult& result;
  const sim::Trace& trace;                          // every record (empty with tracing off)
  std::span<const sim::RecordedDecision> decisions;  // the decisions taken, in order
};

class Strategy : public sim::DecisionSource {
 public:
  // Prepares execution `index` (0-based). false: the strategy's space is exhausted
  // (dfs finished, replay ran once); the explorer stops.
  virtual bool begin_execution(std::uint64_t index) = 0;
  // "random", "pct:3", "dfs:2", ... (goes into schedules and reports).
  virtual std::string name() const = 0;
  // What produced the execution just begun: name() for a single strategy; a portfolio
  // names its member ("portfolio/pos"). Goes into the schedule of a finding.
  virtual std::string execution_name() const { return name(); }
  // How the execution just begun ended; strategies that learn from it (PCT's step
  // estimate, the footprint of DFS's last transition) or check it (the nondeterminism
  // wrapper) override this. Whoever drives a strategy calls it after every run.
  virtual void end_execution(const Execution&) {}

  // Who answers the questions of the execution just begun. A strategy that only routes them
  // (a portfolio to its current member, a wrapper that watches an execution from its begin
  // and end) returns the one that answers: the simulator calls it directly, so a decision
  // costs one virtual call however deep the wrapping.
  virtual sim::DecisionSource& source() noexcept { return *this; }

  // A re-run: the execution just begun replays the decisions of an earlier one, to check
  // that they give the same execution again (the nondeterminism check). The explorer does
  // not count it among the search's executions nor hand it to the properties or
  // on_execution; it runs it with every heap address shifted (sim::Options::shift_heap),
  // reports what divergence() says of it with these decisions as its schedule, and counts
  // it in ExploreReport::nondeterminism_checks. Null for the search's own executions;
  // valid until the next begin_execution.
  virtual const std::vector<Decision>* rerun() const noexcept { return nullptr; }
  // A re-run is due: the explorer begins one more execution even when its budget is spent
  // (the last execution is checked too).
  virtual bool rerun_pending() const noexcept { return false; }
  // end_execution or divergence() reads RunResult::trace_hash of the execution just begun:
  // the explorer computes it (it reads every record) only when someone reads it, and
  // always for an execution that recorded nothing (it costs nothing then).
  virtual bool needs_trace_hash() const noexcept { return false; }

  // What a search tells the explorer when it stops, asked through the interface (never by
  // asking which class a strategy is): whether it covered its whole space with nothing left
  // out, whether it ran out of alternatives, and one line on what it covered ("" when it
  // keeps no such account).
  virtual bool exhaustive() const noexcept { return false; }
  virtual bool finished() const noexcept { return false; }
  virtual std::string coverage() const { return {}; }
  // The execution that just ended did not reproduce what it replays: a replayed schedule it
  // did not follow to its end or whose recorded trace it did not write, a re-run that wrote
  // another trace. One line ("nondeterminism at step k: ..."), reported as
  // ViolationKind::nondeterminism. nullopt: it did, or it replays nothing.
  virtual std::optional<std::string> divergence(const Execution&) const { return std::nullopt; }
};

}  // namespace weft::model
