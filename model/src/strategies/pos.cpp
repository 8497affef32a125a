#include "weft/model/strategies/pos.hpp"

#include <algorithm>

#include "weft/model/strategies/random.hpp"

namespace weft::model {

PosStrategy::PosStrategy(std::uint64_t seed) noexcept : seed_(seed), rng_(seed) {}

bool PosStrategy::begin_execution(std::uint64_t index) {
  rng_ = sim::RandomSource(mix_seed(seed_, index));
  // Every thread starts with no priority and no previous transition; the table keeps its
  // size (and the footprints their storage) from one execution to the next.
  for (PerThread& p : threads_) {
    p.priority = 0;
    p.last.clear();
  }
  choice_ += 2;  // no thread counts as enabled at the choice before this execution's first
  observer_.begin();
  last_chosen_ = 0;
  return true;
}

PosStrategy::PerThread& PosStrategy::at(sim::ThreadIndex t) {
  if (t >= threads_.size()) threads_.resize(std::size_t(t) + 1);
  return threads_[t];
}

std::size_t PosStrategy::choose(const sim::Choice& c) {
  // The step chosen last time has run: its thread's next step is new, and every pending
  // step that races with it is re-sampled.
  Footprint ran = observer_.next(c.trace, last_chosen_);
  // Size the table first: references into it stay valid below.
  at(std::max<sim::ThreadIndex>(last_chosen_, c.enabled.empty() ? 0 : c.enabled.back()));
  ++choice_;
  // A step that touched everything (a silent one) races with every pending step that has a
  // prediction; one that touched nothing races with none.
  const bool ran_universal = is_universal(ran);
  for (sim::ThreadIndex t : c.enabled) {
    PerThread& p = threads_[t];
    const bool newly_enabled = p.enabled_at + 1 != choice_;
    p.enabled_at = choice_;
    if (p.priority == 0 || t == last_chosen_) continue;
    if (newly_enabled || (ran_universal ? !p.last.empty() : conflict(p.last, ran))) p.priority = 0;
  }
  PerThread& last = threads_[last_chosen_];
  last.priority = 0;
  last.last = std::move(ran);
  std::size_t best = 0;
  std::uint64_t best_priority = 0;
  for (std::size_t i = 0; i < c.enabled.size(); ++i) {
    PerThread& p = threads_[c.enabled[i]];
    if (p.priority == 0) p.priority = rng_.random(~std::uint64_t(0)) | 1;
    if (p.priority > best_priority) {
      best_priority = p.priority;
      best = i;
    }
  }
  last_chosen_ = c.enabled[best];
  return best;
}

std::uint64_t PosStrategy::random(std::uint64_t bound) { return rng_.random(bound); }

}  // namespace weft::model
