#include "weft/model/strategies/portfolio.hpp"

#include <stdexcept>

#include "weft/assert.hpp"
#include "weft/model/explorer.hpp"
#include "weft/model/happens_before.hpp"

namespace weft::model {

std::vector<std::string> PortfolioStrategy::default_members() { return {"pct-await:3", "random"}; }

PortfolioStrategy::PortfolioStrategy(std::uint64_t seed, std::vector<std::string> members)
    : offset_(std::size_t(seed % std::max<std::size_t>(1, members.size()))) {
  if (members.empty()) throw std::invalid_argument("portfolio: no member strategies");
  for (const std::string& m : members) {
    if (m.rfind("portfolio", 0) == 0 || m.rfind("replay", 0) == 0)
      throw std::invalid_argument("portfolio: \"" + m + "\" cannot be a member");
    members_.push_back(Member{make_strategy(m, seed)});
  }
}

bool PortfolioStrategy::begin_execution(std::uint64_t index) {
  const std::size_t k = members_.size();
  for (bool first_round = index < k;; first_round = false) {
    if (first_round) {
      current_ = std::size_t((index + offset_) % k);  // the first round: everyone once, from seed mod K
    } else {
      // Weights in millionths: half a fair share each, plus half shared by novelty.
      constexpr std::int64_t one = 1000000;
      std::size_t live = 0;
      double novelty_sum = 0;
      Member* const ms = members_.data();
      for (std::size_t i = 0; i < k; ++i) {
        if (ms[i].exhausted) continue;
        ++live;
        novelty_sum += ms[i].novelty;
      }
      if (live == 0) return false;  // every member's space is exhausted
      std::int64_t total = 0;
      std::size_t best = k;
      const std::int64_t fair_half = one / std::int64_t(2 * live);
      for (std::size_t i = 0; i < k; ++i) {
        if (ms[i].exhausted) continue;
        std::int64_t w = fair_half + std::int64_t(double(one / 2) * ms[i].novelty / novelty_sum);
        ms[i].credit += w;
        total += w;
        if (best == k || ms[i].credit > ms[best].credit) best = i;
      }
      ms[best].credit -= total;
      current_ = best;
    }
    WEFT_ASSERT(current_ < k, "the member chosen is one of the portfolio's");
    Member& m = members_[current_];
    if (!m.exhausted && m.strategy->begin_execution(m.executions)) return true;
    m.exhausted = true;
  }
}

void PortfolioStrategy::end_execution(const Execution& e) {
  Member& m = members_[current_];
  m.strategy->end_execution(e);
  ++m.executions;
  std::uint64_t signature = !e.trace.records.empty() ? interleaving_signature(e.trace) : e.result.trace_hash;
  if (seen_.insert(signature)) ++m.novel;
  m.novelty = double(m.novel + 1) / double(m.executions + 1);
}

std::string PortfolioStrategy::execution_name() const { return "portfolio/" + members_[current_].strategy->name(); }

std::size_t PortfolioStrategy::choose(const sim::Choice& c) { return members_[current_].strategy->choose(c); }
std::uint64_t PortfolioStrategy::random(std::uint64_t bound) { return members_[current_].strategy->random(bound); }
bool PortfolioStrategy::fault(std::string_view name, std::uint32_t per_million) {
  return members_[current_].strategy->fault(name, per_million);
}

std::vector<PortfolioStrategy::MemberStats> PortfolioStrategy::stats() const {
  std::vector<MemberStats> out;
  for (const Member& m : members_) out.push_back(MemberStats{m.strategy->name(), m.executions, m.novel});
  return out;
}

}  // namespace weft::model
