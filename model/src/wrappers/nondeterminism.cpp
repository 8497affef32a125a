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
  recorded_.clear();
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
    recorded_hash_ = r.trace_hash;
    if (trace_) recorded_records_ = trace_->records;
  }
}

std::size_t NondeterminismCheck::choose(const sim::Choice& c) {
  if (checking_) return replay_->choose(c);
  std::size_t i = inner_.choose(c);
  std::size_t clamped = std::min(i, c.enabled.size() - 1);
  if (recording_) recorded_.push_back(Decision{DecisionKind::thread, c.enabled[clamped], 0});
  return i;
}

std::uint64_t NondeterminismCheck::random(std::uint64_t bound) {
  if (checking_) return replay_->random(bound);
  std::uint64_t v = inner_.random(bound);
  if (recording_) recorded_.push_back(Decision{DecisionKind::random, std::min(v, bound - 1), 0});
  return v;
}

bool NondeterminismCheck::fault(std::string_view name, std::uint32_t per_million) {
  if (checking_) return replay_->fault(name, per_million);
  bool fired = inner_.fault(name, per_million);
  if (recording_) recorded_.push_back(Decision{DecisionKind::fault, fired ? 1u : 0u, 0});
  return fired;
}

}  // namespace weft::model
