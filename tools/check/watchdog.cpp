// The wall-clock watchdog of weft::check (see weft/model/check.hpp), compiled into weft::model
// but kept outside model/: it reads time and sleeps for real, watches the explorer from
// outside, and never feeds a decision of an execution.
#include "watchdog.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>

namespace weft::detail {

namespace {

struct Watched {
  std::atomic<std::uint64_t> progress{0};    // bodies started + executions checked
  std::atomic<std::uint64_t> executions{0};  // bodies started
  std::atomic<sim::SimPlatform*> sim{nullptr};
  std::atomic<bool> abandoned{false};
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
  model::ExploreReport report;
  std::exception_ptr error;
  // Copies: an abandoned explorer thread that wakes up must not reach into the caller.
  model::ExploreOptions options;
  model::Body body;
  model::Checker checker;
};

// The last site the stuck execution reached, and a copy of its schedule so far. The
// explorer thread is blocked in a real call; its trace and decisions are read only when two
// looks 100 ms apart agree that they do not move (a thread that still runs is left alone).
void snapshot(Watched& w, model::Finding& f) {
  sim::SimPlatform* s = w.sim.load();
  if (!s) return;
  auto sizes = [&] { return std::pair(s->trace().records.size(), s->decisions().size()); };
  auto first = sizes();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  if (sizes() != first) return;
  f.trace = s->trace();
  f.schedule = model::schedule_of(*s, w.options);
  if (!f.trace.records.empty()) f.result.end_time = f.trace.records.back().time;
}

model::ExploreReport hang_report(Watched& w, double seconds) {
  model::ExploreReport report;
  report.executions = w.executions.load();
  report.executions_to_first_bug = report.executions;
  model::Finding f;
  f.execution = report.executions ? report.executions - 1 : 0;
  f.schedule.scenario = w.options.name;
  f.schedule.strategy = w.options.strategy;
  f.schedule.seed = w.options.seed;
  snapshot(w, f);
  Violation& v = f.violation;
  v.kind = ViolationKind::hang;
  v.time = f.result.end_time;
  char secs[32];
  std::snprintf(secs, sizeof secs, "%g", seconds);
  v.message = "execution " + std::to_string(f.execution + 1) + " (" + w.options.strategy + ", seed " +
              std::to_string(w.options.seed) + ") made no progress for " + secs +
              " s of wall time: a real blocking call in simulated code?";
  // The task the stuck thread was running, and the last site it reached: the blocking call
  // comes after it. Resume records carry no site; the task's spawn site stands in then.
  const sim::Trace& t = f.trace;
  std::string running;
  if (!t.records.empty()) {
    const sim::TraceRecord& last = t.records.back();
    v.threads.push_back(last.thread);
    v.records.push_back(std::uint32_t(t.records.size() - 1));
    if (last.task) {
      v.tasks.push_back(last.task);
      running = "task " + std::to_string(last.task);
      if (const sim::TaskInfo* info = t.task(last.task); info && info->site)
        running += " (spawned at " + t.site_at(info->site).str() + ")";
      running += " was running on " + t.thread_name(last.thread) + "\n";
    }
    for (std::size_t i = t.records.size(); i-- > 0;) {
      const sim::TraceRecord& r = t.records[i];
      if (r.thread != last.thread) continue;
      if (r.site) {
        v.locations.push_back(t.site(r).str());
        break;
      }
      if (r.kind == EventKind::resume) {  // its task began this run here: the spawn site
        if (const sim::TaskInfo* info = t.task(r.task); info && info->site) v.locations.push_back(t.site_at(info->site).str());
        break;
      }
    }
  }
  v.detail = "The simulator runs every virtual thread on one OS thread: a real blocking call (a std::mutex\n"
             "held across co_await, std::this_thread::sleep_for, a blocking read) stops all of them.\n"
             "Use weft's Mutex / BlockingMutex / sleep_for, which are scheduling points.\n";
  v.detail += running;
  if (!v.locations.empty())
    v.detail += "The last site it reached is " + v.locations.front() + "; the blocking call follows it.\n";
  else
    v.detail += "The site of the blocking call is not known (no record with a site before it).\n";
  v.detail += "The explorer thread was abandoned, still blocked, with its execution's memory.\n";
  v.detail += "To reproduce: WEFT_SEED=" + std::to_string(w.options.seed) + " WEFT_ITERATIONS=" +
              std::to_string(f.execution + 1) + " with the same strategy, or replay the schedule so far.";
  f.trace_hash = f.trace.hash();
  report.findings.push_back(std::move(f));
  report.summary = w.options.name + (w.options.name.empty() ? "" : ": ") + "hang: " + v.message;
  return report;
}

}  // namespace

model::ExploreReport explore_watched(const model::ExploreOptions& options, const model::Body& body,
                                     const model::Checker& checker, double watchdog_s) {
  auto w = std::make_shared<Watched>();
  w->options = options;
  w->body = body;
  w->checker = checker;
  std::thread explorer([w] {
    Watched& s = *w;
    // Progress is counted at every body start and every check; an abandoned explorer that
    // wakes up runs no more of the caller's code.
    model::Body counted = [&s] {
      if (s.abandoned.load()) return;
      s.executions.fetch_add(1, std::memory_order_relaxed);
      s.progress.fetch_add(1, std::memory_order_relaxed);
      s.sim.store(sim::current_sim());
      s.body();
    };
    model::Checker counted_checker = [&s](const sim::Trace& t, const sim::RunResult& r) {
      s.progress.fetch_add(1, std::memory_order_relaxed);
      if (s.abandoned.load()) return std::vector<Violation>{};
      return s.checker(t, r);
    };
    model::ExploreReport report;
    std::exception_ptr error;
    try {
      report = model::explore(s.options, counted, counted_checker);
    } catch (...) {
      error = std::current_exception();
    }
    std::lock_guard lock(s.m);
    s.report = std::move(report);
    s.error = error;
    s.done = true;
    s.cv.notify_all();
  });

  // Polls four times per period: a hang is reported between 1 and 1.25 periods after the
  // last progress. No notification per execution: that would cost the explorer a wake-up each.
  constexpr int polls_per_period = 4;
  const auto poll = std::chrono::duration<double>(watchdog_s / polls_per_period);
  std::unique_lock lock(w->m);
  std::uint64_t seen = w->progress.load();
  int quiet = 0;
  while (!w->done) {
    if (w->cv.wait_for(lock, poll, [&] { return w->done; })) break;
    std::uint64_t now = w->progress.load();
    quiet = now == seen ? quiet + 1 : 0;
    seen = now;
    if (quiet >= polls_per_period) {
      w->abandoned.store(true);
      lock.unlock();
      explorer.detach();
      return hang_report(*w, watchdog_s);
    }
  }
  lock.unlock();
  explorer.join();
  if (w->error) std::rethrow_exception(w->error);
  return std::move(w->report);
}

}  // namespace weft::detail
