// The catalogue: each scenario is a buggy and a fixed variant of ordinary weft code, with
// the verdict the checker must give the bug. Registered by name; the names are a contract.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "weft/model/explorer.hpp"
#include "weft/properties/violation.hpp"

namespace weft::scenarios {

enum class Variant { bug, fix };

struct Scenario {
  std::string name;                 // "sync-over-async", ...
  ViolationKind expected;           // what the .bug must be flagged with
  std::string summary;              // one line
  std::function<void()> bug;        // runs inside the simulator
  std::function<void()> fix;
  // Exploration settings that suit this scenario (strategy, iterations, limits, thresholds).
  model::ExploreOptions options;
  // Its row in the catalogue (1 = first); scenarios without one (a user's, the asio ones)
  // come after, by name. all() is sorted by this field: the registrations are the list.
  std::uint32_t order = unordered;
  static constexpr std::uint32_t unordered = ~std::uint32_t(0);
};

// Every scenario, in catalogue order.
const std::vector<Scenario>& all();
// By name ("sync-over-async"); null if unknown.
const Scenario* find(std::string_view name);

// Adds a scenario at static-initialisation time (used by each scenario's file and by users
// who link weft::main with their own scenarios).
struct Register {
  explicit Register(Scenario s);
};

}  // namespace weft::scenarios
