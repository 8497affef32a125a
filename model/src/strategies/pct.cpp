#include "weft/model/strategies/pct.hpp"

#include <algorithm>

#include "weft/model/strategies/random.hpp"

namespace weft::model {

PctStrategy::PctStrategy(std::uint64_t seed, std::uint32_t depth, std::uint64_t steps_estimate,
                         bool await_gives_way) noexcept
    : await_gives_way_(await_gives_way),
      seed_(seed),
      depth_(depth == 0 ? 1 : depth),
      steps_estimate_(std::max<std::uint64_t>(steps_estimate, 2)),
      rng_(seed) {}

bool PctStrategy::begin_execution(std::uint64_t index) {
  rng_ = sim::RandomSource(mix_seed(seed_, index));
  std::fill(priority_.begin(), priority_.begin() + std::ptrdiff_t(priorities_used_), 0);
  priorities_used_ = 0;
  change_points_.resize(depth_ - 1);  // depth_ >= 1; the same draws in the same order as appending them
  for (std::uint64_t& point : change_points_) point = rng_.random(steps_estimate_);
  // Change point i lowers to d-1-i in *drawing* order; sorting keeps the lowering order
  // by time, which is equally uniform.
  // d-1 points, usually a handful: an insertion sort then (std::sort's set-up costs more
  // than the sorting); the same order either way.
  if (change_points_.size() > 16) {
    std::sort(change_points_.begin(), change_points_.end());
  } else {
    for (std::size_t i = 1; i < change_points_.size(); ++i)
      for (std::size_t j = i; j > 0 && change_points_[j] < change_points_[j - 1]; --j)
        std::swap(change_points_[j], change_points_[j - 1]);
  }
  next_change_ = 0;
  choices_ = 0;
  observer_.begin();
  last_chosen_ = 0;
  yields_ = 0;
  return true;
}

void PctStrategy::end_execution(const Execution&) { steps_estimate_ = std::max(steps_estimate_, choices_); }

std::uint64_t PctStrategy::priority_of(sim::ThreadIndex t) {
  if (t >= priority_.size()) priority_.resize(std::size_t(t) + 64, 0);
  std::uint64_t& p = priority_[t];
  // A random position among the threads seen so far: a random key above every change
  // point priority, made distinct by the thread index in the low bits.
  if (p == 0) {
    p = ((rng_.random(std::uint64_t(1) << 40) + yield_band + depth_) << 16) | t;
    priorities_used_ = std::max(priorities_used_, std::size_t(t) + 1);
  }
  return p;
}

std::uint64_t PctStrategy::band_key(sim::ThreadIndex t) {
  return ((rng_.random(yield_keys) + 1) << 16) | t;  // t: 16 bits
}

std::size_t PctStrategy::highest(const sim::Choice& c) {
  // Nearly always every enabled thread has its priority: a pass that only compares (and
  // calls nothing, so it keeps the table in registers). A thread seen for the first time
  // sends the choice to highest_drawing, which draws in the same order from the start.
  const sim::ThreadIndex* enabled = c.enabled.data();
  const std::size_t n = c.enabled.size();
  const std::uint64_t* priority = priority_.data();
  const std::size_t known = priority_.size();
  std::size_t best = 0;
  std::uint64_t best_priority = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const sim::ThreadIndex t = enabled[i];
    const std::uint64_t p = t < known ? priority[t] : 0;
    if (p == 0) [[unlikely]]
      return highest_drawing(c);
    if (p > best_priority) {
      best_priority = p;
      best = i;
    }
  }
  return best;
}

std::size_t PctStrategy::highest_drawing(const sim::Choice& c) {
  std::size_t best = 0;
  std::uint64_t best_priority = 0;
  for (std::size_t i = 0; i < c.enabled.size(); ++i) {
    sim::ThreadIndex t = c.enabled[i];
    std::uint64_t p = t < priority_.size() ? priority_[t] : 0;
    if (p == 0) p = priority_of(t);
    if (p > best_priority) {
      best_priority = p;
      best = i;
    }
  }
  return best;
}

// The transition that just ended resumed a task and queued that same task again (a
// yield); in the await mode also: it ran a task until the task suspended or finished.
bool PctStrategy::yielded(const sim::Trace* trace) const noexcept {
  TaskId resumed = 0;
  for (const sim::TraceRecord& r : observer_.pending(trace)) {
    if (r.kind == EventKind::resume) resumed = r.task;
    else if (r.kind == EventKind::schedule && resumed && r.task == resumed) return true;
    else if (await_gives_way_ && r.kind == EventKind::suspend && resumed && r.task == resumed) return true;
  }
  return false;
}

std::size_t PctStrategy::choose(const sim::Choice& c) {
  if (yielded(c.trace)) {
    // Below every other priority, change points included: a thread that a change point
    // lowered may be the one the spinner waits for (above the yield band it would starve
    // for ever). Later yielders go lower still, so spinners take turns. In the await mode
    // a random place in the band instead, drawn afresh at each await: the order in which
    // the threads that gave way come back is a fresh random one (a spinner still takes
    // turns: each of its yields is a new draw).
    priority_of(last_chosen_);
    priority_[last_chosen_] = await_gives_way_ ? band_key(last_chosen_) : yield_band - std::min(yields_, yield_band - 1);
    ++yields_;
  }
  observer_.skip(c.trace);
  std::size_t best = highest(c);
  // Change points count choice points (the only places a priority change can act). At
  // change point i the thread about to run drops below every other: d-1-i.
  while (next_change_ < change_points_.size() && change_points_[next_change_] <= choices_) {
    // In the await mode a change point sends the thread into the band too, at a random
    // place: above the band it would still run before every thread that gave way.
    priority_[c.enabled[best]] =
        await_gives_way_ ? band_key(c.enabled[best]) : yield_band + depth_ - 1 - next_change_;
    ++next_change_;
    best = highest(c);
  }
  ++choices_;
  last_chosen_ = c.enabled[best];
  return best;
}

std::uint64_t PctStrategy::random(std::uint64_t bound) { return rng_.random(bound); }

}  // namespace weft::model
