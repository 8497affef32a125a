// Replay: answers every question from a recorded Schedule. Strict mode stops the execution
// (sim::AbortExecution) at the first question that does not match the recording:
//   "nondeterminism at step k: expected thread T (task K), got enabled {…}"
// where k is the decision index, threads are named by index and tasks by key. Lenient
// mode (used by the shrinker) instead continues past a mismatch or the end of the
// schedule with "stay on the current thread if enabled, else the lowest index", random
// draws 0 and faults that do not fire.
#pragma once

#include <vector>

#include "weft/model/schedule.hpp"
#include "weft/model/strategy.hpp"

namespace weft::model {

class ReplayStrategy final : public Strategy {
 public:
  enum class Mode { strict, lenient };
  explicit ReplayStrategy(Schedule schedule, Mode mode = Mode::strict);

  bool begin_execution(std::uint64_t index) override;  // runs once
  std::string name() const override { return "replay"; }
  std::size_t choose(const sim::Choice& c) override;
  std::uint64_t random(std::uint64_t bound) override;
  bool fault(std::string_view name, std::uint32_t per_million) override;

  // Lenient mode: how many questions did not follow the schedule.
  std::size_t mismatches() const noexcept { return mismatches_; }
  // Per decision of the last execution: was it a preemption (a thread decision that
  // switched away from a current thread that was still enabled)?
  const std::vector<bool>& preemptions() const noexcept { return preemptions_; }
  // Per decision of the last execution: the thread that "stay on current" would have
  // picked there (the current thread if enabled, else the one chosen).
  const std::vector<sim::ThreadIndex>& currents() const noexcept { return currents_; }
  const Schedule& schedule() const noexcept { return schedule_; }
  // How many of the schedule's decisions the last execution asked for.
  std::size_t position() const noexcept { return position_; }
  // The execution that just ended asked for fewer decisions than recorded, or (when the
  // schedule carries its trace's hash) wrote another trace. An aborted execution reports
  // its divergence itself.
  std::optional<std::string> divergence(const Execution& e) const override;
  // Compared with the schedule's recorded hash (divergence()).
  bool needs_trace_hash() const noexcept override { return true; }

 private:
  [[noreturn]] void diverge(const std::string& got) const;
  const Decision* next(DecisionKind kind);

  Schedule schedule_;
  Mode mode_;
  std::size_t position_ = 0;
  std::size_t mismatches_ = 0;
  std::vector<bool> preemptions_;
  std::vector<sim::ThreadIndex> currents_;
};

}  // namespace weft::model
