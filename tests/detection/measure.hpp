// Measurements shared by the heavy test and the benchmark: executions to the first finding
// of the right kind over seeds, violations in a twin's executions, DFS space sizes.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "programs.hpp"
#include "weft/model/explorer.hpp"

namespace weft::detection {

// Executions to the first finding of `c.kind` at the default settings (random walk, coarse),
// for seeds 0..seeds-1; a seed that finds nothing of that kind in `budget` counts as budget+1.
inline std::vector<std::uint64_t> executions_to_find(const Case& c, std::uint64_t seeds, std::uint64_t budget) {
  std::vector<std::uint64_t> out;
  for (std::uint64_t seed = 0; seed < seeds; ++seed) {
    model::ExploreOptions o;
    o.name = c.name;
    o.seed = seed;
    o.iterations = budget;
    o.shrink = false;
    auto r = model::explore(o, [&c] { c.program(false); });
    bool right = !r.findings.empty() && r.findings.front().violation.kind == c.kind;
    out.push_back(right ? *r.executions_to_first_bug : budget + 1);
  }
  return out;
}

inline std::uint64_t median(std::vector<std::uint64_t> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// Distinct findings over `executions` of the twin (0 = clean).
inline std::size_t twin_findings(const Case& c, std::uint64_t executions, std::uint64_t seed = 0) {
  model::ExploreOptions o;
  o.name = c.name;
  o.seed = seed;
  o.iterations = executions;
  o.shrink = false;
  return model::explore(o, [&c] { c.program(true); }).findings.size();
}

}  // namespace weft::detection
