// A property is a check over one execution: its trace and how it ended. One per file,
// behind this small interface. A property is general: it never knows a scenario's name.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "weft/properties/violation.hpp"
#include "weft/trace/result.hpp"
#include "weft/trace/trace.hpp"

namespace weft::properties {

// Thresholds, all in virtual time. Defaults suit request/response services.
struct Config {
  Nanos queue_wait_max = 1_s;            // a ready task waiting in a queue longer than this starves
  Nanos all_workers_blocked_max = 1_s;   // every worker of a pool in blocking work this long
  Nanos probe_deadline = 0;              // latency probes: default deadline when a probe gives none
  Nanos cancel_grace = 100_ms;           // work of a cancelled operation running past this
  bool report_warnings = true;           // misuse warnings (redundant hop)
};

struct Execution {
  const sim::Trace& trace;
  const sim::RunResult& result;
  const Config& config;
};

class Property {
 public:
  virtual ~Property() = default;
  virtual const char* name() const noexcept = 0;
  // Appends what it finds to `out`.
  virtual void check(const Execution& e, std::vector<Violation>& out) = 0;
};

// Every built-in property.
std::vector<std::unique_ptr<Property>> default_properties();

// A user invariant, checked at every scheduling point or at chosen points (see invariant.hpp).
// Runs every default property (and the invariants registered in this execution), most
// severe first: errors before warnings, then by kind.
std::vector<Violation> check_all(const sim::Trace& trace, const sim::RunResult& result, const Config& config = {});

}  // namespace weft::properties
