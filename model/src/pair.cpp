#include "weft/model/pair.hpp"

#include <algorithm>
#include <set>

#include "weft/model/strategies/replay.hpp"

namespace weft::model {

namespace {

// What a thread did first from scheduling step `step` on: its name, the task it ran there (by
// the task's name: "load_profile", else "task 2") and the first record's kind.
struct Ran {
  std::string thread;
  std::string task;  // empty: no task (the thread's own code, or nothing ran)
  std::string what;
};

Ran what_ran(const sim::Trace& t, std::uint64_t thread, std::uint32_t step) {
  Ran out;
  out.thread = thread < t.threads.size() ? t.threads[thread].name : "thread " + std::to_string(thread);
  for (const auto& r : t.records)
    if (r.thread == thread && r.step >= step) {
      out.what = to_string(r.kind);
      // A spawn record names the spawned task; what ran is its parent.
      TaskId task = r.kind == EventKind::spawn ? r.other : r.task;
      if (task) out.task = t.task_name(task);
      break;
    }
  return out;
}

// "ui runs load_profile first (resume)"
std::string describe(const Ran& r) {
  std::string s = r.thread + " runs " + (r.task.empty() ? "" : r.task + " ") + "first";
  return r.what.empty() ? s : s + " (" + r.what + ")";
}

}  // namespace

NearestPass nearest_pass(const Schedule& failing, ViolationKind kind, const Body& body, const Checker& checker,
                         const sim::Options& options, std::size_t runs_max) {
  NearestPass out;
  if (!checker) return out;
  std::set<std::uint64_t> threads;
  for (const auto& d : failing.decisions)
    if (d.kind == DecisionKind::thread) threads.insert(d.value);
  sim::SimPlatform sim(options);
  // The trace of the failing schedule, to say what ran at the flipped decision.
  sim::Trace failing_trace;
  {
    ReplayStrategy strict(failing, ReplayStrategy::Mode::lenient);
    strict.begin_execution(0);
    sim.run(body, strict);
    failing_trace = sim.trace();
  }
  for (std::size_t i = failing.decisions.size(); i-- > 0;) {
    const Decision& d = failing.decisions[i];
    if (d.kind != DecisionKind::thread) continue;
    // Scheduling step of decision i: thread decisions before it.
    auto step = std::uint32_t(std::count_if(failing.decisions.begin(), failing.decisions.begin() + long(i),
                                            [](const Decision& x) { return x.kind == DecisionKind::thread; }));
    for (std::uint64_t th : threads) {
      if (th == d.value) continue;
      if (out.tried >= runs_max) return out;
      ++out.tried;
      Schedule candidate = failing;
      candidate.decisions[i] = Decision{DecisionKind::thread, th, 0};
      ReplayStrategy strategy(candidate, ReplayStrategy::Mode::lenient);
      strategy.begin_execution(0);
      sim::RunResult r = sim.run(body, strategy);
      const auto& taken = sim.decisions();
      if (i >= taken.size() || taken[i].value != th) continue;  // that thread could not run there
      if (r.outcome == sim::Outcome::aborted) continue;
      auto vs = checker(sim.trace(), r);
      bool same = std::any_of(vs.begin(), vs.end(), [&](const Violation& v) {
        return v.kind == kind && v.severity == Severity::error;
      });
      if (same) continue;
      out.found = true;
      out.decision = i;
      const Ran failing_ran = what_ran(failing_trace, d.value, step);
      const Ran passing_ran = what_ran(sim.trace(), th, step);
      out.failing = describe(failing_ran);
      out.passing = describe(passing_ran);
      out.passing_schedule = candidate;
      out.passing_schedule.decisions.clear();
      for (const auto& x : taken)
        out.passing_schedule.decisions.push_back(
            Decision{DecisionKind(x.kind), x.value, x.kind == sim::RecordedKind::thread ? x.key : 0u});
      stamp_trace(out.passing_schedule, r, sim.trace());  // its own execution's trace, not the failing one's
      // "if pool-1 runs deposit at step 3 (decision 3) instead of pool-0 running withdraw, the
      // deadlock disappears": threads and tasks by name.
      out.sentence = "if " + passing_ran.thread + " runs " + (passing_ran.task.empty() ? "" : passing_ran.task + " ") +
                     "at step " + std::to_string(step) + " (decision " + std::to_string(i) + ") instead of " +
                     failing_ran.thread + (failing_ran.task.empty() ? "" : " running " + failing_ran.task) + ", the " +
                     to_string(kind) + " disappears";
      return out;
    }
  }
  return out;
}

}  // namespace weft::model
