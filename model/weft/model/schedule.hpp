#pragma once

// A schedule is one execution written down as data: the seed, the strategy that produced
// it and every nondeterministic decision taken (which thread ran, what a random draw
// returned, whether a fault fired). Replaying the decisions reproduces the execution.
//
// Two serialised forms, both lossless for every Schedule that passes validate():
//
//  * token -- one line of [A-Za-z0-9_.-] for a command line or a bug report:
//      token    := "w1." payload "." checksum     (no trace recorded: trace_records == 0)
//                | "w2." payload2 "." checksum    (with the execution's trace)
//      payload  := base64url, unpadded, canonical, of:
//                  str(scenario) str(strategy) uleb(seed) str(granularity)
//                  str(weft_version) uleb(count) decision{count}
//      payload2 := payload's bytes, then uleb(trace_records) uleb(trace_hash)
//      str      := uleb(byte length) bytes
//      decision := uleb(value << 3 | has_key << 2 | kind) [uleb(key) if has_key]
//                  (a 67-bit uleb; has_key is set iff key != 0; kind 3 is invalid)
//      checksum := 8 lowercase hex digits, FNV-1a 32 of the decoded payload bytes
//    Parsing is strict and canonical: a token parses only if to_token() of the result
//    gives back the very same string.
//
//  * file -- versioned text meant to be read, diffed and hand-edited:
//      weft-schedule 1
//      scenario: "lost wakeup"
//      strategy: pct:3
//      seed: 42
//      granularity: coarse
//      weft-version: 0.1.0
//      decisions: 5
//      t0 t1@7 r123456789 f1 t2
//    Version 2 (written when the schedule carries its trace) has two more lines before
//    "decisions:" (the hash covers the fields of trace schema 1, trace::kTraceHashSchema;
//    a schema that changes what is hashed comes with a new version):
//      trace: 2f0c9a7d31e4b8a0 records 214
//      checksum: 1a2b3c4d
//    The checksum is the token's (FNV-1a 32 of the w2 payload bytes): a file whose checksum
//    does not match is refused as corrupt. A hand-edited schedule is replayed once its
//    checksum line is deleted (the line is optional; the trace line is then not checked
//    against the edit).
//    String values are bare when they match [A-Za-z0-9._:/+@=,-]+, otherwise in double
//    quotes with escapes \\ \" \n \r \t \xHH (well-formed UTF-8 stays readable).
//    Decisions: t<thread>[@<key>], r<value>, f0 | f1; 16 per line, separated by spaces.
//
// Parse functions never throw (other than std::bad_alloc), never abort, and allocate at
// most in proportion to their input; every failure is one line of text.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace weft::model {

enum class DecisionKind : std::uint8_t { thread = 0, random = 1, fault = 2 };

struct Decision {
  DecisionKind kind = DecisionKind::thread;
  // thread: stable id of the chosen virtual thread (not its position in a run queue);
  // random: the drawn value; fault: 1 if the fault fired, else 0.
  std::uint64_t value = 0;
  // thread only: stable id of the task the chosen thread was about to run (0 = unknown).
  // Replay uses it solely to explain a divergence.
  std::uint32_t key = 0;
  friend bool operator==(const Decision&, const Decision&) = default;
};

struct Schedule {
  std::string scenario;  // any bytes
  std::string strategy;  // e.g. "random", "pct:3", "dfs:2"
  std::uint64_t seed = 0;
  std::string granularity = "coarse";  // "coarse" | "fine"
  std::string weft_version;            // e.g. "0.1.0"
  std::vector<Decision> decisions;
  // What the execution wrote (sim::RunResult::trace_hash and the number of trace records),
  // so that a replay can prove it reproduced the same execution, not only the same
  // decisions. trace_records == 0: not recorded (tokens w1, files version 1, hand-written).
  std::uint64_t trace_hash = 0;
  std::uint64_t trace_records = 0;
  friend bool operator==(const Schedule&, const Schedule&) = default;
};

// One line, no '\n', starting with "schedule token: ", "schedule file line N: " or
// "schedule: ".
struct ParseError {
  std::string message;
};

// The result of a parse: a Schedule or a ParseError. value() on an error (or error()
// on a success) throws std::bad_variant_access.
class Parsed {
 public:
  Parsed(Schedule schedule) : state_(std::move(schedule)) {}  // NOLINT: implicit by design
  Parsed(ParseError error) : state_(std::move(error)) {}      // NOLINT: implicit by design

  bool ok() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  const Schedule& value() const& { return std::get<Schedule>(state_); }
  Schedule&& value() && { return std::get<Schedule>(std::move(state_)); }
  const ParseError& error() const& { return std::get<ParseError>(state_); }

 private:
  std::variant<Schedule, ParseError> state_;
};

// Parsers refuse to announce more decisions than this, so garbage cannot ask for a huge
// allocation; they also never reserve more than the remaining input could hold.
inline constexpr std::uint64_t decision_count_max = 100'000'000;

// The invariants the parsers enforce: granularity is "coarse" or "fine", a fault value
// is 0 or 1, only thread decisions carry a key. Returns the first violation, if any.
// to_token() and to_file() write any Schedule, but only valid ones parse back.
std::optional<std::string> validate(const Schedule& schedule);

std::string to_token(const Schedule& schedule);
Parsed parse_token(std::string_view text);

std::string to_file(const Schedule& schedule);
Parsed parse_file(std::string_view text);

// Ignores surrounding ASCII whitespace (as left by copy and paste or a trailing
// newline), then parses a token if the text starts with "w<digit>", else a file.
Parsed parse_token_or_file(std::string_view text);

}  // namespace weft::model
