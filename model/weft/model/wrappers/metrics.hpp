// Counts what a strategy did, by wrapping it: executions, steps, decisions and distinct
// schedules (hashes of the decision lists actually taken). It watches from the ends of an
// execution only: the decisions are read from the simulator's own record when it ends
// (Execution::decisions), so the strategy's answers reach the simulator without passing
// through here. Everything else is the inner strategy's, forwarded.
#pragma once

#include <vector>

#include "weft/model/detail/hash_set.hpp"
#include "weft/model/strategy.hpp"

namespace weft::model {

struct Metrics {
  std::uint64_t executions = 0;
  std::uint64_t steps = 0;
  std::uint64_t decisions = 0;
  std::uint64_t distinct_schedules = 0;
};

class MetricsStrategy final : public Strategy {
 public:
  explicit MetricsStrategy(Strategy& inner) noexcept : inner_(inner) {}
  bool begin_execution(std::uint64_t index) override;
  void end_execution(const Execution& e) override;
  std::string name() const override { return inner_.name(); }
  std::string execution_name() const override { return inner_.execution_name(); }
  sim::DecisionSource& source() noexcept override { return inner_.source(); }
  const std::vector<Decision>* rerun() const noexcept override { return inner_.rerun(); }
  bool rerun_pending() const noexcept override { return inner_.rerun_pending(); }
  bool needs_trace_hash() const noexcept override { return inner_.needs_trace_hash(); }
  bool exhaustive() const noexcept override { return inner_.exhaustive(); }
  bool finished() const noexcept override { return inner_.finished(); }
  std::string coverage() const override { return inner_.coverage(); }
  std::optional<std::string> divergence(const Execution& e) const override { return inner_.divergence(e); }
  // Never asked (source() is the inner strategy's); they forward, for a caller that asks anyway.
  std::size_t choose(const sim::Choice& c) override { return inner_.choose(c); }
  std::uint64_t random(std::uint64_t bound) override { return inner_.random(bound); }
  bool fault(std::string_view name, std::uint32_t per_million) override { return inner_.fault(name, per_million); }

  const Metrics& metrics() const noexcept { return metrics_; }

 private:
  Strategy& inner_;
  Metrics metrics_;
  detail::HashSet64 schedules_;  // the schedule hashes seen (only their number is ever read)
};

}  // namespace weft::model
