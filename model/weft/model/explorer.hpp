// The explorer: runs a body under the simulator many times, driven by a strategy, checks
// every execution with the properties, and reports violations with their schedules.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "weft/model/schedule.hpp"
#include "weft/model/strategy.hpp"
#include "weft/properties/property.hpp"
#include "weft/sim/sim.hpp"

namespace weft::model {

using Body = std::function<void()>;
// Checks one execution; default: properties::check_all with the given config. In explore()
// the result's trace_hash is 0 (not computed) unless the execution is one the
// nondeterminism check replays or on_execution is set (and on_execution_hash):
// sim::SimPlatform::trace_hash().
using Checker = std::function<std::vector<Violation>(const sim::Trace&, const sim::RunResult&)>;

// What warnings (a redundant hop) do: `off` (not checked), `report` (kept as findings,
// after every error, without stopping the exploration: a warning never hides an error), or
// `error` (a warning counts as an error and stops it like one). Env WEFT_WARNINGS, CLI --warnings.
enum class Warnings : std::uint8_t { off, report, error };
const char* to_string(Warnings w) noexcept;
// "off" | "report" | "error"; false on anything else.
bool parse_warnings(std::string_view s, Warnings& out) noexcept;

struct ExploreOptions {
  std::string name;                 // scenario / test name (goes into schedules and reports)
  std::string strategy = "portfolio";  // a spec of strategy_usage(): "portfolio", "pct:3", "dfs:2", ...
  std::uint64_t seed = 0;
  std::uint64_t iterations = 1000;  // executions (dfs: upper bound)
  double time_budget_s = 0;         // wall-clock budget; 0 = none
  // The wall clock for the budget, supplied by the caller (tools/ passes steady_clock):
  // nothing in model/ reads a clock of its own. Without it the budget is ignored.
  std::function<double()> wall_seconds;
  bool stop_at_first = true;        // stop at the first error; else collect every distinct violation
  Warnings warnings = Warnings::report;
  bool shrink = true;               // shrink the first finding's schedule
  sim::Options sim;
  properties::Config properties;
  // Replay executions 1, k+1, 2k+1, ... (and every finding before it is reported) with the
  // heap shifted and compare the traces; 0 = off.
  std::uint64_t nondeterminism_check_every = 64;
  std::optional<Schedule> schedule;               // what strategy "replay" follows; "mutate": the prefix
  // Called after every execution of the strategy (not the nondeterminism check's replays),
  // before it is checked: the simulator (its trace and decisions), the result and what
  // produced it (Strategy::execution_name()). Campaigns read their feedback here.
  std::function<void(const sim::SimPlatform&, const sim::RunResult&, const std::string&)> on_execution;
  // Whether on_execution sees the result's trace_hash. Hashing reads every record: a
  // callback that reads only the trace, the decisions or the name (a campaign's) sets this
  // false and gets 0 there, at no cost per execution (it may still call
  // sim::SimPlatform::trace_hash() itself).
  bool on_execution_hash = true;
};

struct Finding {
  Violation violation;
  Schedule schedule;                // replays the violating execution exactly
  std::uint64_t execution = 0;      // 0-based index of the execution that found it
  std::uint64_t trace_hash = 0;
  sim::Trace trace;                 // of the (shrunk) execution
  sim::RunResult result;
};

struct ExploreReport {
  std::uint64_t executions = 0;
  std::uint64_t distinct_schedules = 0;
  std::optional<std::uint64_t> executions_to_first_bug;  // 1-based
  bool exhaustive = false;          // dfs or dpor finished the whole (reduced) space and left nothing out
  std::string coverage;             // dfs: what the search covered, and what it did not
  std::vector<Finding> findings;    // deduplicated by Violation::signature(); errors first
  std::uint64_t warnings = 0;       // warning occurrences seen (all executions, before deduplication)
  std::string summary;              // one line
  std::uint64_t steps = 0;          // over all executions
  std::uint64_t decisions = 0;      // over all executions
  std::uint64_t nondeterminism_checks = 0;
};

// Strategy specs, from one table: "portfolio" (the default: pct-await:3 and random taking
// turns), "random", "pct[:D]" and "pct-await[:D]" (default D = 3), "pos", "surw", "dfs[:B]"
// (default B = 2), "dpor[:B]", "replay" (needs a schedule), "mutate" (needs one: its
// decisions are the prefix kept, strategies/mutate.hpp). Throws std::invalid_argument with
// one line on an unknown spec.
std::unique_ptr<Strategy> make_strategy(const std::string& spec, std::uint64_t seed,
                                        const Schedule* schedule = nullptr);

// "1 execution", "2 executions": a count and its noun (`noun` singular, plural by "s").
std::string count_of(std::uint64_t n, const char* noun);

// "portfolio, random, pct[:D], ..." for usage texts.
std::string strategy_usage();
// "portfolio|random|pct[:D]|pos|surw|dfs[:B]|dpor[:B]": the searches (every strategy that
// needs no recorded schedule), for a synopsis.
std::string strategy_choices();
// Every strategy of the table, in its order: its spec ("pct[:D]"), its one line of help and
// whether it runs from a recorded schedule (replay, mutate) rather than searching.
struct StrategyHelp {
  std::string spec;
  std::string help;
  bool needs_schedule = false;
};
std::vector<StrategyHelp> strategy_help();
// Throws std::invalid_argument (one line) unless `spec` names a strategy of the table.
void validate_strategy(const std::string& spec);

// The Schedule of the execution `sim` just ran.
Schedule schedule_of(const sim::SimPlatform& sim, const ExploreOptions& options);

ExploreReport explore(const ExploreOptions& options, const Body& body, const Checker& checker = {});

struct ReplayResult {
  sim::RunResult result;
  std::vector<Violation> violations;
  sim::Trace trace;
  bool diverged = false;
  std::string divergence;           // "nondeterminism at step k: expected …, got …"
  // The decisions replayed exactly, but the trace differs from the one the schedule
  // recorded (Schedule::trace_hash/trace_records): the program read state outside the
  // simulator. `divergence` names the first differing record when the recorded trace is known.
  bool trace_only = false;
};

// Replays `schedule` strictly. Diverged when the program asks a different question, ends
// before the schedule's last decision, or (if the schedule recorded its trace) writes a
// different trace. `recorded`: the trace of the original execution, if at hand, to name the
// first record that differs.
ReplayResult replay(const Schedule& schedule, const Body& body, const Checker& checker = {},
                    const sim::Options& sim = {}, const sim::Trace* recorded = nullptr);

// Why a finished strict replay of `schedule` does not prove the same execution, if it does
// not: decisions left over, or a trace that differs from the recorded hash and length.
std::optional<std::string> replay_mismatch(const Schedule& schedule, std::size_t decisions_used,
                                           const sim::RunResult& result, const sim::Trace& trace,
                                           const sim::Trace* recorded = nullptr);

// Writes into `schedule` what the execution wrote: its trace hash and record count.
void stamp_trace(Schedule& schedule, const sim::RunResult& result, const sim::Trace& trace);

// Shrinks a failing schedule to fewer preemptions, fault firings and virtual time while a
// violation of the same kind still reproduces: first a bounded search for a schedule of
// at most 0, 1, 2, 3 preemptions (dpor:B and random B-switch samples, 4,000 runs in all),
// then edits (delta debugging over the preemptions told as switches), and when more than
// 4 are left a search at bounds between, halving toward the count (3,000 runs in all).
Schedule shrink(const Schedule& schedule, ViolationKind kind, const Body& body, const Checker& checker = {},
                const sim::Options& sim = {});

// Thread decisions of the schedule that switch away from a current thread that was still
// enabled (measured by replaying it).
std::size_t count_preemptions(const Schedule& schedule, const Body& body, const sim::Options& sim = {});

// The shape of a (shrunk) schedule: where the tasks its violation involves were preempted
// (the sites where they stood when another thread was run instead), as a sorted set, and
// the faults it fires ("fault:NAME"), joined by ", "; "none" when neither (the bug happens
// on the default schedule). The violation is the first that `checker` reports on the
// replay (pass a checker that keeps only the bug's signature). Preemptions of tasks it
// does not involve (other work that happened to interleave) are left out, and so is each
// involved preemption without which the violation still happens (tried one at a time, in
// order: an execution that met the same message twice, through two causes, keeps the
// last). Sites are those of the trace, as in signatures: a shape names no thread, task or
// step, so one bug reached by many paths has one shape, and one message with two causes two.
struct Shape {
  bool reproduced = false;  // the checker reported a violation on the replay
  std::string text;
  Schedule schedule;  // the schedule it describes (the input, less the preemptions left out)
};
Shape schedule_shape(const Schedule& schedule, const Body& body, const Checker& checker,
                     const sim::Options& sim = {});

}  // namespace weft::model
