// The extension point of the explorer: where an execution's decisions come from.
// As small as AWS shuttle's Scheduler: begin an execution, then answer the simulator's
// questions (which thread, which random value, does a fault fire: sim::DecisionSource).
// One strategy per file in model/strategies/; cross-cutting concerns (metrics, the
// nondeterminism check) wrap a strategy instead of adding flags to it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "weft/sim/sim.hpp"

namespace weft::model {

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
  // estimate) or check it (the nondeterminism wrapper) override this.
  virtual void end_execution(const sim::RunResult&) {}

  // Who answers the questions of the execution just begun. A strategy that only routes them
  // (a portfolio to its current member, a wrapper that watches an execution from its begin
  // and end) returns the one that answers: the simulator calls it directly, so a decision
  // costs one virtual call however deep the wrapping.
  virtual sim::DecisionSource& source() noexcept { return *this; }

  // What a search tells the explorer when it stops, asked through the interface (never by
  // asking which class a strategy is): whether it covered its whole space with nothing left
  // out, whether it ran out of alternatives, and one line on what it covered ("" when it
  // keeps no such account).
  virtual bool exhaustive() const noexcept { return false; }
  virtual bool finished() const noexcept { return false; }
  virtual std::string coverage() const { return {}; }
  // A strategy that replays a recorded schedule: whether the execution that just ended
  // followed it to its end and wrote the trace it recorded ("" = it did). Others: nullopt.
  virtual std::optional<std::string> divergence(const sim::RunResult&, const sim::Trace&) const { return std::nullopt; }
};

}  // namespace weft::model
