#include "weft/properties/violation.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace weft {

namespace {

struct KindName {
  ViolationKind kind;
  const char* name;
};

constexpr std::array<KindName, 11> kKindNames{{
    {ViolationKind::none, "none"},
    {ViolationKind::deadlock, "deadlock"},
    {ViolationKind::starvation, "starvation"},
    {ViolationKind::lost_exception, "lost-exception"},
    {ViolationKind::hang, "hang"},
    {ViolationKind::cancellation, "cancellation"},
    {ViolationKind::misuse, "misuse"},
    {ViolationKind::invariant, "invariant"},
    {ViolationKind::crash, "crash"},
    {ViolationKind::limit, "limit"},
    {ViolationKind::nondeterminism, "nondeterminism"},
}};

}  // namespace

const char* to_string(ViolationKind k) noexcept {
  for (const auto& e : kKindNames)
    if (e.kind == k) return e.name;
  return "?";
}

// Accepts the CLI names; "lost_exception" (the enumerator's spelling) is accepted too.
bool parse_violation_kind(std::string_view s, ViolationKind& out) noexcept {
  for (const auto& e : kKindNames) {
    std::string_view name = e.name;
    if (s.size() != name.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < s.size() && same; ++i)
      same = s[i] == name[i] || (s[i] == '_' && name[i] == '-');
    if (same) {
      out = e.kind;
      return true;
    }
  }
  return false;
}

// "<kind>|<loc>;<loc>...[|cycle=<n>]": locations sorted and unique so that the order in which a
// property happened to visit them does not matter; the cycle length tells a two-thread
// deadlock from a three-thread one through the same code.
std::string Violation::signature() const {
  std::vector<std::string> locs = locations;
  std::sort(locs.begin(), locs.end());
  locs.erase(std::unique(locs.begin(), locs.end()), locs.end());
  std::string sig = to_string(kind);
  sig += '|';
  for (std::size_t i = 0; i < locs.size(); ++i) {
    if (i) sig += ';';
    sig += locs[i];
  }
  if (kind == ViolationKind::deadlock) {
    std::size_t cycle = !threads.empty() ? threads.size() : tasks.size();
    sig += "|cycle=" + std::to_string(cycle);
  }
  return sig;
}

}  // namespace weft
