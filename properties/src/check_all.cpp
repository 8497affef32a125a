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

static_assert(unsigned(trace::Outcome::crashed) < 32, "Triggers: more than 32 outcomes");

namespace {

// The built-in properties with their triggers, and the union of those: an execution with
// none of them (most executions of a correct program) asks no property at all.
struct Builtins {
  struct Entry {
    std::unique_ptr<Property> property;
    Triggers triggers;
  };
  std::vector<Entry> entries;
  Triggers any{0, 0, false};
  Builtins() {
    for (auto& p : default_properties()) {
      Triggers t = p->triggers();
      any.kinds |= t.kinds;
      any.outcomes |= t.outcomes;
      any.tasks = any.tasks || t.tasks;
      entries.push_back(Entry{std::move(p), t});
    }
  }
};

// Built once: a property keeps no state between checks, so one list serves every
// execution and every thread.
const Builtins& builtins() {
  static const Builtins b;
  return b;
}

// check_all when some property may find something.
[[gnu::noinline]] std::vector<Violation> check_some(const trace::Trace& trace, const trace::RunResult& result,
                                                    const Config& config, std::uint64_t kinds) {
  TraceIndex index(trace, kinds);
  Execution e{trace, result, config, index};
  std::vector<Violation> found;
  for (const auto& [p, triggers] : builtins().entries)
    if (triggers.fire(index, result)) p->check(e, found);
  for (const auto& p : config.extra)
    if (p && p->triggers().fire(index, result)) p->check(e, found);
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

}  // namespace

std::vector<Violation> check_all(const trace::Trace& trace, const trace::RunResult& result, const Config& config) {
  // The common case first: no built-in property's trigger occurs and the user added none.
  const std::uint64_t kinds = TraceIndex::kinds_of(trace);
  if (config.extra.empty() && !builtins().any.fire(kinds, result.outcome, !trace.tasks.empty())) return {};
  return check_some(trace, result, config, kinds);
}

}  // namespace weft::properties
