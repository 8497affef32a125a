// A finding written down with its whole execution: the trace, every violation of that
// execution and the command that replays it. weft::check writes it as `finding.weft` beside
// the schedule, so that `weft render` can draw, and `weft replay` explain, a finding of a body
// that is not in the weft binary (a user's own test): the body cannot run there, its
// recorded trace can be drawn.
//
//   weft-finding 2
//   trace-schema 2                 (trace::kTraceSchema of the records below)
//   name "orders"
//   replay "WEFT_REPLAY=weft-out/orders/schedule.weft ./tests"
//   trace-hash 0123456789abcdef
//   end-time 2000000
//   violation <kind> <severity> <time> "<message>" "<detail>"
//   violation-threads <n>...       (each list line belongs to the violation above it)
//   violation-tasks <n>...
//   violation-locations "<file:line>"...
//   violation-records <n>...
//   string "<text>"                 (Trace::strings[1..])
//   site "<file>" <line>            (Trace::sites[1..])
//   thread "<name>" <executor>
//   task <id> <parent> <site> <executor> <stable_key> <detached 0|1>
//   executor <id> "<name>"
//   record <time> <step> <thread> <kind> <task> <other> <object> <value> <site> <text>
//
// Strings are quoted with the escapes \\ \" \n \r \t \xHH; event kinds are EventKind's
// numeric values (appended, never renumbered). Version 1 (written before the trace schema was
// numbered) has no trace-schema line and is read as schema 1; version 2 must have it, right
// after the header, and a schema newer than this build's is refused in one line. A trace of
// schema 1 is read as schema 2: its thread_start records get the executor their thread
// serves from the `thread` lines (object, other = 1), which is all schema 1 wrote down (a
// helper thread's attachment was not kept). Parsing never throws on bad input: it returns
// one line of error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "weft/properties/violation.hpp"
#include "weft/trace/trace.hpp"

namespace weft::model {

struct RecordedFinding {
  std::string name;            // the check's name (the schedule's scenario)
  std::string replay_command;  // a shell line that replays it through the test binary
  std::uint64_t trace_hash = 0;
  Nanos end_time = 0;
  std::vector<Violation> violations;  // of this execution, the one the schedule was shrunk for first
  sim::Trace trace;
};

std::string to_finding_file(const RecordedFinding& finding);
// On failure: nullopt and `error` = one line ("finding file line N: ...").
std::optional<RecordedFinding> parse_finding_file(std::string_view text, std::string& error);

}  // namespace weft::model
