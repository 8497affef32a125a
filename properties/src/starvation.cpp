// Starvation, three ways, each against a virtual-time threshold of Config:
//   queue wait:  a `schedule` of task X on executor E answered by the next `resume` of X more
//                than queue_wait_max later (or never, while the execution went on that long);
//                one violation per executor, about its worst wait;
//   probes:      a `probe` record whose latency (value) exceeds its deadline (other, or
//                probe_deadline when the probe gives none);
//   occupancy:   every thread of an executor inside blocking work (blocking_begin..end) at
//                once for longer than all_workers_blocked_max.
// Each report says what the executor's threads were busy with, with the blocking call sites.
#include <algorithm>
#include <deque>
#include <map>

#include "common.hpp"

namespace weft::properties {
namespace {

struct Busy {
  std::uint32_t begin;  // record index of blocking_begin
  Nanos from, to;       // to = end time, or the end of the execution
};

class Starvation final : public Property {
 public:
  const char* name() const noexcept override { return "starvation"; }
  // A queue wait needs a `schedule`, a busy pool its `blocking_begin`s, a late probe a `probe`.
  Triggers triggers() const noexcept override {
    return {Triggers::kind(EventKind::schedule) | Triggers::kind(EventKind::blocking_begin) |
                Triggers::kind(EventKind::probe),
            0, false};
  }

  void check(const Execution& e, std::vector<Violation>& out) const override {
    // A queue wait needs a `schedule`, a late probe a `probe`, a pool all in blocking work
    // its `blocking_begin`s; and no wait or busy span outlasts the execution.
    const Nanos span = std::max(e.result.end_time, e.index.last_time());
    const bool queues = e.index.has(EventKind::schedule) && span > e.config.queue_wait_max;
    const bool busy_pools = e.index.has(EventKind::blocking_begin) && span > e.config.all_workers_blocked_max;
    if (!queues && !busy_pools && !e.index.has(EventKind::probe)) return;
    const auto& tr = e.trace;
    const auto& recs = tr.records;
    const Nanos end = span;

    // Blocking intervals per thread.
    std::map<trace::ThreadIndex, std::vector<Busy>> busy;
    std::map<trace::ThreadIndex, std::size_t> open;
    std::map<trace::ThreadIndex, std::vector<Busy>> blocked;  // block_on/join: block..wake
    for (std::uint32_t i = 0; i < recs.size(); ++i) {
      const auto& r = recs[i];
      if (r.kind == EventKind::block) blocked[r.thread].push_back(Busy{i, r.time, end});
      if (r.kind == EventKind::wake && !blocked[r.thread].empty() && blocked[r.thread].back().to == end)
        blocked[r.thread].back().to = r.time;
      if (r.kind == EventKind::blocking_begin) {
        busy[r.thread].push_back(Busy{i, r.time, end});
        open[r.thread] = busy[r.thread].size();
      } else if (r.kind == EventKind::blocking_end && open[r.thread]) {
        busy[r.thread][open[r.thread] - 1].to = r.time;
        open[r.thread] = 0;
      }
    }
    auto busy_report = [&](ObjectId ex, Nanos from, Nanos to, Violation& v) {
      std::string s;
      for (auto t : detail::threads_of(tr, ex)) {
        s += "  " + tr.thread_name(t) + ":";
        bool any = false;
        for (const auto& b : busy[t]) {
          if (b.to <= from || b.from >= to) continue;
          const auto& r = recs[b.begin];
          std::string site = detail::site_str(tr, r.site);
          s += std::string(any ? "," : "") + " " + (WorkKind(r.object) == WorkKind::cpu_work ? "cpu_work" : "blocking_io") +
               "(" + detail::format_ms(r.value) + ")";
          if (!site.empty()) s += " at " + site;
          if (r.task) s += " in " + tr.task_label(r.task);
          detail::add_unique(v.locations, site);
          v.records.push_back(b.begin);
          if (std::find(v.threads.begin(), v.threads.end(), t) == v.threads.end()) v.threads.push_back(t);
          any = true;
        }
        for (const auto& b : blocked[t]) {
          if (b.to <= from || b.from >= to) continue;
          const auto& r = recs[b.begin];
          std::string site = detail::site_str(tr, r.site);
          s += std::string(any ? "," : "") + " blocked waiting for " + tr.task_label(r.other);
          if (!site.empty()) s += " at " + site;
          detail::add_unique(v.locations, site);
          v.records.push_back(b.begin);
          if (std::find(v.threads.begin(), v.threads.end(), t) == v.threads.end()) v.threads.push_back(t);
          any = true;
        }
        s += any ? "\n" : " not in blocking work\n";
      }
      return s;
    };

    if (queues) queue_waits(e, end, out, busy_report);
    if (e.index.has(EventKind::probe)) probes(e, out);
    if (busy_pools) occupancy(e, end, busy, out, busy_report);
  }

