#include "weft/model/wrappers/metrics.hpp"

#include "weft/detail/hash.hpp"

namespace weft::model {

bool MetricsStrategy::begin_execution(std::uint64_t index) { return inner_.begin_execution(index); }

// The schedule's hash, a word at a time (multiply, xor-shift): its value is only ever
// counted (distinct schedules), so it needs no fixed byte order, only to be cheap.
void MetricsStrategy::end_execution(const Execution& e) {
  std::uint64_t h = weft::detail::fnv1a64_short_basis;
  for (const sim::RecordedDecision& d : e.decisions) {
    std::uint64_t v = d.kind == sim::RecordedKind::thread ? d.value
                      : d.kind == sim::RecordedKind::random ? (d.value << 2) | 1
                                                            : (d.value ? 6 : 2);
    h = (h ^ v) * weft::detail::golden_gamma;
    h ^= h >> 29;
  }
  ++metrics_.executions;
  metrics_.steps += e.result.steps;
  metrics_.decisions += e.decisions.size();
  if (schedules_.insert(h)) ++metrics_.distinct_schedules;
  inner_.end_execution(e);
}

}  // namespace weft::model
