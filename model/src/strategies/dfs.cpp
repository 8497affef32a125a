#include "weft/model/strategies/dfs.hpp"

#include <algorithm>

namespace weft::model {

namespace {
constexpr std::uint64_t universal = ~std::uint64_t(0);
constexpr std::uint64_t object_tag = std::uint64_t(1) << 32;
constexpr std::uint64_t task_tag = std::uint64_t(2) << 32;
}  // namespace

DfsStrategy::DfsStrategy(std::uint32_t preemption_bound, const sim::Trace* trace) noexcept
    : bound_(preemption_bound), trace_(trace) {}

bool DfsStrategy::allowed(const Frame& f, sim::ThreadIndex t) const noexcept {
  bool preempts = f.current_enabled && t != f.current;
  return !preempts || f.preemptions_before < bound_;
}

bool DfsStrategy::contains(const std::vector<Sleeping>& s, sim::ThreadIndex t) noexcept {
  return std::any_of(s.begin(), s.end(), [t](const Sleeping& e) { return e.thread == t; });
}

bool DfsStrategy::independent(const Footprint& a, const Footprint& b) noexcept {
  if (a.empty() || b.empty() || a.back() == universal || b.back() == universal) return false;
  auto i = a.begin();
  auto j = b.begin();
  while (i != a.end() && j != b.end()) {
    if (*i == *j) return false;
    if (*i < *j)
      ++i;
    else
      ++j;
  }
  return true;
}

// A transition that left no record: a worker looking at its executor's queues and parking
// idle (it touches that executor: any post there conflicts with it), or something we
// cannot see at all (it touches everything).
std::uint64_t DfsStrategy::silent_footprint(sim::ThreadIndex t) const noexcept {
  if (!trace_ || t >= trace_->threads.size()) return universal;
  const sim::ThreadInfo& info = trace_->threads[t];
  if (info.executor) return object_tag | info.executor;
  for (const sim::ExecutorInfo& e : trace_->executors)  // worker threads are named "<executor>-<i>"
    if (info.name.size() > e.name.size() && info.name.compare(0, e.name.size(), e.name) == 0 &&
        info.name[e.name.size()] == '-')
      return object_tag | e.id;
  return universal;
}

// The records since the last choice point are the footprint of the transition chosen there.
void DfsStrategy::finish_transition() {
  std::size_t end = trace_ ? trace_->records.size() : 0;
  if (depth_ == 0) {
    cursor_ = end;
    return;
  }
  Footprint fp;
  for (std::size_t i = cursor_; i < end; ++i) {
    const sim::TraceRecord& r = trace_->records[i];
    // A worker resuming a task names its executor, but what it really touches is the
    // queue slot of that task: conflicting pops are visible through the task id.
    bool executor_only = r.kind == EventKind::resume || r.kind == EventKind::suspend;
    if (r.object && !executor_only) fp.push_back(object_tag | r.object);
    if (r.task) fp.push_back(task_tag | r.task);
    if (r.other) fp.push_back(task_tag | r.other);
  }
  if (cursor_ == end) fp.push_back(silent_footprint(frames_[depth_ - 1].chosen));
  std::sort(fp.begin(), fp.end());
  fp.erase(std::unique(fp.begin(), fp.end()), fp.end());
  frames_[depth_ - 1].footprint = std::move(fp);
  cursor_ = end;
}

std::size_t DfsStrategy::choose(const sim::Choice& c) {
  finish_transition();
  auto index_of = [&](sim::ThreadIndex t) -> std::size_t {
    auto it = std::lower_bound(c.enabled.begin(), c.enabled.end(), t);
    if (it == c.enabled.end() || *it != t)
      throw sim::AbortExecution{"nondeterminism at step " + std::to_string(depth_) + ": dfs expected thread " +
                                std::to_string(t) + " to be enabled"};
    return std::size_t(it - c.enabled.begin());
  };
  if (depth_ < frames_.size()) {  // the fixed prefix of this execution
    Frame& f = frames_[depth_];
    if (!std::equal(f.enabled.begin(), f.enabled.end(), c.enabled.begin(), c.enabled.end()))
      throw sim::AbortExecution{"nondeterminism at step " + std::to_string(depth_) +
                                ": dfs saw a different set of enabled threads than before"};
    ++depth_;
    return index_of(f.chosen);
  }
  Frame f;
  f.enabled.assign(c.enabled.begin(), c.enabled.end());
  f.current = c.current;
  f.current_enabled = c.current_enabled;
  if (depth_ > 0) {
    const Frame& p = frames_[depth_ - 1];
    f.preemptions_before = p.preemptions_before + ((p.current_enabled && p.chosen != p.current) ? 1 : 0);
    // Sleep set of the child: what slept or was explored before, minus what the step taken
    // may have disturbed.
    for (const auto* set : {&p.sleep, &p.explored})
      for (const Sleeping& s : *set)
        if (s.thread != p.chosen && independent(s.footprint, p.footprint)) f.sleep.push_back(s);
  }
  bool found = false;
  if (f.current_enabled && !contains(f.sleep, f.current) && std::binary_search(f.enabled.begin(), f.enabled.end(), f.current)) {
    f.chosen = f.current;
    found = true;
  }
  for (std::size_t i = 0; !found && i < f.enabled.size(); ++i) {
    sim::ThreadIndex t = f.enabled[i];
    if (!contains(f.sleep, t) && allowed(f, t)) {
      f.chosen = t;
      found = true;
    }
  }
  if (!found) {
    if (!redundant_) ++sleep_blocked_;
    redundant_ = true;
    f.chosen = f.current_enabled && std::binary_search(f.enabled.begin(), f.enabled.end(), f.current) ? f.current
                                                                                                         : f.enabled[0];
  }
  f.branching = !redundant_;
  frames_.push_back(std::move(f));
  ++depth_;
  return index_of(frames_.back().chosen);
}

bool DfsStrategy::begin_execution(std::uint64_t index) {
  if (index == 0) {
    frames_.clear();
    exhaustive_ = false;
    sleep_blocked_ = 0;
  } else {
    finish_transition();  // the trace of the previous execution is still there
    frames_.resize(std::min(frames_.size(), depth_));
    while (!frames_.empty()) {
      Frame& f = frames_.back();
      if (f.branching) {
        f.explored.push_back(Sleeping{f.chosen, std::move(f.footprint)});
        f.footprint.clear();
        for (sim::ThreadIndex t : f.enabled) {
          if (!contains(f.explored, t) && !contains(f.sleep, t) && allowed(f, t)) {
            f.chosen = t;
            depth_ = 0;
            cursor_ = 0;
            redundant_ = false;
            return true;
          }
        }
      }
      frames_.pop_back();
    }
    exhaustive_ = true;
    return false;
  }
  depth_ = 0;
  cursor_ = 0;
  redundant_ = false;
  return true;
}

}  // namespace weft::model
