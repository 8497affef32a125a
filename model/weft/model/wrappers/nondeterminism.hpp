// The nondeterminism check, as a wrapper: after every k-th execution of the inner strategy
// the next execution is a strict replay of the decisions just taken. If the program asks a
// different question (replay diverges) or the trace hash differs, the program under test
// depends on something outside the simulator (a global, the wall clock, an address): that
// is reported as ViolationKind::nondeterminism with the step where it showed. It answers
// no question itself: source() is the inner strategy's (or, during a check, the replay's),
// and the decisions to replay are read from the simulator's record when an execution ends.
#pragma once

#include <optional>
#include <vector>

#include "weft/model/schedule.hpp"
#include "weft/model/strategies/replay.hpp"
#include "weft/model/strategy.hpp"
#include "weft/properties/violation.hpp"

namespace weft::model {

class NondeterminismCheck final : public Strategy {
 public:
  // every = 0: never check. decisions: the simulator's record of an execution's decisions
  // (SimPlatform::decisions()). trace (optional) locates the first differing record on a
  // hash mismatch.
  NondeterminismCheck(Strategy& inner, std::uint64_t every, const std::vector<sim::RecordedDecision>& decisions,
                      const sim::Trace* trace = nullptr) noexcept
      : inner_(inner), every_(every), decisions_(decisions), trace_(trace) {}

  // The index is ignored: the inner strategy sees its own consecutive indices.
  bool begin_execution(std::uint64_t index) override;
  void end_execution(const sim::RunResult& r) override;
  std::string name() const override { return inner_.name(); }
  std::string execution_name() const override { return checking_ ? "replay" : inner_.execution_name(); }
  sim::DecisionSource& source() noexcept override { return checking_ ? replay_->source() : inner_.source(); }
  // Never asked (see source()); they forward, for a caller that asks anyway.
  std::size_t choose(const sim::Choice& c) override { return source().choose(c); }
  std::uint64_t random(std::uint64_t bound) override { return source().random(bound); }
  bool fault(std::string_view name, std::uint32_t per_million) override { return source().fault(name, per_million); }

  // Was the execution just begun a check (a replay), not one of the inner strategy's?
  bool checking() const noexcept { return checking_; }
  // Will the next execution be a check (of the execution just ended)?
  bool pending() const noexcept { return pending_; }
  // Is the execution just begun one that a check will replay (unless it is aborted)? Only
  // those have their decisions kept and their trace hash read.
  bool recording() const noexcept { return recording_; }
  std::uint64_t checks() const noexcept { return checks_; }
  // The finding of the last check, if it failed, with the decisions it replayed.
  std::optional<Violation> take_violation() { return std::exchange(violation_, std::nullopt); }
  const std::vector<Decision>& checked_decisions() const noexcept { return recorded_; }

 private:
  Strategy& inner_;
  std::uint64_t every_;
  const std::vector<sim::RecordedDecision>& decisions_;
  const sim::Trace* trace_;
  std::uint64_t inner_index_ = 0;
  bool checking_ = false;
  bool pending_ = false;
  bool recording_ = false;
  std::uint64_t checks_ = 0;
  std::vector<Decision> recorded_;
  std::uint64_t recorded_hash_ = 0;
  std::vector<sim::TraceRecord> recorded_records_;
  std::optional<ReplayStrategy> replay_;
  std::optional<Violation> violation_;
};

}  // namespace weft::model
