// Counts what a strategy did, by wrapping it: executions, steps, decisions and distinct
// schedules (hashes of the decision lists actually taken).
#pragma once

#include <unordered_set>

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
  void end_execution(const sim::RunResult& r) override;
  std::string name() const override { return inner_.name(); }
  std::size_t choose(const sim::Choice& c) override;
  std::uint64_t random(std::uint64_t bound) override;
  bool fault(std::string_view name, std::uint32_t per_million) override;

  const Metrics& metrics() const noexcept { return metrics_; }

 private:
  void mix(std::uint64_t v) noexcept;
  Strategy& inner_;
  Metrics metrics_;
  std::uint64_t hash_ = 0;
  std::unordered_set<std::uint64_t> schedules_;  // only its size is ever read
};

}  // namespace weft::model
