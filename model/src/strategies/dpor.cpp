#include "weft/model/strategies/dpor.hpp"

#include <algorithm>

namespace weft::model {

DporStrategy::DporStrategy(std::uint32_t preemption_bound) noexcept : bound_(preemption_bound) {}

bool DporStrategy::allowed(const Frame& f, sim::ThreadIndex t) const noexcept {
  bool preempts = f.current_enabled && t != f.current;
  return !preempts || bound_ == unbounded || f.preemptions_before < bound_;
}

// Asks frame `frame` to try thread t. Beyond the preemption bound: the latest earlier
// state where t is enabled and switching to it preempts nobody tries it instead.
void DporStrategy::request(std::size_t frame, sim::ThreadIndex t) {
  Frame& f = frames_[frame];
  if (allowed(f, t)) {
    add(f.backtrack, t);
    return;
  }
  for (std::size_t k = frame; k-- > 0;) {
    Frame& g = frames_[k];
    if (!g.branching) continue;
    if (std::binary_search(g.enabled.begin(), g.enabled.end(), t) && (!g.current_enabled || g.current == t)) {
      add(g.backtrack, t);
      return;
    }
  }
}

bool DporStrategy::sleeping(const std::vector<Sleeping>& s, sim::ThreadIndex t) noexcept {
  return std::any_of(s.begin(), s.end(), [t](const Sleeping& e) { return e.thread == t; });
}

void DporStrategy::add(std::vector<sim::ThreadIndex>& set, sim::ThreadIndex t) {
  auto it = std::lower_bound(set.begin(), set.end(), t);
  if (it == set.end() || *it != t) set.insert(it, t);
}

void DporStrategy::finish_transition(const sim::Trace* trace) {
  std::size_t end = trace ? trace->records.size() : 0;
  if (depth_ > 0) {
    Frame& f = frames_[depth_ - 1];
    f.footprint = trace ? transition_footprint(*trace, cursor_, end, f.chosen)
                        : Footprint{KeyAccess{universal_key, Access::write}};
  }
  cursor_ = end;
}

void DporStrategy::end_execution(const Execution& e) {
  finish_transition(&e.trace);
  note_fresh_threads(e.trace);
  ended_ = true;
}

std::size_t DporStrategy::choose(const sim::Choice& c) {
  finish_transition(c.trace);
  auto index_of = [&](sim::ThreadIndex t) -> std::size_t {
    auto it = std::lower_bound(c.enabled.begin(), c.enabled.end(), t);
    if (it == c.enabled.end() || *it != t)
      throw sim::AbortExecution{"nondeterminism at step " + std::to_string(depth_) + ": dpor expected thread " +
                                std::to_string(t) + " to be enabled"};
    return std::size_t(it - c.enabled.begin());
  };
  if (depth_ < frames_.size()) {  // the fixed prefix of this execution
    Frame& f = frames_[depth_];
    if (!std::equal(f.enabled.begin(), f.enabled.end(), c.enabled.begin(), c.enabled.end()))
      throw sim::AbortExecution{"nondeterminism at step " + std::to_string(depth_) +
                                ": dpor saw a different set of enabled threads than before"};
    ++depth_;
    return index_of(f.chosen);
  }
  Frame f;
  f.begin = cursor_;
  f.enabled.assign(c.enabled.begin(), c.enabled.end());
  f.current = c.current;
  f.current_enabled = c.current_enabled;
  if (depth_ > 0) {
    const Frame& p = frames_[depth_ - 1];
    f.preemptions_before = p.preemptions_before + ((p.current_enabled && p.chosen != p.current) ? 1 : 0);
    for (const auto* set : {&p.sleep, &p.done})
      for (const Sleeping& s : *set)
        if (s.thread != p.chosen && !conflict(s.footprint, p.footprint) && !sleeping(f.sleep, s.thread))
          f.sleep.push_back(s);
  }
  // Default continuation: stay on the current thread (no preemption), else the lowest awake one.
  bool found = false;
  if (f.current_enabled && !sleeping(f.sleep, f.current) &&
      std::binary_search(f.enabled.begin(), f.enabled.end(), f.current)) {
    f.chosen = f.current;
    found = true;
  }
  for (std::size_t i = 0; !found && i < f.enabled.size(); ++i)
    if (!sleeping(f.sleep, f.enabled[i]) && allowed(f, f.enabled[i])) {
      f.chosen = f.enabled[i];
      found = true;
    }
  if (!found) {
    if (!redundant_) ++sleep_blocked_;
    redundant_ = true;
    f.chosen = f.enabled[0];
  }
  f.branching = !redundant_;
  if (f.branching) add(f.backtrack, f.chosen);
  frames_.push_back(std::move(f));
  ++depth_;
  return index_of(frames_.back().chosen);
}

// Symmetry: j and i are the first transitions of two workers of one executor, both
// enabled at every choice point up to j and silent until j (no record of theirs before
// it): neither has run, so nothing distinguishes them but their index. In the state before
// j, running i's worker instead leads to the state j leads to with the two workers
// swapped, and every continuation maps over: the reversal is the same execution up to
// which worker is which, and needs no branch. (Programs that look at which worker they
// run on are outside this: weft's pools hand jobs to whichever worker pops first.) Only
// for an executor with exactly two workers (below).
bool DporStrategy::interchangeable(std::size_t j, std::size_t i, const std::vector<std::uint32_t>& position) const {
  if (position[j] != 1 || position[i] != 1) return false;
  const sim::ThreadIndex tj = frames_[j].chosen, ti = frames_[i].chosen;
  if (tj >= executor_.size() || ti >= executor_.size()) return false;
  const ObjectId e = executor_[tj];
  if (e == 0 || executor_[ti] != e) return false;
  // Two workers only: with three or more, a thief tries its victims in index order from a
  // drawn start (always 0 here: dpor's draws return 0), which a swap of two does not map.
  if (std::count(executor_.begin(), executor_.end(), e) != 2) return false;
  for (sim::ThreadIndex t : {tj, ti})
    if (t >= first_record_.size() || first_record_[t] < frames_[j].begin || enabled_from_start_[t] <= j)
      return false;
  return true;
}

// Per thread of the execution just run: its executor and the index of its first record
// (records.size() if none), for interchangeable().
void DporStrategy::note_fresh_threads(const sim::Trace& trace) {
  const std::size_t threads = trace.threads.size();
  const std::size_t none = trace.records.size();
  executor_.resize(threads);
  for (std::size_t t = 0; t < threads; ++t) executor_[t] = trace.threads[t].executor;
  first_record_.assign(threads, none);
  std::size_t unseen = threads;
  for (std::size_t r = 0; r < none && unseen > 0; ++r) {
    sim::ThreadIndex t = trace.records[r].thread;
    if (t < threads && first_record_[t] == none) {
      first_record_[t] = r;
      --unseen;
    }
  }
}

// Per thread: how many of the first n frames in a row have it enabled (for interchangeable()).
void DporStrategy::note_enabled_from_start(std::size_t n) {
  const std::size_t threads = executor_.size();
  enabled_from_start_.assign(threads, 0);
  for (sim::ThreadIndex t = 0; t < threads; ++t) {
    std::size_t k = 0;
    while (k < n && std::binary_search(frames_[k].enabled.begin(), frames_[k].enabled.end(), t)) ++k;
    enabled_from_start_[t] = k;
  }
}

// Races of the execution just run, each adding to the backtrack set of the state before
// its first transition.
void DporStrategy::analyse_races() {
  std::size_t n = 0;
  while (n < depth_ && n < frames_.size() && frames_[n].branching) ++n;
  std::vector<VectorClock> clocks(n);
  std::vector<std::uint32_t> position(n);       // 1-based index of the transition within its thread
  std::vector<std::size_t> last_of_thread;       // per thread: 1 + its last transition so far (0: none)
  std::vector<std::uint32_t> count_of_thread;
  std::vector<std::size_t> conflicting;
  std::vector<sim::ThreadIndex> initials;
  note_enabled_from_start(n);
  for (std::size_t i = 0; i < n; ++i) {
    const sim::ThreadIndex t = frames_[i].chosen;
    if (last_of_thread.size() <= t) {
      last_of_thread.resize(std::size_t(t) + 1, 0);
      count_of_thread.resize(std::size_t(t) + 1, 0);
    }
    VectorClock c;
    std::size_t previous = last_of_thread[t];
    if (previous) c = clocks[previous - 1];
    conflicting.clear();
    for (std::size_t j = 0; j < i; ++j)
      if (frames_[j].chosen != t && conflict(frames_[j].footprint, frames_[i].footprint)) conflicting.push_back(j);
    for (std::size_t j : conflicting) c.join(clocks[j]);
    position[i] = ++count_of_thread[t];
    c.set(t, position[i]);
    clocks[i] = std::move(c);
    last_of_thread[t] = i + 1;
    // j races with i unless the order j -> i is carried by something else: i's program
    // predecessor or another conflicting transition that j reaches.
    for (std::size_t j : conflicting) {
      const sim::ThreadIndex tj = frames_[j].chosen;
      bool carried = previous && clocks[previous - 1][tj] >= position[j];
      for (std::size_t k : conflicting)
        if (!carried && k != j && k > j && clocks[k][tj] >= position[j]) carried = true;
      if (carried) continue;
      if (interchangeable(j, i, position)) continue;
      // Source sets: reversing the race needs, before j, one of the threads that can
      // start v = (the transitions after j not ordered after it), then i. Those are v's
      // initials: threads whose first step in v has no predecessor in v. If j's state
      // already tries one, nothing to add; else the earliest enabled one.
      Frame& at = frames_[j];
      auto after_j = [&](std::size_t k) { return k != i && clocks[k][tj] >= position[j]; };
      initials.clear();
      for (std::size_t k = j + 1; k <= i; ++k) {
        if (after_j(k)) continue;
        bool initial = true;
        for (std::size_t m = j + 1; m < k && initial; ++m)
          if (!after_j(m) && clocks[k][frames_[m].chosen] >= position[m]) initial = false;
        if (initial && std::find(initials.begin(), initials.end(), frames_[k].chosen) == initials.end())
          initials.push_back(frames_[k].chosen);
      }
      bool covered = std::any_of(initials.begin(), initials.end(), [&](sim::ThreadIndex q) {
        return std::binary_search(at.backtrack.begin(), at.backtrack.end(), q);
      });
      if (covered) continue;
      auto enabled_initial = std::find_if(initials.begin(), initials.end(), [&](sim::ThreadIndex q) {
        return std::binary_search(at.enabled.begin(), at.enabled.end(), q);
      });
      if (enabled_initial != initials.end()) {
        request(j, *enabled_initial);
      } else {
        for (sim::ThreadIndex e : at.enabled) request(j, e);  // a wake-up we cannot see
      }
    }
  }
}

bool DporStrategy::begin_execution(std::uint64_t index) {
  if (index == 0) {
    frames_.clear();
    exhaustive_ = false;
    sleep_blocked_ = 0;
    executor_.clear();
    first_record_.clear();
    ended_ = false;
  } else {
    if (!ended_) {  // nobody told how it ended: assume the worst of its last transition
      finish_transition(nullptr);
      executor_.clear();
      first_record_.clear();
    }
    ended_ = false;
    frames_.resize(std::min(frames_.size(), depth_));
    analyse_races();
    while (!frames_.empty()) {
      Frame& f = frames_.back();
      if (f.branching) {
        if (!sleeping(f.done, f.chosen)) f.done.push_back(Sleeping{f.chosen, std::move(f.footprint)});
        f.footprint.clear();
        for (sim::ThreadIndex t : f.backtrack) {
          if (!sleeping(f.done, t) && !sleeping(f.sleep, t) && allowed(f, t)) {
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
