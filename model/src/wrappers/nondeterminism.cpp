#include "weft/model/wrappers/nondeterminism.hpp"

#include <algorithm>
#include <string_view>

#include "weft/detail/hash.hpp"

namespace weft::model {

namespace {
bool same(const sim::TraceRecord& a, const sim::TraceRecord& b) {
  return a.time == b.time && a.step == b.step && a.thread == b.thread && a.kind == b.kind && a.task == b.task &&
         a.other == b.other && a.object == b.object && a.value == b.value && a.site == b.site && a.text == b.text;
}

bool same_site(const sim::SourceSite& a, const sim::SourceSite& b) {
  return a.line == b.line && weft::detail::hashed_file(a.file) == weft::detail::hashed_file(b.file);
}
std::string_view text_of(const sim::Trace& t, const sim::TraceRecord& r) {
  return r.text < t.strings.size() ? std::string_view(t.strings[r.text]) : std::string_view();
}

// Whether two traces have the same trace hash, read from their contents: exactly what
// Trace::hash() reads (records with their sites and texts by content, the threads' names
// and executors, the tasks, the executors), compared instead of hashed. A check compares
// one execution with its re-run; hashing both cost more than the comparison.
bool same_trace(const sim::Trace& a, const sim::Trace& b) {
  if (a.records.size() != b.records.size() || a.threads.size() != b.threads.size() ||
      a.tasks.size() != b.tasks.size() || a.executors.size() != b.executors.size())
    return false;
  for (std::size_t i = 0; i < a.records.size(); ++i) {
    const sim::TraceRecord& x = a.records[i];
    const sim::TraceRecord& y = b.records[i];
    if (x.time != y.time || x.step != y.step || x.thread != y.thread || x.kind != y.kind || x.task != y.task ||
        x.other != y.other || x.object != y.object || x.value != y.value || !same_site(a.site(x), b.site(y)) ||
        text_of(a, x) != text_of(b, y))
      return false;
  }
  for (std::size_t i = 0; i < a.threads.size(); ++i)
    if (a.threads[i].name != b.threads[i].name || a.threads[i].executor != b.threads[i].executor) return false;
  for (std::size_t i = 0; i < a.tasks.size(); ++i) {
    const sim::TaskInfo& x = a.tasks[i];
    const sim::TaskInfo& y = b.tasks[i];
    if (x.id != y.id || x.parent != y.parent || !same_site(a.site_at(x.site), b.site_at(y.site)) ||
        x.executor != y.executor || x.stable_key != y.stable_key || x.detached != y.detached)
      return false;
  }
  for (std::size_t i = 0; i < a.executors.size(); ++i)
    if (a.executors[i].id != b.executors[i].id || a.executors[i].name != b.executors[i].name) return false;
  return true;
}
}  // namespace

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
    } else if (!same_trace(e.trace, recorded_trace_)) {
      const auto& now = e.trace.records;
      const auto& then = recorded_trace_.records;
      std::size_t n = std::min(now.size(), then.size());
      std::size_t i = 0;
      while (i < n && same(now[i], then[i])) ++i;
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
