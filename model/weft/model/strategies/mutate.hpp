// Mutation of a recorded execution, as a greybox fuzzer mutates an input: the first
// decisions come from a schedule (the prefix kept from a corpus entry), every decision
// after them from a fresh strategy (the default portfolio under the execution's seed:
// member seed mod K's first execution). So the execution starts exactly where the entry
// went and re-draws the rest.
//
// A question that does not fit the prefix (another kind, a thread that is not enabled:
// the program is not deterministic) ends the prefix there: the fresh strategy answers it
// and everything after. The decisions actually taken are what the simulator records, so
// the schedule of a finding (prefix and suffix) replays on its own, strictly; a schedule
// with strategy "mutate" and only the prefix (a campaign's crash, which could not record
// the rest) reproduces the execution through this strategy and the seed.
#pragma once

#include <memory>
#include <vector>

#include "weft/model/schedule.hpp"
#include "weft/model/strategy.hpp"

namespace weft::model {

class MutateStrategy final : public Strategy {
 public:
  MutateStrategy(std::vector<Decision> prefix, std::uint64_t seed);
  bool begin_execution(std::uint64_t index) override;
  std::string name() const override { return "mutate"; }
  // "mutate/<member>": the strategy that drew the suffix.
  std::string execution_name() const override;
  void end_execution(const Execution& e) override;
  std::size_t choose(const sim::Choice& c) override;
  std::uint64_t random(std::uint64_t bound) override;
  bool fault(std::string_view name, std::uint32_t per_million) override;
  // Decisions of the last execution that came from the prefix.
  std::size_t kept() const noexcept { return position_; }

 private:
  const Decision* next(DecisionKind kind);
  std::vector<Decision> prefix_;
  std::unique_ptr<Strategy> suffix_;
  std::size_t position_ = 0;
  bool in_prefix_ = true;
};

}  // namespace weft::model
