#include "weft/model/strategies/dfs.hpp"

#include <algorithm>

namespace weft::model {

namespace {
constexpr std::uint64_t universal = ~std::uint64_t(0);
constexpr std::uint64_t object_tag = std::uint64_t(1) << 32;
constexpr std::uint64_t task_tag = std::uint64_t(2) << 32;
}  // namespace

DfsStrategy::DfsStrategy(std::uint32_t preemption_bound, Reduction reduction) noexcept
    : bound_(preemption_bound), reduction_(reduction) {}

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
// cannot see at all (it touches everything). Only ownership told at the thread's start
// counts: a thread that serves an executor for a while (a caller of a weft::asio
// io_context's run()) runs user code of its own before and after.
std::uint64_t DfsStrategy::silent_footprint(const sim::Trace* trace, sim::ThreadIndex t) noexcept {
  if (!trace || t >= trace->threads.size()) return universal;
  const sim::ThreadInfo& info = trace->threads[t];
  if (info.attached) return object_tag | info.attached;
  return universal;
}

DfsStrategy::Frame* DfsStrategy::last_thread_frame() noexcept {
  for (std::size_t i = depth_; i-- > 0;)
    if (!frames_[i].values) return &frames_[i];
  return nullptr;
}

std::uint64_t DfsStrategy::value_choice(std::uint64_t values) {
  if (depth_ < frames_.size()) {  // the fixed prefix
    const Frame& f = frames_[depth_];
    if (f.values != values)
      throw sim::AbortExecution{"nondeterminism at step " + std::to_string(depth_) + ": dfs expected " +
                                (f.values ? "a choice among " + std::to_string(f.values) + " values"
                                          : std::string("a thread choice")) +
                                ", got a choice among " + std::to_string(values) + " values"};
    ++depth_;
    return f.chosen;
  }
  Frame f;
  f.values = values;
  f.chosen = 0;  // 0 first (held, for a fault), the others on the way back
  f.branching = !redundant_;
  frames_.push_back(std::move(f));
  ++depth_;
  return 0;
}

std::uint64_t DfsStrategy::random(std::uint64_t bound) {
  if (bound < 2) return 0;
  if (bound <= random_branch_max) return value_choice(bound);
  ++random_draws_;
  random_bound_max_ = std::max(random_bound_max_, bound);
  return 0;
}

bool DfsStrategy::fault(std::string_view, std::uint32_t per_million) {
  if (per_million == 0) return false;
  ++fault_points_;
  return value_choice(2) != 0;
}

std::string DfsStrategy::coverage() const {
  std::string s = "every schedule with at most " + std::to_string(bound_) + " preemption(s) (sleep-set reduced)";
  if (fault_points_) s += ", both outcomes of every fault point";
  s += ", every value of random draws below " + std::to_string(random_branch_max + 1);
  if (random_draws_)
    s += "; NOT exhaustive: " + std::to_string(random_draws_) + " random draw(s) (bound up to " +
         std::to_string(random_bound_max_) + ") always took 0";
  return s;
}

// The records since the last choice point are the footprint of the transition chosen there.
void DfsStrategy::finish_transition(const sim::Trace* trace) {
  if (reduction_ == Reduction::none) trace = nullptr;
  std::size_t end = trace ? trace->records.size() : 0;
  Frame* last = last_thread_frame();
  if (!last) {
    cursor_ = end;
    return;
  }
  Footprint fp;
  for (std::size_t i = cursor_; i < end; ++i) {
    const sim::TraceRecord& r = trace->records[i];
    // A worker resuming a task names its executor, but what it really touches is the
    // queue slot of that task: conflicting pops are visible through the task id.
    bool executor_only = r.kind == EventKind::resume || r.kind == EventKind::suspend;
    if (r.object && !executor_only) fp.push_back(object_tag | r.object);
    if (r.task) fp.push_back(task_tag | r.task);
    if (r.other) fp.push_back(task_tag | r.other);
  }
  if (cursor_ == end) fp.push_back(silent_footprint(trace, last->chosen));
  std::sort(fp.begin(), fp.end());
  fp.erase(std::unique(fp.begin(), fp.end()), fp.end());
  // A fault point inside the transition splits nothing: its records belong to the same step.
  if (last->footprint.empty())
    last->footprint = std::move(fp);
  else {
    last->footprint.insert(last->footprint.end(), fp.begin(), fp.end());
    std::sort(last->footprint.begin(), last->footprint.end());
    last->footprint.erase(std::unique(last->footprint.begin(), last->footprint.end()), last->footprint.end());
  }
  cursor_ = end;
}

void DfsStrategy::end_execution(const Execution& e) { finish_transition(&e.trace); }

std::size_t DfsStrategy::choose(const sim::Choice& c) {
  finish_transition(c.trace);
  auto index_of = [&](sim::ThreadIndex t) -> std::size_t {
    auto it = std::lower_bound(c.enabled.begin(), c.enabled.end(), t);
    if (it == c.enabled.end() || *it != t)
      throw sim::AbortExecution{"nondeterminism at step " + std::to_string(depth_) + ": dfs expected thread " +
                                std::to_string(t) + " to be enabled"};
    return std::size_t(it - c.enabled.begin());
  };
  if (depth_ < frames_.size()) {  // the fixed prefix of this execution
    Frame& f = frames_[depth_];
    if (f.values)
      throw sim::AbortExecution{"nondeterminism at step " + std::to_string(depth_) +
                                ": dfs expected a value choice, got a thread choice"};
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
  if (const Frame* pp = last_thread_frame()) {
    const Frame& p = *pp;
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
    finished_ = false;
    sleep_blocked_ = 0;
    random_draws_ = 0;
    random_bound_max_ = 0;
    fault_points_ = 0;
  } else {
    frames_.resize(std::min(frames_.size(), depth_));
    while (!frames_.empty()) {
      Frame& f = frames_.back();
      if (f.values) {
        if (f.branching && std::uint64_t(f.chosen) + 1 < f.values) {
          ++f.chosen;
          depth_ = 0;
          cursor_ = 0;
          redundant_ = false;
          return true;
        }
        frames_.pop_back();
        continue;
      }
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
    finished_ = true;
    return false;
  }
  depth_ = 0;
  cursor_ = 0;
  redundant_ = false;
  return true;
}

}  // namespace weft::model
