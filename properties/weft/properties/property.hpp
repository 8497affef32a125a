// A property is a check over one execution: its trace and how it ended. One per file,
// behind this small interface. A property is general: it never knows a scenario's name.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "weft/properties/violation.hpp"
#include "weft/trace/result.hpp"
#include "weft/trace/trace.hpp"
#include "weft/properties/index.hpp"

namespace weft::properties {

class Property;

// Thresholds, all in virtual time. Defaults suit request/response services.
struct Config {
  Nanos queue_wait_max = 1_s;            // a ready task waiting in a queue longer than this starves
  Nanos all_workers_blocked_max = 1_s;   // every worker of a pool in blocking work this long
  Nanos probe_deadline = 0;              // latency probes: default deadline when a probe gives none
  Nanos cancel_grace = 100_ms;           // work of a cancelled operation running past this
  bool report_warnings = true;           // misuse warnings (redundant hop)
  // The user's own properties, checked after the built-in ones on every execution (by
  // check_all, so by weft::check and model::explore too).
  std::vector<std::shared_ptr<const Property>> extra;
};

// One execution, as every property sees it: its trace, how it ended, the thresholds, and
// the index of its trace that all properties share (built once per execution).
struct Execution {
  const trace::Trace& trace;
  const trace::RunResult& result;
  const Config& config;
  const TraceIndex& index;
};

// What can make a property find something, as a test check_all makes before asking it:
// a record of one of `kinds` (bit k: EventKind k), an outcome among `outcomes` (bit o:
// Outcome o), or (`tasks`) any task in Trace::tasks. A property whose triggers are all
// absent from an execution finds nothing in it, so it is not asked: an execution that
// ends cleanly with only thread and lock records costs the properties one test. The
// default is every execution.
struct Triggers {
  std::uint64_t kinds = ~std::uint64_t(0);
  std::uint32_t outcomes = ~std::uint32_t(0);
  bool tasks = true;

  static constexpr std::uint64_t kind(EventKind k) noexcept { return std::uint64_t(1) << unsigned(k); }
  static constexpr std::uint32_t outcome(trace::Outcome o) noexcept { return std::uint32_t(1) << unsigned(o); }
  // Some trigger is present: among the record kinds `present` (bit per kind), the outcome
  // `o`, and whether the trace has tasks.
  bool fire(std::uint64_t present, trace::Outcome o, bool has_tasks) const noexcept {
    return (kinds & present) != 0 || (outcomes & outcome(o)) != 0 || (tasks && has_tasks);
  }
  // Some trigger is present in the execution `index` and `result` describe.
  bool fire(const TraceIndex& index, const trace::RunResult& result) const noexcept {
    return fire(index.kinds(), result.outcome, !index.trace().tasks.empty());
  }
};

class Property {
 public:
  virtual ~Property() = default;
  virtual const char* name() const noexcept = 0;
  // What it reacts to (see Triggers); check() is called only when one of them is present.
  virtual Triggers triggers() const noexcept { return {}; }
  // Appends what it finds to `out`. Stateless: everything it needs comes from `e` (the
  // index holds what several properties share), so one instance serves every execution and
  // every thread.
  virtual void check(const Execution& e, std::vector<Violation>& out) const = 0;
};

// Every built-in property.
std::vector<std::unique_ptr<Property>> default_properties();

// A user invariant, checked at every scheduling point or at chosen points (see invariant.hpp).
// Runs every default property (and the invariants registered in this execution), most
// severe first: errors before warnings, then by kind.
std::vector<Violation> check_all(const trace::Trace& trace, const trace::RunResult& result, const Config& config = {});

}  // namespace weft::properties
