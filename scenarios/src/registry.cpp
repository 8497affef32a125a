// The registry. Scenarios register themselves at static-initialisation time, in an order
// the language leaves unspecified, so all() sorts them by Scenario::order (the catalogue's
// own carry their row); scenarios registered without one (users') come after, by name.
#include <algorithm>
#include <stdexcept>
#include <string_view>

#include "weft/scenarios/scenario.hpp"

namespace weft::scenarios {
namespace {

struct Registry {
  std::vector<Scenario> scenarios;
  bool sorted = true;
};

// Function-local: safe to use from other translation units' static initialisers.
Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

Register::Register(Scenario s) {
  auto& r = registry();
  auto same = [&](const Scenario& x) { return x.name == s.name; };
  if (std::any_of(r.scenarios.begin(), r.scenarios.end(), same))
    throw std::logic_error("weft::scenarios: scenario '" + s.name + "' registered twice");
  r.scenarios.push_back(std::move(s));
  r.sorted = false;
}

const std::vector<Scenario>& all() {
  auto& r = registry();
  if (!r.sorted) {
    std::stable_sort(r.scenarios.begin(), r.scenarios.end(), [](const Scenario& a, const Scenario& b) {
      return a.order != b.order ? a.order < b.order : a.name < b.name;
    });
    r.sorted = true;
  }
  return r.scenarios;
}

const Scenario* find(std::string_view name) {
  for (const auto& s : all())
    if (s.name == name) return &s;
  return nullptr;
}

}  // namespace weft::scenarios
