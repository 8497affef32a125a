// The default strategy: several strategies taking turns, with more turns for those that
// keep finding new interleavings.
//
// Members (default: pct-await:3, random) each keep their own sequence of executions:
// the j-th execution the portfolio gives member k is member k's execution j under the
// same seed, exactly what that strategy alone would have run. So a bug that member k
// alone finds at its execution j, the portfolio finds by the time k has had j turns.
//
// Turns: the first round gives each member one, starting at member seed mod K (so a
// campaign that runs one execution per seed rotates through the members); after that, smooth weighted round-robin
// (no random draw: the order is a function of what happened). A member's weight is half
// a fair share (1/2K, a floor: nobody starves) plus half of the share of its novelty,
// novelty being (new interleavings it produced + 1) / (executions it ran + 1). "New" means
// an interleaving_signature() (weft/model/happens_before.hpp: the per-object order of
// conflicting accesses) no earlier execution of any member had; with the trace off it is
// the trace hash (the schedule).
//
// The schedule of a finding names the member that found it ("portfolio/pct-await:3").
//
// Why these two: on bench/detection, pct-await:3 (PCT where an await gives way) finds the
// dining philosophers, lock-order and ordering bugs within a few executions, and reorder_N
// and twostage_N 10 to 100 times faster than any other strategy once N reaches 10. random
// is the member without a bias: where pct-await's guess of what to delay is wrong it stays
// fast (permit_leak 1 vs 3, wrong_executor 2 vs 4), and it guards a user's program against
// a shape no benchmark had. Every member beyond the two costs a share of the turns: with
// four members the portfolio needed 3 to 4 times the best member's executions where only
// one member was good; with surw and pct:3 it missed reorder_20 on some seeds.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "weft/model/detail/hash_set.hpp"
#include "weft/model/strategy.hpp"

namespace weft::model {

class PortfolioStrategy final : public Strategy {
 public:
  static std::vector<std::string> default_members();
  explicit PortfolioStrategy(std::uint64_t seed, std::vector<std::string> members = default_members());
  bool begin_execution(std::uint64_t index) override;
  void end_execution(const Execution& e) override;
  std::string name() const override { return "portfolio"; }
  std::string execution_name() const override;
  // The current member answers: the simulator calls it directly.
  sim::DecisionSource& source() noexcept override { return members_[current_].strategy->source(); }
  std::size_t choose(const sim::Choice& c) override;
  std::uint64_t random(std::uint64_t bound) override;
  bool fault(std::string_view name, std::uint32_t per_million) override;

  struct MemberStats {
    std::string name;
    std::uint64_t executions = 0;
    std::uint64_t new_interleavings = 0;
  };
  std::vector<MemberStats> stats() const;

 private:
  struct Member {
    std::unique_ptr<Strategy> strategy;
    std::uint64_t executions = 0;
    std::uint64_t novel = 0;
    std::int64_t credit = 0;  // smooth weighted round-robin, fixed point
    double novelty = 1;       // (novel + 1) / (executions + 1), kept by end_execution
    bool exhausted = false;
  };
  std::vector<Member> members_;
  std::size_t current_ = 0;
  std::size_t offset_;  // the first round starts at member seed mod K (one-execution campaigns rotate)
  detail::HashSet64 seen_;  // interleaving signatures seen
};

}  // namespace weft::model