 private:
  template <class BusyReport>
  static void queue_waits(const Execution& e, Nanos end, std::vector<Violation>& out, BusyReport& busy_report) {
    const auto& tr = e.trace;
    const auto& recs = tr.records;
    struct Worst {
      Nanos wait = -1;
      std::uint32_t sched = 0, resume = UINT32_MAX;
      std::uint32_t count = 0;
    };
    std::map<ObjectId, Worst> worst;
    std::map<TaskId, std::deque<std::uint32_t>> queued;
    auto consider = [&](std::uint32_t s, Nanos until, std::uint32_t res) {
      Nanos wait = until - recs[s].time;
      if (wait <= e.config.queue_wait_max) return;
      auto& w = worst[recs[s].object];
      ++w.count;
      if (wait > w.wait) w = Worst{wait, s, res, w.count};
    };
    for (std::uint32_t i = 0; i < recs.size(); ++i) {
      const auto& r = recs[i];
      if (r.kind == EventKind::schedule && r.task) {
        queued[r.task].push_back(i);
      } else if (r.kind == EventKind::resume) {
        auto it = queued.find(r.task);
        if (it == queued.end() || it->second.empty()) continue;
        consider(it->second.front(), r.time, i);
        it->second.pop_front();
      }
    }
    for (auto& [task, q] : queued)
      for (auto s : q) consider(s, end, UINT32_MAX);
    for (auto& [ex, w] : worst) {
      const auto& s = recs[w.sched];
      Violation v;
      v.kind = ViolationKind::starvation;
      v.time = s.time + e.config.queue_wait_max;
      v.tasks.push_back(s.task);
      v.records.push_back(w.sched);
      if (w.resume != UINT32_MAX) v.records.push_back(w.resume);
      detail::add_unique(v.locations, detail::spawn_site(tr, s.task));
      std::string exn = tr.executor_name(ex);
      v.message = "starvation: " + tr.task_label(s.task) + " waited " + detail::format_ms(w.wait) +
                  (w.resume == UINT32_MAX ? " (never resumed)" : "") + " in the queue of " + exn + " (limit " +
                  detail::format_ms(e.config.queue_wait_max) + ")";
      Nanos until = w.resume == UINT32_MAX ? end : recs[w.resume].time;
      v.detail = std::to_string(w.count) + " queued continuation(s) on " + exn + " waited longer than " +
                 detail::format_ms(e.config.queue_wait_max) + "; the worst: " + detail::describe_task(tr, s.task) +
                 ", queued at " + detail::format_ms(s.time) +
                 (w.resume == UINT32_MAX ? ", never resumed" : ", resumed at " + detail::format_ms(until)) + "\n" +
                 "threads of " + exn + " meanwhile:\n" + busy_report(ex, s.time, until, v);
      out.push_back(std::move(v));
    }
  }

  static void probes(const Execution& e, std::vector<Violation>& out) {
    const auto& tr = e.trace;
    for (std::uint32_t i = 0; i < tr.records.size(); ++i) {
      const auto& r = tr.records[i];
      if (r.kind != EventKind::probe) continue;
      Nanos own = weft::probe_deadline(r.object, r.other);
      Nanos deadline = own ? own : e.config.probe_deadline;
      if (deadline <= 0 || r.value <= deadline) continue;
      Violation v = detail::violation_at(tr, std::uint32_t(i), ViolationKind::starvation);
      std::string site = detail::site_str(tr, r.site);
      std::string label(tr.text(r));
      v.message = "starvation: latency probe" + (label.empty() ? std::string() : " '" + label + "'") + " observed " +
                  detail::format_ms(r.value) + ", deadline " + detail::format_ms(deadline);
      v.detail = "probe" + (site.empty() ? std::string() : " at " + site) + " on " + tr.thread_name(r.thread) + " at " +
                 detail::format_ms(r.time) + ": latency " + detail::format_ms(r.value) + " > deadline " +
                 detail::format_ms(deadline) + "\n";
      out.push_back(std::move(v));
    }
  }

  template <class BusyReport>
  static void occupancy(const Execution& e, Nanos end, std::map<trace::ThreadIndex, std::vector<Busy>>& busy,
                        std::vector<Violation>& out, BusyReport& busy_report) {
    const auto& tr = e.trace;
    for (const auto& ex : tr.executors) {
      auto ths = detail::threads_of(tr, ex.id);
      if (ths.empty()) continue;
      // Sweep the boundaries of every interval of these threads; find the longest span
      // during which all of them are busy.
      std::vector<std::pair<Nanos, int>> edges;
      for (auto t : ths)
        for (const auto& b : busy[t]) {
          if (b.to <= b.from) continue;
          edges.push_back({b.from, +1});
          edges.push_back({b.to, -1});
        }
      std::sort(edges.begin(), edges.end());
      // Edges at one instant are applied together: a worker finishing one blocking call and
      // starting the next at the same virtual time was never free.
      int n = 0, all = int(ths.size());
      Nanos since = 0, best = 0, best_from = 0;
      for (std::size_t i = 0; i < edges.size();) {
        Nanos t = edges[i].first;
        int before = n;
        for (; i < edges.size() && edges[i].first == t; ++i) n += edges[i].second;
        if (before < all && n >= all) since = t;
        if (before >= all && n < all && t - since > best) {
          best = t - since;
          best_from = since;
        }
      }
      (void)end;
      if (best <= e.config.all_workers_blocked_max) continue;
      Violation v;
      v.kind = ViolationKind::starvation;
      v.time = best_from + e.config.all_workers_blocked_max;
      v.message = "starvation: all " + std::to_string(ths.size()) + " threads of " + ex.name +
                  " were in blocking work for " + detail::format_ms(best) + " (limit " +
                  detail::format_ms(e.config.all_workers_blocked_max) + ")";
      v.detail = "from " + detail::format_ms(best_from) + " to " + detail::format_ms(best_from + best) + " every thread of " +
                 ex.name + " was busy:\n" + busy_report(ex.id, best_from, best_from + best, v);
      out.push_back(std::move(v));
    }
  }
};

}  // namespace

std::unique_ptr<Property> detail::make_starvation() { return std::make_unique<Starvation>(); }

}  // namespace weft::properties
