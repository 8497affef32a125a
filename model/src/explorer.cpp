#include "weft/model/explorer.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

#include "weft/model/strategies/dfs.hpp"
#include "weft/model/strategies/dpor.hpp"
#include "weft/model/strategies/mutate.hpp"
#include "weft/trace/compare.hpp"
#include "weft/model/strategies/pct.hpp"
#include "weft/model/strategies/portfolio.hpp"
#include "weft/model/strategies/pos.hpp"
#include "weft/model/strategies/surw.hpp"
#include "weft/model/strategies/random.hpp"
#include "weft/model/strategies/replay.hpp"
#include "weft/model/wrappers/metrics.hpp"
#include "weft/model/wrappers/nondeterminism.hpp"
#include "weft/version.hpp"

namespace weft::model {

namespace {

constexpr const char* weft_version = WEFT_VERSION_STRING;

Checker default_checker(const properties::Config& config) {
  return [config](const sim::Trace& trace, const sim::RunResult& result) {
    return properties::check_all(trace, result, config);
  };
}

std::uint32_t parse_parameter(const std::string& spec, std::size_t colon, std::uint32_t fallback) {
  if (colon == std::string::npos) return fallback;
  std::string digits = spec.substr(colon + 1);
  if (digits.empty() || digits.size() > 6 || !std::all_of(digits.begin(), digits.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
    throw std::invalid_argument("bad strategy \"" + spec + "\": expected a number after ':'");
  return std::uint32_t(std::stoul(digits));
}

// A replay or re-run that did not reproduce what it replays (message: one line).
Violation divergence_violation(std::string message, const sim::RunResult& r) {
  Violation v;
  v.kind = ViolationKind::nondeterminism;
  v.message = std::move(message);
  v.time = r.end_time;
  return v;
}

// A virtual thread overflowed its stack: the simulator caught it on the guard region.
Violation crash_violation(const sim::RunResult& r) {
  Violation v;
  v.kind = ViolationKind::crash;
  v.message = r.message;
  v.time = r.end_time;
  return v;
}

std::vector<Violation> errors_of(const Checker& checker, const sim::Trace& trace, const sim::RunResult& r) {
  std::vector<Violation> all = checker(trace, r);
  if (r.outcome == sim::Outcome::aborted) all.push_back(divergence_violation(r.message, r));
  if (r.outcome == sim::Outcome::crashed) all.push_back(crash_violation(r));
  if (all.empty()) return all;  // the common case: nothing to sort
  // The checker decides what counts (properties::Config::report_warnings switches warnings
  // such as a redundant hop on or off); errors come first.
  std::vector<Violation> found;
  for (auto& v : all)
    if (v.kind != ViolationKind::none) found.push_back(std::move(v));
  std::stable_partition(found.begin(), found.end(), [](const Violation& v) { return v.severity == Severity::error; });
  return found;
}

std::string hex64(std::uint64_t v) {
  static const char digits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) out[static_cast<std::size_t>(i)] = digits[v & 15];
  return out;
}

std::string describe_record(const sim::Trace& t, const sim::TraceRecord& r) {
  std::string s = std::string(to_string(r.kind)) + " (step " + std::to_string(r.step) + ", task " +
                  std::to_string(r.task);
  if (r.object) s += ", object " + std::to_string(r.object);
  if (r.value) s += ", value " + std::to_string(r.value);
  if (r.site) s += ", at " + t.site(r).str();
  std::string_view text = t.text(r);
  if (!text.empty()) s += ", \"" + std::string(text.substr(0, 60)) + (text.size() > 60 ? "…" : "") + "\"";
  return s + ")";
}

}  // namespace

void stamp_trace(Schedule& schedule, const sim::RunResult& result, const sim::Trace& trace) {
  schedule.trace_records = trace.records.size();
  schedule.trace_hash = trace.records.empty() ? 0 : result.trace_hash;
}

std::optional<std::string> replay_mismatch(const Schedule& schedule, std::size_t used, const sim::RunResult& result,
                                           const sim::Trace& trace, const sim::Trace* recorded) {
  const std::size_t n = schedule.decisions.size();
  if (used < n)
    return "nondeterminism at step " + std::to_string(used) + ": the execution ended after " + std::to_string(used) +
           " of the schedule's " + std::to_string(n) + " decisions";
  if (schedule.trace_records == 0) return std::nullopt;
  if (trace.records.size() == schedule.trace_records && result.trace_hash == schedule.trace_hash) return std::nullopt;
  std::string where;
  if (recorded) {
    const auto& was = recorded->records;
    const auto& now = trace.records;
    const std::size_t i = trace::first_difference(*recorded, trace);
    where = " at record " + std::to_string(i) + ": recorded " +
            (i < was.size() ? describe_record(*recorded, was[i]) : std::string("the end of the trace")) + ", now " +
            (i < now.size() ? describe_record(trace, now[i]) : std::string("the end of the trace"));
  }
  return "nondeterminism: the same " + std::to_string(n) + " decisions gave a different trace" + where + " (" +
         std::to_string(trace.records.size()) + " records, hash " + hex64(result.trace_hash) + "; recorded " +
         std::to_string(schedule.trace_records) + " records, hash " + hex64(schedule.trace_hash) +
         "): the program reads state outside the simulator (the clock, a random device, a heap address, a global)";
}

std::string count_of(std::uint64_t n, const char* noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

const char* to_string(Warnings w) noexcept {
  switch (w) {
    case Warnings::off: return "off";
    case Warnings::report: return "report";
    case Warnings::error: return "error";
  }
  return "?";
}

bool parse_warnings(std::string_view s, Warnings& out) noexcept {
  for (Warnings w : {Warnings::off, Warnings::report, Warnings::error})
    if (s == to_string(w)) {
      out = w;
      return true;
    }
  return false;
}

namespace {

// The one table of strategies: make_strategy, validate_strategy, every usage text, the
// CLI's synopsis (strategy_choices()) and its help (strategy_help()) read it; adding a
// strategy is adding a row.
struct StrategyEntry {
  const char* kind;
  const char* parameter;            // the letter after ':' ("" = takes none)
  std::uint32_t default_parameter;
  const char* schedule;             // runs from a recorded schedule (what it is, for the error
                                    // without one): not a search of its own; "" = needs none
  std::unique_ptr<Strategy> (*make)(std::uint32_t parameter, std::uint64_t seed, const Schedule& schedule);
  const char* help;                 // one line: what it does, what its parameter means
};
// The factory of a strategy made from its seed alone.
template <class S>
std::unique_ptr<Strategy> seeded(std::uint32_t, std::uint64_t seed, const Schedule&) {
  return std::make_unique<S>(seed);
}
// PCT at depth D (the constructor takes 0 as 1), plain or in the await mode.
template <bool Await>
std::unique_ptr<Strategy> pct(std::uint32_t depth, std::uint64_t seed, const Schedule&) {
  return std::make_unique<PctStrategy>(seed, depth, 8, Await);
}
constexpr StrategyEntry strategy_table[] = {
    {"portfolio", "", 0, "", seeded<PortfolioStrategy>,
     "the default: pct-await:3 and random taking turns, more turns for the one finding new interleavings"},
    {"random", "", 0, "", seeded<RandomStrategy>,
     "a random walk: every decision uniform"},
    {"pct", "D", 3, "",
     pct<false>,
     "PCT: random thread priorities, D-1 random change points lower the running thread (bug depth D)"},
    {"pct-await", "D", 3, "",
     pct<true>,
     "PCT where a thread whose task awaited or finished gives way to threads that have not run yet"},
    {"pos", "", 0, "", seeded<PosStrategy>,
     "partial order sampling: random priorities, redrawn for the steps that race with the one just run"},
    {"surw", "", 0, "", seeded<SurwStrategy>,
     "selectively uniform random walk: threads weighted by the steps on a chosen object they have left"},
    {"dfs", "B", 2, "",
     [](std::uint32_t bound, std::uint64_t, const Schedule&) -> std::unique_ptr<Strategy> {
       return std::make_unique<DfsStrategy>(bound);
     },
     "every schedule with at most B preemptions, depth first, sleep sets prune equivalent ones"},
    {"dpor", "B", DporStrategy::unbounded, "",
     [](std::uint32_t bound, std::uint64_t, const Schedule&) -> std::unique_ptr<Strategy> {
       return std::make_unique<DporStrategy>(bound);
     },
     "exhaustive: branches only where an execution had a race (at most B preemptions; unbounded by default)"},
    {"replay", "", 0, "WEFT_REPLAY=<token or file>",
     [](std::uint32_t, std::uint64_t, const Schedule& s) -> std::unique_ptr<Strategy> {
       return std::make_unique<ReplayStrategy>(s);
     },
     "re-runs a recorded schedule exactly; stops at the first decision the program asks differently"},
    {"mutate", "", 0, "the prefix to keep",
     [](std::uint32_t, std::uint64_t seed, const Schedule& s) -> std::unique_ptr<Strategy> {
       return std::make_unique<MutateStrategy>(s.decisions, seed);
     },
     "keeps a recorded schedule as a prefix and draws the rest afresh (weft fuzz's feedback)"},
};

std::string spec_usage(const StrategyEntry& e) {
  return *e.parameter ? std::string(e.kind) + "[:" + e.parameter + "]" : std::string(e.kind);
}

const StrategyEntry& parse_spec(const std::string& spec, std::uint32_t& parameter) {
  std::size_t colon = spec.find(':');
  std::string kind = spec.substr(0, colon);
  for (const StrategyEntry& e : strategy_table) {
    if (kind != e.kind) continue;
    if (colon != std::string::npos && !*e.parameter)
      throw std::invalid_argument("bad strategy \"" + spec + "\": " + e.kind + " takes no parameter");
    parameter = parse_parameter(spec, colon, e.default_parameter);
    return e;
  }
  throw std::invalid_argument("unknown strategy \"" + spec + "\": expected " + strategy_usage());
}

}  // namespace

std::string strategy_usage() {
  std::string out;
  const std::size_t n = std::size(strategy_table);
  for (std::size_t i = 0; i < n; ++i) {
    if (i) out += i + 1 == n ? " or " : ", ";
    out += spec_usage(strategy_table[i]);
  }
  return out;
}

std::vector<StrategyHelp> strategy_help() {
  std::vector<StrategyHelp> out;
  for (const StrategyEntry& e : strategy_table) out.push_back({spec_usage(e), e.help, *e.schedule != 0});
  return out;
}

std::string strategy_choices() {
  std::string out;
  for (const StrategyEntry& e : strategy_table)
    if (!*e.schedule) out += (out.empty() ? "" : "|") + spec_usage(e);
  return out;
}

void validate_strategy(const std::string& spec) {
  std::uint32_t parameter = 0;
  parse_spec(spec, parameter);
}

std::unique_ptr<Strategy> make_strategy(const std::string& spec, std::uint64_t seed, const Schedule* schedule) {
  std::uint32_t parameter = 0;
  const StrategyEntry& e = parse_spec(spec, parameter);
  static const Schedule none;
  if (*e.schedule && !schedule)
    throw std::invalid_argument(std::string("strategy \"") + e.kind + "\" needs a schedule (" + e.schedule + ")");
  return e.make(parameter, seed, schedule ? *schedule : none);
}

Schedule schedule_of(const sim::SimPlatform& sim, const ExploreOptions& options) {
  Schedule s;
  s.scenario = options.name;
  s.strategy = options.strategy;
  s.seed = options.seed;
  s.granularity = sim.options().granularity == sim::Granularity::fine ? "fine" : "coarse";
  s.weft_version = weft_version;
  s.decisions.reserve(sim.decisions().size());
  for (const sim::RecordedDecision& d : sim.decisions())
    s.decisions.push_back(Decision{DecisionKind(d.kind), d.value, d.kind == sim::RecordedKind::thread ? d.key : 0u});
  return s;
}

ExploreReport explore(const ExploreOptions& options, const Body& body, const Checker& checker_in) {
  properties::Config config = options.properties;
  config.report_warnings = config.report_warnings && options.warnings != Warnings::off;
  const Checker checker = checker_in ? checker_in : default_checker(config);
  // The trace hash is computed only for the executions that need it (below): it reads
  // every record, which would cost more than the rest of a short execution's checks.
  sim::Options sim_options = options.sim;
  sim_options.hash_trace = false;
  sim::SimPlatform sim(sim_options);
  // The strategy, counted by the metrics wrapper and checked by the nondeterminism wrapper;
  // from here on asked only through the Strategy interface.
  std::unique_ptr<Strategy> inner =
      make_strategy(options.strategy, options.seed, options.schedule ? &*options.schedule : nullptr);
  MetricsStrategy metrics(*inner);
  NondeterminismCheck strategy(metrics, options.nondeterminism_check_every);

  ExploreReport report;
  std::set<std::string> signatures;
  const double deadline =
      options.time_budget_s > 0 && options.wall_seconds ? options.wall_seconds() + options.time_budget_s : 0;

  // Re-runs (the nondeterminism check's replays) run with the heap shifted (sim::Options::shift_heap).
  bool shifted = false;
  auto shift_heap = [&](bool on) {
    if (on == shifted) return;
    sim.set_shift_heap(on);
    shifted = on;
  };
  // Before a finding is reported, its schedule is replayed once with the heap shifted. A
  // finding whose decisions do not replay is reported as the nondeterminism it is; one that
  // replays with another trace stays, followed by a nondeterminism finding (returned).
  auto confirm = [&](Violation& v, const Schedule& schedule, const sim::RunResult& r) -> std::optional<Violation> {
    if (!options.nondeterminism_check_every || v.kind == ViolationKind::nondeterminism) return std::nullopt;
    sim::Options o = options.sim;
    o.shift_heap = true;
    ReplayResult rr = replay(schedule, body, checker, o, &sim.trace());
    if (!rr.diverged) return std::nullopt;
    Violation nd;
    nd.kind = ViolationKind::nondeterminism;
    nd.message = rr.divergence + "; seen while confirming " + to_string(v.kind) + ": " + v.message;
    nd.time = r.end_time;
    if (rr.trace_only) return nd;
    v = std::move(nd);
    return std::nullopt;
  };

  bool stop = false;
  auto add = [&](Violation v, Schedule schedule, const sim::RunResult& r) {
    if (v.severity == Severity::warning) {
      if (options.warnings == Warnings::off) return;
      ++report.warnings;
      if (options.warnings == Warnings::error) stop = true;
    } else {
      stop = true;
    }
    if (!signatures.insert(v.signature()).second) return;
    std::optional<Violation> also;
    if (v.kind != ViolationKind::nondeterminism) {
      stamp_trace(schedule, r, sim.trace());
      also = confirm(v, schedule, r);
    }
    Finding f;
    f.violation = std::move(v);
    f.schedule = std::move(schedule);
    f.execution = report.executions ? report.executions - 1 : 0;
    f.trace_hash = r.trace_hash;
    f.trace = sim.trace();
    f.result = r;
    report.findings.push_back(f);
    if (also && signatures.insert(also->signature()).second) {
      f.violation = std::move(*also);
      report.findings.push_back(std::move(f));
    }
  };

  // A re-run due after the last execution still runs (a run of one execution is checked).
  for (std::uint64_t index = 0; report.executions < options.iterations || strategy.rerun_pending(); ++index) {
    if (!strategy.begin_execution(index)) break;
    const std::vector<Decision>* rerun = strategy.rerun();
    shift_heap(rerun != nullptr);
    sim::RunResult r = sim.run(body, strategy.source());
    // Hashed: what the strategy reads (a replayed schedule's recorded hash), what
    // on_execution sees, and (below) every execution with a finding; an empty trace costs
    // nothing to hash. (The nondeterminism check compares a re-run's trace with the one it
    // replays by content: it needs no hash.)
    if (strategy.needs_trace_hash() || (options.on_execution && options.on_execution_hash) ||
        sim.trace().records.empty())
      r.trace_hash = sim.trace_hash();
    const Execution execution{r, sim.trace(), sim.decisions()};
    strategy.end_execution(execution);
    // What the strategy found itself: a replayed schedule (strategy "replay") that did not
    // end where it ended or write the trace it recorded, a re-run that diverged.
    std::optional<std::string> diverged = strategy.divergence(execution);
    if (rerun) {
      ++report.nondeterminism_checks;
      if (diverged) {
        r.trace_hash = sim.trace_hash();
        Schedule s = schedule_of(sim, options);
        s.decisions = *rerun;
        add(divergence_violation(std::move(*diverged), r), std::move(s), r);
      }
    } else {
      ++report.executions;
      if (options.on_execution) options.on_execution(sim, r, strategy.execution_name());
      std::vector<Violation> found = errors_of(checker, sim.trace(), r);
      if (diverged) found.insert(found.begin(), divergence_violation(std::move(*diverged), r));
      if (!found.empty()) r.trace_hash = sim.trace_hash();
      for (Violation& v : found) {
        Schedule s = schedule_of(sim, options);
        s.strategy = strategy.execution_name();
        add(std::move(v), std::move(s), r);
      }
    }
    if (options.stop_at_first && stop) break;
    if (deadline > 0 && options.wall_seconds() > deadline) break;
  }

  // Errors first (a warning found earlier never stands in front of an error); the first
  // bug is the first error, or the first warning when there is no error.
  std::stable_partition(report.findings.begin(), report.findings.end(),
                        [](const Finding& f) { return f.violation.severity == Severity::error; });
  if (!report.findings.empty()) {
    Severity first = report.findings.front().violation.severity;
    for (const Finding& f : report.findings)
      if (f.violation.severity == first)
        report.executions_to_first_bug = std::min(report.executions_to_first_bug.value_or(UINT64_MAX), f.execution + 1);
  }

  report.exhaustive = strategy.exhaustive();
  const std::string covered = strategy.coverage();
  if (!covered.empty()) report.coverage = (strategy.finished() ? "finished: " : "stopped early: ") + covered;
  report.distinct_schedules = metrics.metrics().distinct_schedules;
  report.steps = metrics.metrics().steps;
  report.decisions = metrics.metrics().decisions;

  if (options.shrink && !report.findings.empty() &&
      report.findings.front().violation.kind != ViolationKind::nondeterminism) {
    Finding& f = report.findings.front();
    Schedule shrunk = shrink(f.schedule, f.violation.kind, body, checker, options.sim);
    if (shrunk.decisions != f.schedule.decisions) {
      ReplayResult rr = replay(shrunk, body, checker, options.sim);
      auto same = std::find_if(rr.violations.begin(), rr.violations.end(),
                               [&](const Violation& v) { return v.kind == f.violation.kind; });
      if (!rr.diverged && same != rr.violations.end()) {
        f.violation = *same;
        f.schedule = std::move(shrunk);
        f.trace = std::move(rr.trace);
        f.result = rr.result;
        f.trace_hash = rr.result.trace_hash;
        stamp_trace(f.schedule, rr.result, f.trace);
      }
    }
  }

  std::string name = options.name.empty() ? "" : options.name + ": ";
  if (report.findings.empty()) {
    if (report.exhaustive)
      report.summary = name + "exhaustive: " + std::to_string(report.executions) + " schedules, no violation (" +
                       report.coverage + ")";
    else if (!covered.empty() && strategy.finished())
      report.summary = name + "dfs " + report.coverage + "; " + std::to_string(report.executions) +
                       " schedules, no violation";
    else
      report.summary = name + std::to_string(report.executions) + " executions (" +
                       std::to_string(report.distinct_schedules) + " distinct schedules), no violation";
  } else {
    const Finding& f = report.findings.front();
    report.summary = name + to_string(f.violation.kind) + ": " + f.violation.message + " (found after " +
                     count_of(*report.executions_to_first_bug, "execution") +
                     (f.schedule.strategy != options.strategy ? ", by " + f.schedule.strategy : std::string()) + ")";
  }
  if (report.warnings)
    report.summary += "; " + std::to_string(report.warnings) + " warning(s) seen (warnings: " +
                      to_string(options.warnings) + ")";
  return report;
}

ReplayResult replay(const Schedule& schedule, const Body& body, const Checker& checker_in, const sim::Options& options,
                    const sim::Trace* recorded) {
  const Checker checker = checker_in ? checker_in : default_checker({});
  sim::Options o = options;
  if (schedule.granularity == "fine") o.granularity = sim::Granularity::fine;
  if (schedule.granularity == "coarse") o.granularity = sim::Granularity::coarse;
  sim::SimPlatform sim(o);
  ReplayStrategy strategy(schedule);
  strategy.begin_execution(0);
  ReplayResult out;
  out.result = sim.run(body, strategy);
  strategy.end_execution(Execution{out.result, sim.trace(), sim.decisions()});
  out.trace = sim.trace();
  out.violations = errors_of(checker, out.trace, out.result);
  if (out.result.outcome == sim::Outcome::aborted) {
    out.diverged = true;
    out.divergence = out.result.message;
  } else if (auto why = replay_mismatch(schedule, strategy.position(), out.result, out.trace, recorded)) {
    out.diverged = true;
    out.trace_only = strategy.position() == schedule.decisions.size();
    out.divergence = std::move(*why);
  }
  return out;
}

namespace {

// Runs `candidate` leniently; on success `best` becomes the decisions actually taken (a
// schedule that replays strictly) and `preemptions`/`currents` describe them.
struct LenientRunner {
  const Body& body;
  const Checker& checker;
  ViolationKind kind;
  sim::SimPlatform sim;
  std::uint64_t runs = 0;

  bool reproduces(const Schedule& candidate, Schedule& best, std::vector<bool>& preemptions,
                  std::vector<sim::ThreadIndex>& currents) {
    ++runs;
    ReplayStrategy strategy(candidate, ReplayStrategy::Mode::lenient);
    strategy.begin_execution(0);
    sim::RunResult r = sim.run(body, strategy);
    std::vector<Violation> vs = errors_of(checker, sim.trace(), r);
    if (std::none_of(vs.begin(), vs.end(), [&](const Violation& v) { return v.kind == kind; })) return false;
    Schedule actual = candidate;
    actual.decisions.clear();
    for (const sim::RecordedDecision& d : sim.decisions())
      actual.decisions.push_back(Decision{DecisionKind(d.kind), d.value, d.kind == sim::RecordedKind::thread ? d.key : 0u});
    best = std::move(actual);
    preemptions = strategy.preemptions();
    currents = strategy.currents();
    return true;
  }
};

// Samples schedules of at most `bound` preemptions: `bound` choice points drawn among the
// first `points` (the length of the schedule being shrunk) switch to a random other
// enabled thread; everywhere else the current thread goes on, or, when it blocked, a
// random enabled one takes over (free: not a preemption). Random draws return 0 and
// faults never fire, as in dpor. Deterministic: seeded by (bound, index).
class BoundedSampler final : public sim::DecisionSource {
 public:
  BoundedSampler(std::size_t bound, std::uint64_t points, std::uint64_t index)
      : rng_(mix_seed(0x5eed0000u + bound, index)) {
    for (std::size_t i = 0; i < bound; ++i) at_.push_back(rng_.random(std::max<std::uint64_t>(points, 1)));
    std::sort(at_.begin(), at_.end());
  }
  std::size_t choose(const sim::Choice& c) override {
    std::uint64_t here = step_++;
    auto current = std::lower_bound(c.enabled.begin(), c.enabled.end(), c.current);
    bool can_stay = c.current_enabled && current != c.enabled.end() && *current == c.current;
    bool switch_here = next_ < at_.size() && at_[next_] <= here;
    while (next_ < at_.size() && at_[next_] <= here) ++next_;
    if (!can_stay) return std::size_t(rng_.random(c.enabled.size()));
    std::size_t stay = std::size_t(current - c.enabled.begin());
    if (!switch_here) return stay;
    std::size_t other = std::size_t(rng_.random(c.enabled.size() - 1));
    return other < stay ? other : other + 1;
  }
  std::uint64_t random(std::uint64_t) override { return 0; }
  bool fault(std::string_view, std::uint32_t) override { return false; }

 private:
  sim::RandomSource rng_;
  std::vector<std::uint64_t> at_;
  std::size_t next_ = 0;
  std::uint64_t step_ = 0;
};

// A schedule told by its switches rather than by position: "thread X, at its n-th choice
// point as the thread that reached it, gives way to Y". Positional replay keeps a removed
// preemption's effect (the next decision names the same other thread, so the switch only
// moves one step later); told by switches, the thread left running goes on until its own
// next recorded switch or until it blocks, and the other threads' switches still happen
// where they stood in their own progress. Random draws and faults follow by their ordinal
// among their kind.
struct Switch {
  sim::ThreadIndex from = 0;
  std::uint64_t nth = 0;
  sim::ThreadIndex to = 0;
  bool preemption = false;  // the thread that gave way was still enabled
  auto key() const { return std::pair(from, nth); }
};

struct SwitchTale {
  std::vector<Switch> switches;  // in order taken
  std::vector<std::uint64_t> randoms;
  std::vector<bool> faults;
  std::size_t preemptions() const {
    return std::size_t(std::count_if(switches.begin(), switches.end(), [](const Switch& w) { return w.preemption; }));
  }
};

// Wraps a decision source and tells what it did: the switches (SwitchTale) and, per
// decision, a preemption flag and the thread "stay" would have picked (as ReplayStrategy).
class SwitchRecorder final : public sim::DecisionSource {
 public:
  explicit SwitchRecorder(sim::DecisionSource& inner) : inner_(inner) {}
  std::size_t choose(const sim::Choice& c) override {
    std::uint64_t nth = seen_[c.current]++;
    std::size_t k = inner_.choose(c);
    sim::ThreadIndex to = c.enabled[k];
    bool preempt = c.current_enabled && to != c.current;
    if (to != c.current) tale.switches.push_back(Switch{c.current, nth, to, preempt});
    preemptions.push_back(preempt);
    currents.push_back(c.current_enabled ? c.current : to);
    return k;
  }
  std::uint64_t random(std::uint64_t bound) override {
    std::uint64_t v = inner_.random(bound);
    tale.randoms.push_back(v);
    preemptions.push_back(false);
    currents.push_back(0);
    return v;
  }
  bool fault(std::string_view name, std::uint32_t per_million) override {
    bool fired = inner_.fault(name, per_million);
    tale.faults.push_back(fired);
    preemptions.push_back(false);
    currents.push_back(0);
    return fired;
  }
  SwitchTale tale;
  std::vector<bool> preemptions;
  std::vector<sim::ThreadIndex> currents;

 private:
  sim::DecisionSource& inner_;
  std::map<sim::ThreadIndex, std::uint64_t> seen_;
};

// Replays a SwitchTale: a recorded switch when its thread reaches that choice point and
// the target is enabled, else the current thread goes on; a blocked thread without a
// recorded switch gives way to the lowest enabled one.
class SwitchReplay final : public sim::DecisionSource {
 public:
  explicit SwitchReplay(const SwitchTale& tale) : tale_(tale) {
    for (const Switch& w : tale.switches) at_.emplace(w.key(), w.to);
  }
  std::size_t choose(const sim::Choice& c) override {
    std::uint64_t nth = seen_[c.current]++;
    auto find = [&](sim::ThreadIndex t) -> std::optional<std::size_t> {
      auto it = std::lower_bound(c.enabled.begin(), c.enabled.end(), t);
      if (it != c.enabled.end() && *it == t) return std::size_t(it - c.enabled.begin());
      return std::nullopt;
    };
    if (auto w = at_.find(std::pair(c.current, nth)); w != at_.end())
      if (auto k = find(w->second)) return *k;
    if (c.current_enabled)
      if (auto k = find(c.current)) return *k;
    return 0;
  }
  std::uint64_t random(std::uint64_t bound) override {
    std::size_t i = randoms_++;
    return i < tale_.randoms.size() && tale_.randoms[i] < bound ? tale_.randoms[i] : 0;
  }
  bool fault(std::string_view, std::uint32_t) override {
    std::size_t i = faults_++;
    return i < tale_.faults.size() && tale_.faults[i];
  }

 private:
  const SwitchTale& tale_;
  std::map<std::pair<sim::ThreadIndex, std::uint64_t>, sim::ThreadIndex> at_;
  std::map<sim::ThreadIndex, std::uint64_t> seen_;
  std::size_t randoms_ = 0;
  std::size_t faults_ = 0;
};

}  // namespace

Schedule shrink(const Schedule& schedule, ViolationKind kind, const Body& body, const Checker& checker_in,
                const sim::Options& options) {
  const Checker checker = checker_in ? checker_in : default_checker({});
  LenientRunner runner{body, checker, kind, sim::SimPlatform(options)};
  Schedule best;
  std::vector<bool> preemptions;
  std::vector<sim::ThreadIndex> currents;
  Schedule start = schedule;
  start.trace_hash = 0;  // the shrunk schedule's trace is another one: the caller stamps it
  start.trace_records = 0;
  if (!runner.reproduces(start, best, preemptions, currents)) return schedule;

  // 1. Truncate: the shortest prefix that still fails when the rest runs without preemption.
  {
    std::size_t lo = 0, hi = best.decisions.size();
    while (lo < hi) {
      std::size_t mid = lo + (hi - lo) / 2;
      Schedule candidate = best;
      candidate.decisions.resize(mid);
      Schedule got;
      std::vector<bool> p;
      std::vector<sim::ThreadIndex> c;
      if (runner.reproduces(candidate, got, p, c)) {
        hi = mid;
        best = std::move(got);
        preemptions = std::move(p);
        currents = std::move(c);
      } else {
        lo = mid + 1;
      }
    }
  }

  // 2. Remove preemptions: (a) a bounded search for fewer; (b) edits until nothing
  // changes; (a') a search above (a)'s bounds when many are left, polished by (b); (c)
  // keeping only one or two.
  auto positions = [&] {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < preemptions.size() && i < best.decisions.size(); ++i)
      if (preemptions[i]) out.push_back(i);
    return out;
  };
  auto attempt = [&](const Schedule& candidate) {
    Schedule got;
    std::vector<bool> p;
    std::vector<sim::ThreadIndex> c;
    if (!runner.reproduces(candidate, got, p, c)) return false;
    if (std::count(p.begin(), p.end(), true) > std::count(preemptions.begin(), preemptions.end(), true)) return false;
    best = std::move(got);
    preemptions = std::move(p);
    currents = std::move(c);
    return true;
  };
  // (a) Search before editing: removing one preemption often loses the bug (the decisions
  // after it then name threads in another state), so edits alone leave many. For B = 0,
  // 1, ... below the current count, bounded DPOR (dpor:B) and, for B > 0, schedules with B
  // random switches (BoundedSampler) look for a violation of the same kind within B
  // preemptions; the first found replaces the schedule, and the edits below polish it. Its
  // own budget of search_runs_max runs, shared by the bounds in order (bound 0 is often
  // searched out in a few hundred); a bound dpor searches out is left for the next.
  auto count = [&] { return std::size_t(std::count(preemptions.begin(), preemptions.end(), true)); };
  const std::uint64_t points = std::uint64_t(std::count_if(best.decisions.begin(), best.decisions.end(),
      [](const Decision& d) { return d.kind == DecisionKind::thread; }));
  // Own simulators: dpor's executions and the samples' do not share one.
  sim::SimPlatform dpor_sim(options);
  sim::SimPlatform sample_sim(options);
  auto search_at = [&](std::size_t bound, std::uint64_t end) {
    // Bound 0 is one search-out by dpor (usually small); above it, dpor's depth-first
    // order reaches early switches last, so half the runs go to uniform samples.
    DporStrategy dpor{std::uint32_t(bound)};
    for (std::uint64_t i = 0; runner.runs < end; ++i) {
      bool sample = bound > 0 && i % 2 == 1;
      if (!sample && !dpor.begin_execution(i / (bound > 0 ? 2 : 1))) return false;
      ++runner.runs;
      BoundedSampler sampler(bound, points, i);
      sim::SimPlatform& sim = sample ? sample_sim : dpor_sim;
      sim::RunResult r = sample ? sim.run(body, sampler) : sim.run(body, dpor);
      if (!sample) dpor.end_execution(Execution{r, sim.trace(), sim.decisions()});
      std::vector<Violation> vs = errors_of(checker, sim.trace(), r);
      if (std::none_of(vs.begin(), vs.end(), [&](const Violation& v) { return v.kind == kind; })) continue;
      Schedule candidate = best;
      candidate.decisions.clear();
      for (const sim::RecordedDecision& d : sim.decisions())
        candidate.decisions.push_back(
            Decision{DecisionKind(d.kind), d.value, d.kind == sim::RecordedKind::thread ? d.key : 0u});
      if (attempt(candidate)) return true;
    }
    return false;
  };
  constexpr std::size_t bound_max = 3;
  {
    constexpr std::uint64_t search_runs_max = 4000;
    const std::uint64_t search_end = runner.runs + search_runs_max;
    for (std::size_t bound = 0; bound < count() && bound <= bound_max && runner.runs < search_end; ++bound)
      if (search_at(bound, search_end)) break;
  }

  // (b) Edits, until nothing changes: cut the schedule just before a preemption (the rest
  // runs without any), latest first; then delta debugging over the preemptions told as
  // switches (SwitchTale): leave out chunks of them, of halving size, or keep only one
  // chunk, as long as the bug stays.
  SwitchTale tale;  // best's, told by switches
  auto tell = [&] {
    ReplayStrategy positional(best, ReplayStrategy::Mode::lenient);
    positional.begin_execution(0);
    SwitchRecorder rec(positional);
    ++runner.runs;
    runner.sim.run(body, rec);
    tale = std::move(rec.tale);
  };
  auto attempt_tale = [&](const SwitchTale& candidate) {
    SwitchReplay source(candidate);
    SwitchRecorder rec(source);
    ++runner.runs;
    sim::RunResult r = runner.sim.run(body, rec);
    std::vector<Violation> vs = errors_of(checker, runner.sim.trace(), r);
    if (std::none_of(vs.begin(), vs.end(), [&](const Violation& v) { return v.kind == kind; })) return false;
    if (rec.tale.preemptions() >= count()) return false;
    best.decisions.clear();
    for (const sim::RecordedDecision& d : runner.sim.decisions())
      best.decisions.push_back(Decision{DecisionKind(d.kind), d.value, d.kind == sim::RecordedKind::thread ? d.key : 0u});
    preemptions = std::move(rec.preemptions);
    currents = std::move(rec.currents);
    tale = std::move(rec.tale);
    return true;
  };
  // best's tale with the preemptions whose index (among the preemptions) `keep` rejects left out.
  auto without = [&](auto keep) {
    SwitchTale out = tale;
    out.switches.clear();
    std::size_t i = 0;
    for (const Switch& w : tale.switches)
      if (!w.preemption || keep(i++)) out.switches.push_back(w);
    return out;
  };
  constexpr std::uint64_t shrink_runs_max = 20000;  // a limit on the edits: stop, keeping what we have
  const std::uint64_t edits_from = runner.runs;
  auto budget_left = [&] { return runner.runs - edits_from < shrink_runs_max; };
  auto delta_debug = [&] {
    bool any = false;
    tell();
    for (std::size_t n = 2; budget_left();) {
      const std::size_t size = tale.preemptions();
      if (size == 0) break;
      n = std::min(n, size);
      bool progress = false;
      for (std::size_t c = 0; c < n && !progress && budget_left(); ++c) {
        std::size_t lo = c * size / n, hi = (c + 1) * size / n;
        progress = attempt_tale(without([&](std::size_t i) { return i < lo || i >= hi; }));
        if (progress) n = std::max<std::size_t>(n - 1, 2);
      }
      for (std::size_t c = 0; c < n && n > 2 && !progress && budget_left(); ++c) {
        std::size_t lo = c * size / n, hi = (c + 1) * size / n;
        progress = attempt_tale(without([&](std::size_t i) { return i >= lo && i < hi; }));
        if (progress) n = 2;
      }
      if (progress) {
        any = true;
        continue;
      }
      if (n >= size) break;
      n = std::min(2 * n, size);
    }
    return any;
  };
  // Positional delta debugging: replace chunks of preemptions, of halving size, by "stay
  // on the current thread" where they stand (the decisions after keep their threads).
  auto positional_chunks = [&] {
    std::vector<std::size_t> pos = positions();
    for (std::size_t chunk = std::max<std::size_t>(1, pos.size() / 2); budget_left(); chunk /= 2) {
      pos = positions();
      for (std::size_t end = pos.size(); end > 0;) {
        std::size_t begin = end >= chunk ? end - chunk : 0;
        Schedule candidate = best;
        for (std::size_t j = begin; j < end; ++j)
          candidate.decisions[pos[j]] = Decision{DecisionKind::thread, currents[pos[j]], 0};
        if (attempt(candidate)) return true;
        end = begin;
      }
      if (chunk <= 1) break;
    }
    return false;
  };
  auto edit = [&] {
    for (bool progress = true; progress && budget_left();) {
      progress = false;
      std::vector<std::size_t> pos = positions();
      for (std::size_t k = pos.size(); k > 0 && !progress; --k) {
        Schedule candidate = best;
        candidate.decisions.resize(pos[k - 1]);
        progress = attempt(candidate);
      }
      if (!progress) progress = delta_debug();
      if (!progress) progress = positional_chunks();
    }
  };
  edit();

  // (a') When more than bound_max + 1 are left (N-1 switches for N tasks in a cycle are
  // above the first search's bounds), search between: B halfway from the last bound searched
  // without a finding to the current count, each B with its own share of runs; a finding
  // is polished by the edits and lowers the top, a miss raises the bottom.
  {
    constexpr std::uint64_t wide_runs_max = 3000;
    constexpr std::uint64_t per_bound = 500;
    const std::uint64_t wide_end = runner.runs + wide_runs_max;
    for (std::size_t lo = bound_max; count() > lo + 1 && runner.runs < wide_end;) {
      std::size_t bound = lo + (count() - lo) / 2;
      if (search_at(bound, std::min(wide_end, runner.runs + per_bound)))
        edit();
      else
        lo = bound;
    }
  }

  // (c) Few preemptions explain most bugs (PCT's depth): when more than two are left,
  // try keeping only one or two of them.
  {
    tell();
    const std::size_t n = tale.preemptions();
    auto keep_only = [&](std::size_t a, std::size_t b) {
      return attempt_tale(without([&](std::size_t i) { return i == a || i == b; }));
    };
    constexpr std::size_t pair_search_max = 64;  // at most ~2,000 runs
    bool done = n <= 2 || n > pair_search_max;
    for (std::size_t a = 0; a < n && !done; ++a) done = keep_only(a, a);
    for (std::size_t a = 0; a < n && !done; ++a)
      for (std::size_t b = a + 1; b < n && !done; ++b) done = keep_only(a, b);
  }

  // 3. Faults that fired: try each as not fired.
  for (std::size_t i = 0; i < best.decisions.size(); ++i) {
    if (best.decisions[i].kind != DecisionKind::fault || best.decisions[i].value == 0) continue;
    Schedule candidate = best;
    candidate.decisions[i].value = 0;
    Schedule got;
    std::vector<bool> p;
    std::vector<sim::ThreadIndex> c;
    if (runner.reproduces(candidate, got, p, c)) best = std::move(got);
  }

  // 4. Random draws (time jitter, latencies) toward 0, the nominal value: all at once, then
  // each to 0 or to half, within a budget.
  {
    auto reproduces = [&](Schedule candidate) {
      Schedule got;
      std::vector<bool> p;
      std::vector<sim::ThreadIndex> c;
      if (!runner.reproduces(candidate, got, p, c)) return false;
      best = std::move(got);
      return true;
    };
    Schedule all = best;
    bool any = false;
    for (Decision& d : all.decisions)
      if (d.kind == DecisionKind::random && d.value != 0) d.value = 0, any = true;
    if (any && !reproduces(std::move(all))) {
      constexpr int draw_tries_max = 128;
      int tries = 0;
      for (std::size_t i = 0; i < best.decisions.size() && tries < draw_tries_max; ++i) {
        if (best.decisions[i].kind != DecisionKind::random || best.decisions[i].value == 0) continue;
        for (std::uint64_t target : {std::uint64_t(0), best.decisions[i].value / 2}) {
          if (i >= best.decisions.size() || best.decisions[i].kind != DecisionKind::random ||
              target >= best.decisions[i].value || tries++ >= draw_tries_max)
            break;
          Schedule candidate = best;
          candidate.decisions[i].value = target;
          if (reproduces(std::move(candidate))) break;
        }
      }
    }
  }
  return best;
}

std::size_t count_preemptions(const Schedule& schedule, const Body& body, const sim::Options& options) {
  sim::SimPlatform sim(options);
  ReplayStrategy strategy(schedule, ReplayStrategy::Mode::lenient);
  strategy.begin_execution(0);
  sim.run(body, strategy);
  return std::size_t(std::count(strategy.preemptions().begin(), strategy.preemptions().end(), true));
}

namespace {

// Replays a schedule leniently and notes, at each preemption, the decision's position, how
// long the trace was and which thread was preempted, and each fault that fired.
class ShapeRecorder final : public sim::DecisionSource {
 public:
  struct Cut {
    std::size_t decision;  // index into the decisions taken
    std::size_t records;   // trace length when the decision was taken
    sim::ThreadIndex from;
    std::string fault;     // a fired fault instead of a preemption
  };
  ShapeRecorder(const Schedule& schedule, const sim::SimPlatform& sim)
      : replay(schedule, ReplayStrategy::Mode::lenient), sim_(sim) {
    replay.begin_execution(0);
  }
  std::size_t choose(const sim::Choice& c) override {
    std::size_t k = replay.choose(c);
    if (c.current_enabled && c.enabled[k] != c.current)
      cuts.push_back(Cut{position_, sim_.trace().records.size(), c.current, {}});
    ++position_;
    return k;
  }
  std::uint64_t random(std::uint64_t bound) override {
    ++position_;
    return replay.random(bound);
  }
  bool fault(std::string_view name, std::uint32_t per_million) override {
    bool fired = replay.fault(name, per_million);
    if (fired) cuts.push_back(Cut{position_, sim_.trace().records.size(), 0, std::string(name)});
    ++position_;
    return fired;
  }
  ReplayStrategy replay;
  std::vector<Cut> cuts;

