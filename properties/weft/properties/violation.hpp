// What a property reports. Kinds are an enum, each with its exit code and its name.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "weft/trace/event.hpp"

namespace weft {

enum class ViolationKind : std::uint8_t {
  none = 0,
  deadlock,
  starvation,
  lost_exception,
  hang,
  cancellation,
  misuse,
  invariant,
  crash,
  limit,           // a step / time / task limit was exceeded
  nondeterminism,  // replay diverged
};

enum class Severity : std::uint8_t { warning, error };

// "deadlock", "lost-exception", ... (the names the CLI and the catalogue use)
const char* to_string(ViolationKind k) noexcept;
bool parse_violation_kind(std::string_view s, ViolationKind& out) noexcept;

struct Violation {
  ViolationKind kind = ViolationKind::none;
  Severity severity = Severity::error;
  std::string message;                    // one line
  Nanos time = 0;                         // virtual time at which it was established
  std::vector<std::uint16_t> threads;     // virtual threads involved (in a cycle: in order)
  std::vector<TaskId> tasks;              // tasks involved (in a cycle: in order)
  std::vector<std::string> locations;     // "file:line" of spawn/await/block sites involved
  std::vector<std::uint32_t> records;     // trace record indices to highlight
  std::string detail;                     // multi-line explanation (who waits on what, ...)
  // kind + locations + shape; equal signatures = the same bug found twice.
  std::string signature() const;
};

}  // namespace weft
