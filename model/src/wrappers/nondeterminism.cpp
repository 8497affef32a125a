#include "weft/model/wrappers/nondeterminism.hpp"

#include <string>

#include "weft/trace/compare.hpp"

namespace weft::model {

bool NondeterminismCheck::begin_execution(std::uint64_t) {
  divergence_.reset();
  if (pending_) {
    pending_ = false;
    checking_ = true;
    recording_ = false;
    Schedule s;
    s.decisions = recorded_;
    replay_.emplace(std::move(s));
    return replay_->begin_execution(0);
  }
  checking_ = false;
  // Executions 1, every+1, 2*every+1, ... (0-based indices 0, every, ...): a short run is checked too.
  recording_ = every_ && until_recording_ == 0;
  if (every_) until_recording_ = (until_recording_ == 0 ? every_ : until_recording_) - 1;
  return inner_.begin_execution(inner_index_++);
}

void NondeterminismCheck::end_execution(const Execution& e) {
  const sim::RunResult& r = e.result;
  if (checking_) {
    if (r.outcome == sim::Outcome::aborted) {
      divergence_ = r.message;
    } else if (!trace::same_content(e.trace, recorded_trace_)) {
      const auto& now = e.trace.records;
      const auto& then = recorded_trace_.records;
      const std::size_t i = trace::first_difference(e.trace, recorded_trace_);
      std::uint64_t step = r.steps;
      if (i < now.size())
        step = now[i].step;
      else if (i < then.size())
        step = then[i].step;
      divergence_ = "nondeterminism at step " + std::to_string(step) +
                    ": the same decisions gave a different trace (the program reads state outside the simulator)";
    }
    return;
  }
  inner_.end_execution(e);
  if (recording_ && r.outcome != sim::Outcome::aborted) {
    pending_ = true;
    recorded_.clear();
    recorded_.reserve(e.decisions.size());
    for (const sim::RecordedDecision& d : e.decisions) recorded_.push_back(Decision{DecisionKind(d.kind), d.value, 0});
    recorded_trace_ = e.trace;
  }
}

}  // namespace weft::model
