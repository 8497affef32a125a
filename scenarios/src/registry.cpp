// The registry. Scenarios register themselves at static-initialisation time, in an order
// the language leaves unspecified, so all() sorts them into catalogue order (the contract
// below); scenarios registered by users come after, by name.
#include <algorithm>
#include <array>
#include <stdexcept>
#include <string_view>

#include "weft/scenarios/scenario.hpp"

namespace weft::scenarios {
namespace {

constexpr std::array<std::string_view, 13> kCatalogueOrder = {
    "sync-over-async",     "pool-starvation", "async-over-sync", "redundant-hop",   "fire-and-forget",
    "block-on-under-load", "when-all-exceptions", "when-any-leak", "uncancelled-query", "heartbeat",
    "double-await",        "capture-context", "web-server",
};

std::size_t rank(std::string_view name) {
  auto it = std::find(kCatalogueOrder.begin(), kCatalogueOrder.end(), name);
  return std::size_t(it - kCatalogueOrder.begin());
}

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
      auto ra = rank(a.name), rb = rank(b.name);
      return ra != rb ? ra < rb : a.name < b.name;
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
