#include "weft/model/strategies/mutate.hpp"

#include <algorithm>

#include "weft/model/strategies/portfolio.hpp"

namespace weft::model {

MutateStrategy::MutateStrategy(std::vector<Decision> prefix, std::uint64_t seed)
    : prefix_(std::move(prefix)), suffix_(std::make_unique<PortfolioStrategy>(seed)) {}

bool MutateStrategy::begin_execution(std::uint64_t index) {
  position_ = 0;
  in_prefix_ = true;
  return suffix_->begin_execution(index);
}

std::string MutateStrategy::execution_name() const {
  std::string s = suffix_->execution_name();
  const std::string portfolio = "portfolio/";
  if (s.rfind(portfolio, 0) == 0) s.erase(0, portfolio.size());
  return "mutate/" + s;
}

void MutateStrategy::end_execution(const Execution& e) { suffix_->end_execution(e); }

const Decision* MutateStrategy::next(DecisionKind kind) {
  if (in_prefix_ && position_ < prefix_.size() && prefix_[position_].kind == kind) return &prefix_[position_];
  in_prefix_ = false;
  return nullptr;
}

std::size_t MutateStrategy::choose(const sim::Choice& c) {
  if (const Decision* d = next(DecisionKind::thread)) {
    auto it = std::lower_bound(c.enabled.begin(), c.enabled.end(), d->value);
    if (it != c.enabled.end() && *it == d->value) {
      ++position_;
      return std::size_t(it - c.enabled.begin());
    }
    in_prefix_ = false;
  }
  return suffix_->choose(c);
}

std::uint64_t MutateStrategy::random(std::uint64_t bound) {
  if (const Decision* d = next(DecisionKind::random)) {
    if (d->value < bound) {
      ++position_;
      return d->value;
    }
    in_prefix_ = false;
  }
  return suffix_->random(bound);
}

bool MutateStrategy::fault(std::string_view name, std::uint32_t per_million) {
  if (const Decision* d = next(DecisionKind::fault)) {
    ++position_;
    return d->value != 0;
  }
  return suffix_->fault(name, per_million);
}

}  // namespace weft::model
