#include "weft/model/wrappers/nondeterminism.hpp"

#include <algorithm>

namespace weft::model {

namespace {
bool same(const sim::TraceRecord& a, const sim::TraceRecord& b) {
  return a.time == b.time && a.step == b.step && a.thread == b.thread && a.kind == b.kind && a.task == b.task &&
         a.other == b.other && a.object == b.object && a.value == b.value && a.site == b.site && a.text == b.text;
}
}  // namespace

bool NondeterminismCheck::begin_execution(std::uint64_t) {
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
  recording_ = every_ && inner_index_ % every_ == 0;
  return inner_.begin_execution(inner_index_++);
}

void NondeterminismCheck::end_execution(const sim::RunResult& r) {
  if (checking_) {
    ++checks_;
    std::string message;
    if (r.outcome == sim::Outcome::aborted) {
      message = r.message;
    } else if (r.trace_hash != recorded_hash_) {
      std::uint64_t step = r.steps;
      if (trace_) {
        const auto& now = trace_->records;
        std::size_t n = std::min(now.size(), recorded_records_.size());
        std::size_t i = 0;
        while (i < n && same(now[i], recorded_records_[i])) ++i;
        if (i < now.size())
          step = now[i].step;
        else if (i < recorded_records_.size())
          step = recorded_records_[i].step;
      }
      message = "nondeterminism at step " + std::to_string(step) +
                ": the same decisions gave a different trace (the program reads state outside the simulator)";
    }
    if (!message.empty()) {
      Violation v;
      v.kind = ViolationKind::nondeterminism;
      v.message = message;
      v.time = r.end_time;
      violation_ = std::move(v);
    }
    return;
  }
  inner_.end_execution(r);
  if (recording_ && r.outcome != sim::Outcome::aborted) {
    pending_ = true;
    recorded_.clear();
    recorded_.reserve(decisions_.size());
    for (const sim::RecordedDecision& d : decisions_) recorded_.push_back(Decision{DecisionKind(d.kind), d.value, 0});
    recorded_hash_ = r.trace_hash;
    if (trace_) recorded_records_ = trace_->records;
  }
}

}  // namespace weft::model
