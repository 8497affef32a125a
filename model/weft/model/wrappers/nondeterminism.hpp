// The nondeterminism check, as a wrapper: after every k-th execution of the inner strategy
// the next execution is a strict replay of the decisions just taken (a re-run, see
// Strategy::rerun()). If the program asks a different question (replay diverges) or the
// trace differs (what would change its hash), the program under test depends on something
// outside the simulator (a global, the wall clock, an address): divergence() says so, with
// the step where it showed, and the explorer reports it as ViolationKind::nondeterminism.
//
// Transparent: it answers no question itself (source() is the inner strategy's, or during
// a re-run the replay's), learns what to replay from the Execution end_execution is told
// (its decisions and trace), and otherwise forwards to the inner strategy. The
// explorer composes it and asks it nothing the Strategy interface does not declare.
#pragma once

#include <optional>
#include <vector>

#include "weft/model/schedule.hpp"
#include "weft/model/strategies/replay.hpp"
#include "weft/model/strategy.hpp"

namespace weft::model {

class NondeterminismCheck final : public Strategy {
 public:
  // every = 0: never check.
  NondeterminismCheck(Strategy& inner, std::uint64_t every) noexcept : inner_(inner), every_(every) {}

  // The index is ignored: the inner strategy sees its own consecutive indices.
  bool begin_execution(std::uint64_t index) override;
  void end_execution(const Execution& e) override;
  std::string name() const override { return inner_.name(); }
  std::string execution_name() const override { return checking_ ? "replay" : inner_.execution_name(); }
  sim::DecisionSource& source() noexcept override { return checking_ ? replay_->source() : inner_.source(); }
  // Never asked (see source()); they forward, for a caller that asks anyway.
  std::size_t choose(const sim::Choice& c) override { return source().choose(c); }
  std::uint64_t random(std::uint64_t bound) override { return source().random(bound); }
  bool fault(std::string_view name, std::uint32_t per_million) override { return source().fault(name, per_million); }

  // During a check: the decisions it replays. Otherwise the inner strategy's.
  const std::vector<Decision>* rerun() const noexcept override { return checking_ ? &recorded_ : inner_.rerun(); }
  bool rerun_pending() const noexcept override { return pending_ || inner_.rerun_pending(); }
  // The check compares the traces of the execution it replays and of the replay, by
  // content (what their hashes would say, without hashing either).
  bool needs_trace_hash() const noexcept override { return inner_.needs_trace_hash(); }
  bool exhaustive() const noexcept override { return inner_.exhaustive(); }
  bool finished() const noexcept override { return inner_.finished(); }
  std::string coverage() const override { return inner_.coverage(); }
  // During a check: why the replay is not the execution it replays, if it is not.
  std::optional<std::string> divergence(const Execution& e) const override {
    return checking_ ? divergence_ : inner_.divergence(e);
  }

 private:
  Strategy& inner_;
  std::uint64_t every_;
  std::uint64_t inner_index_ = 0;
  std::uint64_t until_recording_ = 0;  // inner executions before the next recorded one (no division per execution)
  bool checking_ = false;   // the execution just begun is a check (a replay)
  bool pending_ = false;    // the next execution will be a check of the one just ended
  bool recording_ = false;  // the execution just begun is one a check will replay (unless aborted)
  std::vector<Decision> recorded_;
  sim::Trace recorded_trace_;  // the trace of the execution a check replays
  std::optional<ReplayStrategy> replay_;
  std::optional<std::string> divergence_;
};

}  // namespace weft::model
