#include "weft/model/strategies/replay.hpp"

#include <algorithm>

#include "weft/model/explorer.hpp"

namespace weft::model {

namespace {

std::string describe(const Decision& d) {
  switch (d.kind) {
    case DecisionKind::thread:
      return "thread " + std::to_string(d.value) + " (task " + std::to_string(d.key) + ")";
    case DecisionKind::random: return "random value " + std::to_string(d.value);
    case DecisionKind::fault: return std::string("fault ") + (d.value ? "fired" : "held");
  }
  return "?";
}

std::string enabled_set(const sim::Choice& c) {
  std::string s = "enabled {";
  for (std::size_t i = 0; i < c.enabled.size(); ++i) s += (i ? ", " : "") + std::to_string(c.enabled[i]);
  return s + "}";
}

}  // namespace

ReplayStrategy::ReplayStrategy(Schedule schedule, Mode mode) : schedule_(std::move(schedule)), mode_(mode) {}

bool ReplayStrategy::begin_execution(std::uint64_t index) {
  position_ = 0;
  mismatches_ = 0;
  preemptions_.clear();
  currents_.clear();
  return index == 0;
}

void ReplayStrategy::diverge(const std::string& got) const {
  std::string expected = position_ < schedule_.decisions.size()
                             ? describe(schedule_.decisions[position_])
                             : "the end of the schedule (" + std::to_string(schedule_.decisions.size()) + " decisions)";
  throw sim::AbortExecution{"nondeterminism at step " + std::to_string(position_) + ": expected " + expected +
                            ", got " + got};
}

// The recorded decision for the next question, or null in lenient mode when it does not fit.
std::optional<std::string> ReplayStrategy::divergence(const Execution& e) const {
  if (e.result.outcome == sim::Outcome::aborted) return std::nullopt;
  return replay_mismatch(schedule_, position_, e.result, e.trace);
}

const Decision* ReplayStrategy::next(DecisionKind kind) {
  if (position_ < schedule_.decisions.size() && schedule_.decisions[position_].kind == kind)
    return &schedule_.decisions[position_];
  return nullptr;
}

std::size_t ReplayStrategy::choose(const sim::Choice& c) {
  auto stay = [&]() -> std::size_t {
    if (c.current_enabled) {
      auto it = std::lower_bound(c.enabled.begin(), c.enabled.end(), c.current);
      if (it != c.enabled.end() && *it == c.current) return std::size_t(it - c.enabled.begin());
    }
    return 0;
  };
  std::size_t chosen = 0;
  bool have = false;
  const Decision* d = next(DecisionKind::thread);
  if (!d && mode_ == Mode::strict) diverge("a thread choice among " + enabled_set(c));
  if (d) {
    auto it = std::lower_bound(c.enabled.begin(), c.enabled.end(), d->value);
    if (it != c.enabled.end() && *it == d->value) {
      chosen = std::size_t(it - c.enabled.begin());
      have = true;
    } else if (mode_ == Mode::strict) {
      diverge(enabled_set(c));
    }
  }
  if (!have) {
    ++mismatches_;
    chosen = stay();
  }
  ++position_;
  preemptions_.push_back(c.current_enabled && c.enabled[chosen] != c.current);
  currents_.push_back(c.current_enabled ? c.current : c.enabled[chosen]);
  return chosen;
}

std::uint64_t ReplayStrategy::random(std::uint64_t bound) {
  const Decision* d = next(DecisionKind::random);
  if (!d && mode_ == Mode::strict) diverge("a random draw below " + std::to_string(bound));
  std::uint64_t v = 0;
  if (d && d->value < bound) {
    v = d->value;
  } else if (d && mode_ == Mode::strict) {
    diverge("a random draw below " + std::to_string(bound));
  } else {
    ++mismatches_;
  }
  ++position_;
  preemptions_.push_back(false);
  currents_.push_back(0);
  return v;
}

bool ReplayStrategy::fault(std::string_view name, std::uint32_t) {
  const Decision* d = next(DecisionKind::fault);
  if (!d && mode_ == Mode::strict) diverge("fault point \"" + std::string(name) + "\"");
  if (!d) ++mismatches_;
  ++position_;
  preemptions_.push_back(false);
  currents_.push_back(0);
  return d && d->value != 0;
}

}  // namespace weft::model
