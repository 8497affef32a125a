// RapidCheck-driven decisions: the schedule is a std::vector<std::size_t> that RapidCheck
// generated, so a failing property shrinks the schedule together with the test's own
// inputs. Choice i takes choices[i] modulo the number of enabled threads (small values =
// low thread indices, which is where RapidCheck shrinks to); once the vector runs out the
// current thread keeps running if it can, else the lowest index. Random draws take the
// next value modulo the bound; faults take the next entry of the fault plan (default: held).
#pragma once

#include <functional>
#include <vector>

#include "weft/model/strategy.hpp"

namespace weft::model {

struct FaultPlan {
  std::vector<bool> fire;  // i-th fault point reached fires iff fire[i] (missing: held)
};

class RapidCheckStrategy final : public Strategy {
 public:
  explicit RapidCheckStrategy(std::vector<std::size_t> choices, FaultPlan faults = {});
  bool begin_execution(std::uint64_t index) override;  // runs once
  std::string name() const override { return "rapidcheck"; }
  std::size_t choose(const sim::Choice& c) override;
  std::uint64_t random(std::uint64_t bound) override;
  bool fault(std::string_view name, std::uint32_t per_million) override;

 private:
  std::vector<std::size_t> choices_;
  FaultPlan faults_;
  std::size_t position_ = 0;
  std::size_t fault_position_ = 0;
};

// Runs `body` once under the given choices; the simulator's decisions() and trace() describe it.
sim::RunResult run_with_choices(sim::SimPlatform& sim, const std::function<void()>& body,
                                std::vector<std::size_t> choices, FaultPlan faults = {});

}  // namespace weft::model
