#include "weft/model/strategies/rapidcheck.hpp"

#include <algorithm>

namespace weft::model {

RapidCheckStrategy::RapidCheckStrategy(std::vector<std::size_t> choices, FaultPlan faults)
    : choices_(std::move(choices)), faults_(std::move(faults)) {}

bool RapidCheckStrategy::begin_execution(std::uint64_t index) {
  position_ = 0;
  fault_position_ = 0;
  return index == 0;
}

std::size_t RapidCheckStrategy::choose(const sim::Choice& c) {
  if (position_ < choices_.size()) return choices_[position_++] % c.enabled.size();
  if (c.current_enabled) {
    auto it = std::lower_bound(c.enabled.begin(), c.enabled.end(), c.current);
    if (it != c.enabled.end() && *it == c.current) return std::size_t(it - c.enabled.begin());
  }
  return 0;
}

std::uint64_t RapidCheckStrategy::random(std::uint64_t bound) {
  if (position_ < choices_.size()) return choices_[position_++] % bound;
  return 0;
}

bool RapidCheckStrategy::fault(std::string_view, std::uint32_t) {
  bool fire = fault_position_ < faults_.fire.size() && faults_.fire[fault_position_];
  ++fault_position_;
  return fire;
}

sim::RunResult run_with_choices(sim::SimPlatform& sim, const std::function<void()>& body,
                                std::vector<std::size_t> choices, FaultPlan faults) {
  RapidCheckStrategy strategy(std::move(choices), std::move(faults));
  strategy.begin_execution(0);
  sim::RunResult r = sim.run(body, strategy);
  strategy.end_execution(Execution{r, sim.trace(), sim.decisions()});
  return r;
}

}  // namespace weft::model
