#include "weft/model/strategies/surw.hpp"

#include <algorithm>

#include "weft/model/strategies/random.hpp"

namespace weft::model {

namespace {
bool executor_key(const sim::Trace& trace, Key k) {
  if ((k >> 32) != 1) return false;
  for (const sim::ExecutorInfo& e : trace.executors)
    if (object_key(e.id) == k) return true;
  return false;
}
// A weft::Shared variable's key. Selected like a sync object, the variables of reorder_N
// (every task touches a and b) made surw weigh each worker by the two accesses it has
// left -- close to random's walk, and slower than the uniform walk over all steps it takes
// when nothing is selected (bench/detection, 20 seeds: reorder_10 205 vs 107 executions).
// So variables are never selected: they order nothing a sync object does not, and the
// footprints still carry them for pos and dpor.
bool variable_key(const sim::Trace& trace, Key k) {
  for (const trace::ObjectInfo& o : trace.objects)
    if (object_key(o.id) == k) return o.kind == ObjectKind::variable;
  return false;
}
}  // namespace

SurwStrategy::SurwStrategy(std::uint64_t seed) noexcept : seed_(seed), rng_(seed), estimate_(&estimates_[0]) {}

bool SurwStrategy::begin_execution(std::uint64_t index) {
  rng_ = sim::RandomSource(mix_seed(seed_, index));
  observer_.begin();
  interesting_.clear();
  if (!known_keys_.empty() && rng_.random(2) == 0) interesting_.push_back(known_keys_[rng_.random(known_keys_.size())]);
  // No object to select (a program that synchronises on nothing but the pools): every step
  // is interesting, so the walk is uniform over the interleavings of the threads' steps.
  every_step_ = known_keys_.empty();
  std::fill(done_.begin(), done_.end(), 0);
  estimate_ = &estimates_[selection()];
  last_chosen_ = 0;
  return true;
}

// Interesting: every step (no known object), touches a selected key, or (no selection)
// any known synchronisation object.
bool SurwStrategy::interesting(const Footprint& fp) const noexcept {
  if (every_step_) return true;
  for (const KeyAccess& a : fp) {
    if (a.key == universal_key) return false;
    if (interesting_.empty() ? std::binary_search(known_keys_.begin(), known_keys_.end(), a.key)
                             : std::binary_search(interesting_.begin(), interesting_.end(), a.key))
      return true;
  }
  return false;
}

void SurwStrategy::account(const sim::Trace& trace, sim::ThreadIndex t, const Footprint& fp) {
  for (const KeyAccess& a : fp) {
    if ((a.key >> 32) != 1 || a.key == universal_key) continue;
    auto it = std::lower_bound(known_keys_.begin(), known_keys_.end(), a.key);
    if (it != known_keys_.end() && *it == a.key) continue;
    if (executor_key(trace, a.key) || variable_key(trace, a.key)) continue;
    // Known once two threads touched it: an object only one thread uses orders nothing.
    auto [first, fresh] = first_thread_.try_emplace(a.key, t);
    if (!fresh && first->second != t) known_keys_.insert(it, a.key);
  }
  if (!interesting(fp)) return;
  if (t >= done_.size()) done_.resize(std::size_t(t) + 1, 0);
  ++done_[t];
}

// A transition that left no record (a thread that only computed, or a worker that found
// its queues empty) touches no object: it teaches no key, and it is interesting only when
// every step is. The same as account(t, its footprint), without making the footprint.
void SurwStrategy::account_next(const sim::Trace* trace, sim::ThreadIndex t) {
  if (!observer_.pending(trace).empty()) return account(*trace, t, observer_.next(trace, t));
  observer_.skip(trace);
  if (!every_step_) return;
  if (t >= done_.size()) done_.resize(std::size_t(t) + 1, 0);
  ++done_[t];
}

std::size_t SurwStrategy::choose(const sim::Choice& c) {
  account_next(c.trace, last_chosen_);
  // weight(t) = the interesting steps t still has, at least 1; computed once per choice.
  const std::size_t n = c.enabled.size();
  if (weights_.size() < n) weights_.resize(n);
  const std::uint32_t* est = estimate_->data();
  const std::size_t est_size = estimate_->size();
  const std::uint32_t* done = done_.data();
  const std::size_t done_size = done_.size();
  std::uint64_t total = 0;
  for (std::size_t k = 0; k < n; ++k) {
    sim::ThreadIndex t = c.enabled[k];
    std::uint32_t e = t < est_size ? est[t] : 0;
    std::uint32_t d = t < done_size ? done[t] : 0;
    std::uint32_t w = e > d + 1 ? e - d : 1;
    weights_[k] = w;
    total += w;
  }
  std::uint64_t r = rng_.random(total);
  std::size_t i = 0;
  for (; i + 1 < n; ++i) {
    if (r < weights_[i]) break;
    r -= weights_[i];
  }
  last_chosen_ = c.enabled[i];
  return i;
}

void SurwStrategy::end_execution(const Execution& e) {
  account_next(&e.trace, last_chosen_);
  auto& est = *estimate_;
  if (est.size() < done_.size()) est.resize(done_.size(), 0);
  for (std::size_t t = 0; t < done_.size(); ++t) est[t] = std::max(est[t], done_[t]);
}

std::uint64_t SurwStrategy::random(std::uint64_t bound) { return rng_.random(bound); }

}  // namespace weft::model
