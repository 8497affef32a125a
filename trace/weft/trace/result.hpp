// How one simulated execution ended: its Outcome, a one-line message, the virtual time and
// steps it took, who was still waiting, and the hash of its trace. The simulator fills it
// (weft/sim/sim.hpp); the properties and the reports read it beside the trace.
#pragma once

#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "weft/trace/event.hpp"
#include "weft/trace/trace.hpp"

namespace weft::trace {

enum class Outcome : std::uint8_t {
  completed,    // the body returned and the world settled
  deadlock,     // nothing can run, nothing is pending, and a thread still waits (block_on/join)
  step_limit,
  time_limit,
  task_limit,
  body_threw,   // the body let an exception escape
  aborted,      // the DecisionSource gave up (e.g. replay diverged)
  crashed,      // a virtual thread overflowed its stack (caught by its guard region)
};
const char* to_string(Outcome o) noexcept;

struct WaitInfo {
  ThreadIndex thread;
  std::string thread_name;
  WaitKind why;
  TaskId about;  // block_on: the task waited for
};

struct RunResult {
  Outcome outcome = Outcome::completed;
  std::string message;             // one line
  Nanos end_time = 0;
  std::uint64_t steps = 0;
  std::vector<WaitInfo> waiting;   // who waits on what when it ended
  std::exception_ptr body_error;
  std::uint64_t trace_hash = 0;
};

}  // namespace weft::trace

namespace weft::sim {  // their names while they lived in weft::sim (see trace.hpp)
using trace::Outcome;
using trace::RunResult;
using trace::to_string;
using trace::WaitInfo;
}  // namespace weft::sim
