// Exploration settings shared by the catalogue: a cheap execution, limits sized to the
// scenario's virtual time, and the default thresholds unless a scenario says otherwise.
#pragma once

#include <string>

#include "weft/model/explorer.hpp"

namespace weft::scenarios {

inline model::ExploreOptions explore_options(std::string name, Nanos time_max, std::string strategy = "portfolio",
                                             std::uint64_t iterations = 10'000) {
  model::ExploreOptions o;
  o.name = std::move(name);
  o.strategy = std::move(strategy);
  o.iterations = iterations;
  o.stop_at_first = true;
  o.shrink = true;
  o.sim.limits.time_max = time_max;
  o.sim.limits.steps_max = 200'000;
  return o;
}

}  // namespace weft::scenarios
