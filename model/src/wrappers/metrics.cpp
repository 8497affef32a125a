#include "weft/model/wrappers/metrics.hpp"

#include <algorithm>

#include "weft/assert.hpp"
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
  if (insert_schedule(h)) ++metrics_.distinct_schedules;
  inner_.end_execution(e);
}

namespace {
// Puts h (non-zero) into a table that has a free slot; false when it was there already.
bool place(std::vector<std::uint64_t>& table, std::uint64_t h) {
  WEFT_ASSERT(h != 0 && !table.empty() && (table.size() & (table.size() - 1)) == 0,
              "a non-zero hash into a power-of-two table with a free slot");
  const std::size_t mask = table.size() - 1;
  for (std::size_t i = std::size_t(h ^ (h >> 32)) & mask;; i = (i + 1) & mask) {
    if (table[i] == h) return false;
    if (table[i] == 0) {
      table[i] = h;
      return true;
    }
  }
}
}  // namespace

bool MetricsStrategy::insert_schedule(std::uint64_t h) {
  if (h == 0) h = 1;
  if (2 * (metrics_.distinct_schedules + 1) > schedules_.size()) {
    std::vector<std::uint64_t> grown(std::max<std::size_t>(64, 2 * schedules_.size()), 0);
    for (std::uint64_t v : schedules_)
      if (v) place(grown, v);
    schedules_ = std::move(grown);
  }
  return place(schedules_, h);
}

}  // namespace weft::model
