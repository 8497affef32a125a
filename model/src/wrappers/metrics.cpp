#include "weft/model/wrappers/metrics.hpp"

#include "weft/detail/hash.hpp"

namespace weft::model {

bool MetricsStrategy::begin_execution(std::uint64_t index) { return inner_.begin_execution(index); }

// The schedule's hash, a word at a time: its value is only ever counted (distinct
// schedules), so it needs no fixed byte order, only to be cheap. Each decision is its
// value with its kind in the two low bits (a fault's value is 0 or 1); a multiply per
// decision, the high bits folded down once at the end (the set indexes by low bits).
void MetricsStrategy::end_execution(const Execution& e) {
  std::uint64_t h = weft::detail::fnv1a64_short_basis;
  for (const sim::RecordedDecision& d : e.decisions)
    h = (h ^ ((d.value << 2) | std::uint64_t(d.kind))) * weft::detail::golden_gamma;
  h ^= (h >> 29) ^ (h >> 47);
  ++metrics_.executions;
  metrics_.steps += e.result.steps;
  metrics_.decisions += e.decisions.size();
  if (schedules_.insert(h)) ++metrics_.distinct_schedules;
  inner_.end_execution(e);
}

}  // namespace weft::model
