#include "weft/model/wrappers/metrics.hpp"

#include "weft/detail/hash.hpp"

namespace weft::model {

// A word at a time (multiply, xor-shift): its value is only ever counted (distinct
// schedules), so it needs no fixed byte order, only to be cheap on every decision.
void MetricsStrategy::mix(std::uint64_t v) noexcept {
  hash_ = (hash_ ^ v) * weft::detail::golden_gamma;
  hash_ ^= hash_ >> 29;
  ++metrics_.decisions;
}

bool MetricsStrategy::begin_execution(std::uint64_t index) {
  hash_ = weft::detail::fnv1a64_short_basis;
  return inner_.begin_execution(index);
}

void MetricsStrategy::end_execution(const sim::RunResult& r) {
  ++metrics_.executions;
  metrics_.steps += r.steps;
  schedules_.insert(hash_);
  metrics_.distinct_schedules = schedules_.size();
  inner_.end_execution(r);
}

std::size_t MetricsStrategy::choose(const sim::Choice& c) {
  std::size_t i = inner_.choose(c);
  mix(i < c.enabled.size() ? c.enabled[i] : 0xffff);
  return i;
}

std::uint64_t MetricsStrategy::random(std::uint64_t bound) {
  std::uint64_t v = inner_.random(bound);
  mix((v << 2) | 1);
  return v;
}

bool MetricsStrategy::fault(std::string_view name, std::uint32_t per_million) {
  bool fired = inner_.fault(name, per_million);
  mix(fired ? 6 : 2);
  return fired;
}

}  // namespace weft::model
