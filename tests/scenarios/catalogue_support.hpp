// Shared by the fast and the heavy catalogue tests: explore a scenario's variant with the
// scenario's own options and the general properties.
#pragma once

#include <string>

#include "weft/model/explorer.hpp"
#include "weft/properties/property.hpp"
#include "weft/scenarios/scenario.hpp"

namespace weft::scenarios::testing {

// check_all, with warnings kept: the explorer reports errors only, and the catalogue's
// verdicts include a warning (the redundant hop). Applies to every scenario alike.
inline model::Checker with_warnings(const properties::Config& config) {
  return [config](const sim::Trace& trace, const sim::RunResult& result) {
    auto found = properties::check_all(trace, result, config);
    for (auto& v : found) v.severity = Severity::error;
    return found;
  };
}

inline model::ExploreReport explore_variant(const Scenario& s, Variant variant, std::uint64_t iterations) {
  model::ExploreOptions o = s.options;
  o.iterations = iterations;
  o.shrink = false;  // the verdict is what is tested here, not the shrinker
  return model::explore(o, variant == Variant::bug ? s.bug : s.fix, with_warnings(o.properties));
}

inline bool flagged_with(const model::ExploreReport& r, ViolationKind kind) {
  for (const auto& f : r.findings)
    if (f.violation.kind == kind) return true;
  return false;
}

inline std::string describe_findings(const model::ExploreReport& r) {
  std::string out = r.summary + "\n";
  for (const auto& f : r.findings)
    out += std::string(to_string(f.violation.kind)) + ": " + f.violation.message + "\n";
  return out;
}

}  // namespace weft::scenarios::testing
