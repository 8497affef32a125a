// check_all: every built-in property over one execution; identical findings once, errors first.
#include <algorithm>
#include <set>

#include "common.hpp"

namespace weft::properties {

std::vector<std::unique_ptr<Property>> default_properties() {
  std::vector<std::unique_ptr<Property>> ps;
  ps.push_back(detail::make_deadlock());
  ps.push_back(detail::make_starvation());
  ps.push_back(detail::make_lost_exception());
  ps.push_back(detail::make_hang());
  ps.push_back(detail::make_cancellation());
  ps.push_back(detail::make_misuse());
  ps.push_back(detail::make_invariant());
  ps.push_back(detail::make_crash());
  ps.push_back(detail::make_limit());
  return ps;
}

std::vector<Violation> check_all(const trace::Trace& trace, const trace::RunResult& result, const Config& config) {
  TraceIndex index(trace);
  Execution e{trace, result, config, index};
  std::vector<Violation> found;
  // Built once: a property keeps no state between checks, so one list serves every
  // execution and every thread.
  static const std::vector<std::unique_ptr<Property>> properties = default_properties();
  for (const auto& p : properties) p->check(e, found);
  for (const auto& p : config.extra)
    if (p) p->check(e, found);
  if (found.empty()) return found;
  // Identical findings (same kind, severity, message and locations) are reported once.
  std::vector<Violation> out;
  std::set<std::string> seen;
  for (auto& v : found) {
    std::string key = std::to_string(int(v.severity)) + '\n' + v.signature() + '\n' + v.message;
    if (seen.insert(key).second) out.push_back(std::move(v));
  }
  // Errors first, then warnings; within a severity by kind, then in the order found.
  std::stable_sort(out.begin(), out.end(), [](const Violation& a, const Violation& b) {
    if (a.severity != b.severity) return a.severity == Severity::error;
    return a.kind < b.kind;
  });
  return out;
}

}  // namespace weft::properties
