#include "weft/model/strategies/pos.hpp"

#include <algorithm>

#include "weft/model/strategies/random.hpp"

namespace weft::model {

PosStrategy::PosStrategy(std::uint64_t seed, const sim::Trace* trace) noexcept
    : seed_(seed), rng_(seed), observer_(trace) {}

bool PosStrategy::begin_execution(std::uint64_t index) {
  rng_ = sim::RandomSource(mix_seed(seed_, index));
  threads_.clear();
  previous_enabled_.clear();
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
  Footprint ran = observer_.next(last_chosen_);
  // Size the table first: references into it stay valid below.
  at(std::max<sim::ThreadIndex>(last_chosen_, c.enabled.empty() ? 0 : c.enabled.back()));
  for (sim::ThreadIndex t : c.enabled) {
    PerThread& p = threads_[t];
    bool newly_enabled = !std::binary_search(previous_enabled_.begin(), previous_enabled_.end(), t);
    if (newly_enabled || (t != last_chosen_ && conflict(p.last, ran))) p.priority = 0;
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
  previous_enabled_.assign(c.enabled.begin(), c.enabled.end());
  last_chosen_ = c.enabled[best];
  return best;
}

std::uint64_t PosStrategy::random(std::uint64_t bound) { return rng_.random(bound); }

}  // namespace weft::model
