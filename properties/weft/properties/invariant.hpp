// User invariants, liveness monitors and latency probes: annotations a program under test
// writes into the trace, turned into violations by the `invariant` and `starvation`
// properties. Outside a traced simulation they cost a predicate call (or nothing).
//
//   weft::invariant("balance never negative", [&] { return balance >= 0; });
//
//   weft::Monitor progress("request answered", 2_s);   // hot longer than 2 s: a violation
//   progress.hot();  ... progress.cold();               // hot at the end: a violation too
//
//   weft::probe("heartbeat", observed_latency, 50_ms);
#pragma once

#include <source_location>
#include <string>
#include <string_view>
#include <type_traits>

#include "weft/platform.hpp"

namespace weft {

namespace detail {
// Emit an invariant_failed / monitor_hot|cold record at `where` when the current platform traces.
void emit_invariant_failed(std::string_view name, const std::source_location& where);
void emit_monitor(bool hot, std::string_view name, Nanos threshold, const std::source_location& where);
void emit_probe(std::string_view label, Nanos latency, Nanos deadline, const std::source_location& where);
}  // namespace detail

// Evaluates `predicate` (a callable returning bool, or a bool) now; when false, records
// an `invariant_failed` record named <name> in the trace. Returns the predicate's value.
template <class Pred>
bool invariant(std::string_view name, Pred&& predicate, std::source_location where = std::source_location::current()) {
  bool holds;
  if constexpr (std::is_invocable_v<Pred&>)
    holds = static_cast<bool>(predicate());
  else
    holds = static_cast<bool>(predicate);
  if (!holds) detail::emit_invariant_failed(name, where);
  return holds;
}

// A liveness monitor (as in Coyote): `hot` while something is owed (a request unanswered, a
// replica behind), `cold` once it is delivered. The invariant property flags a monitor that
// stays hot longer than `threshold` of virtual time, or is hot when the execution ends.
// Records `monitor_hot` / `monitor_cold` named <name> with value = threshold.
class Monitor {
 public:
  Monitor(std::string name, Nanos threshold) : name_(std::move(name)), threshold_(threshold) {}
  void hot(std::source_location where = std::source_location::current()) {
    if (hot_) return;
    hot_ = true;
    detail::emit_monitor(true, name_, threshold_, where);
  }
  void cold(std::source_location where = std::source_location::current()) {
    if (!hot_) return;
    hot_ = false;
    detail::emit_monitor(false, name_, threshold_, where);
  }
  bool is_hot() const noexcept { return hot_; }
  const std::string& name() const noexcept { return name_; }
  Nanos threshold() const noexcept { return threshold_; }

 private:
  std::string name_;
  Nanos threshold_;
  bool hot_ = false;
};

// A latency observation against a deadline (0 = Config::probe_deadline): a `probe` record
// that the starvation property checks.
inline void probe(std::string_view label, Nanos latency, Nanos deadline = 0,
                  std::source_location where = std::source_location::current()) {
  detail::emit_probe(label, latency, deadline, where);
}

}  // namespace weft