 private:
  const sim::SimPlatform& sim_;
  std::size_t position_ = 0;
};

std::string site_of(const sim::Trace& t, std::uint32_t site) {
  return site == 0 || site >= t.sites.size() ? std::string("?") : t.sites[site].str();
}

// One lenient run of a candidate: the decisions it took, and its preemptions of the
// violation's tasks with the site where each stood (none if nothing was violated).
struct ShapeRun {
  bool violated = false;
  Schedule taken;
  std::vector<std::pair<std::size_t, std::string>> involved;  // (decision, site)
  std::vector<sim::ThreadIndex> currents;
  std::set<std::string> faults;
};

ShapeRun shape_run(sim::SimPlatform& sim, const Schedule& candidate, const Body& body, const Checker& checker) {
  ShapeRun out;
  ShapeRecorder rec(candidate, sim);
  sim::RunResult result = sim.run(body, rec);
  const sim::Trace& t = sim.trace();
  std::vector<Violation> vs = checker(t, result);
  if (vs.empty()) return out;
  out.violated = true;
  out.taken = candidate;
  out.taken.decisions.clear();
  out.taken.trace_hash = 0;  // another execution: whoever replays it stamps it
  out.taken.trace_records = 0;
  for (const sim::RecordedDecision& d : sim.decisions())
    out.taken.decisions.push_back(Decision{DecisionKind(d.kind), d.value, d.kind == sim::RecordedKind::thread ? d.key : 0u});
  out.currents = rec.replay.currents();
  std::set<TaskId> involved(vs.front().tasks.begin(), vs.front().tasks.end());
  std::size_t last = t.records.size();  // a preemption after the violation's last record cannot cause it
  if (!vs.front().records.empty()) last = *std::max_element(vs.front().records.begin(), vs.front().records.end());
  for (std::uint32_t r : vs.front().records)
    if (r < t.records.size() && t.records[r].task) involved.insert(t.records[r].task);
  for (const ShapeRecorder::Cut& cut : rec.cuts) {
    if (cut.records > last) continue;
    if (!cut.fault.empty()) {
      out.faults.insert("fault:" + cut.fault);
      continue;
    }
    // Where the preempted thread stood: its last record with a site before the cut, and
    // the task it was running then.
    std::uint32_t site = 0;
    TaskId task = 0;
    for (std::size_t i = std::min(cut.records, t.records.size()); i-- > 0 && !(site && task);) {
      const sim::TraceRecord& r = t.records[i];
      if (r.thread != cut.from) continue;
      if (!site) site = r.site;
      if (!task) task = r.task;
    }
    if (task && involved.count(task)) out.involved.emplace_back(cut.decision, site_of(t, site));
  }
  return out;
}

}  // namespace

Shape schedule_shape(const Schedule& schedule, const Body& body, const Checker& checker_in,
                     const sim::Options& options) {
  const Checker checker = checker_in ? checker_in : default_checker({});
  sim::SimPlatform sim(options);
  ShapeRun best = shape_run(sim, schedule, body, checker);
  if (!best.violated) return Shape{false, "none", schedule};
  // Leave out each involved preemption without which the violation still happens.
  for (bool progress = true; progress;) {
    progress = false;
    for (std::size_t k = 0; k < best.involved.size() && !progress; ++k) {
      std::size_t at = best.involved[k].first;
      if (at >= best.taken.decisions.size() || at >= best.currents.size()) continue;
      Schedule candidate = best.taken;
      candidate.decisions[at] = Decision{DecisionKind::thread, best.currents[at], 0};
      ShapeRun r = shape_run(sim, candidate, body, checker);
      if (r.violated && r.involved.size() < best.involved.size()) {
        best = std::move(r);
        progress = true;
      }
    }
  }
  std::set<std::string> parts = best.faults;
  for (const auto& [at, site] : best.involved) parts.insert(site);
  std::string text;
  for (const std::string& p : parts) text += (text.empty() ? "" : ", ") + p;
  return Shape{true, text.empty() ? "none" : text, best.taken};
}

}  // namespace weft::model
