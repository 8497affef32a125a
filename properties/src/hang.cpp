// Hang / leak at quiescence.
//   leak:   the execution ended `completed` (the world went idle), yet a task spawned on an
//           executor never `complete`d: it waits for something that will never come, and its
//           frame is never freed. Tasks with executor 0 (block_on roots, when_all/when_any
//           children, which report no `complete`) are left out: a stuck block_on is a deadlock.
//   loser:  a when_any loser (`race_lost`, task = loser) that never recorded `cancelled` and
//           whose last activity (any record of it or of its descendants) came more than
//           cancel_grace after the race was decided: it kept running, nobody cancelled it.
#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "common.hpp"

namespace weft::properties {
namespace {

class Hang final : public Property {
 public:
  const char* name() const noexcept override { return "hang"; }
  // A task that never completed (any task), or a when_any loser left running.
  Triggers triggers() const noexcept override {
    return {Triggers::kind(EventKind::race_lost), 0, true};
  }

  void check(const Execution& e, std::vector<Violation>& out) const override {
    if (e.result.outcome == trace::Outcome::completed) leaks(e, out);
    if (e.index.has(EventKind::race_lost)) losers(e, out);
  }

 private:
  static void leaks(const Execution& e, std::vector<Violation>& out) {
    const auto& tr = e.trace;
    std::vector<TaskId> stuck;
    for (const auto& ti : tr.tasks)
      if (ti.id && ti.executor && !e.index.completed(ti.id)) stuck.push_back(ti.id);
    if (stuck.empty()) return;
    Violation v;
    v.kind = ViolationKind::hang;
    v.time = e.result.end_time;
    v.message = "hang: " + std::to_string(stuck.size()) + " task(s) never completed although the world went idle";
    v.detail = "the execution reached quiescence (nothing runnable, no timer pending) with these tasks suspended forever:\n";
    for (TaskId t : stuck) {
      v.tasks.push_back(t);
      detail::add_unique(v.locations, detail::spawn_site(tr, t));
      v.detail += "  " + detail::describe_task(tr, t);
      if (std::uint32_t last = e.index.last_record(t); last != TraceIndex::none) {
        const auto& r = tr.records[last];
        v.records.push_back(last);
        v.detail += ", last seen at " + detail::format_ms(r.time) + " (" + to_string(r.kind);
        if (r.kind == EventKind::channel_wait || r.kind == EventKind::mutex_wait)
          v.detail += " on object #" + std::to_string(r.object);
        v.detail += ")";
      }
      v.detail += "\n";
    }
    out.push_back(std::move(v));
  }

  // (race_lost index, loser, winner) for every loser. A record naming task 0 (a runtime that
  // did not know the children's ids) is resolved from the trace: the winner is the task
  // running on that thread, the losers its siblings from the same when_any (same parent, same
  // site, spawned next to it); left out when that cannot be told.
  static std::vector<std::array<std::uint32_t, 3>> race_losers(const trace::Trace& tr) {
    std::vector<std::array<std::uint32_t, 3>> out;
    std::map<trace::ThreadIndex, TaskId> running;
    const auto& recs = tr.records;
    for (std::uint32_t i = 0; i < recs.size(); ++i) {
      const auto& r = recs[i];
      if (r.kind == EventKind::resume) running[r.thread] = r.task;
      if (r.kind == EventKind::suspend) running[r.thread] = 0;
      if (r.kind != EventKind::race_lost) continue;
      if (r.task) {
        out.push_back({i, r.task, r.other});
        continue;
      }
      std::uint32_t k = 0;  // the group: consecutive race_lost records of one decision
      while (i + k < recs.size() && recs[i + k].kind == EventKind::race_lost && recs[i + k].thread == r.thread) ++k;
      TaskId w = running[r.thread];
      const trace::TaskInfo* wi = tr.task(w);
      if (wi && wi->executor == 0) {
        for (const auto& ti : tr.tasks)
          if (ti.id != w && ti.parent == wi->parent && ti.site == wi->site && ti.executor == 0 &&
              ti.id + k >= w && ti.id <= w + k)
            out.push_back({i, ti.id, w});
      }
      i += k - 1;
    }
    return out;
  }

  static void losers(const Execution& e, std::vector<Violation>& out) {
    const auto& tr = e.trace;
    std::set<TaskId> cancelled;
    for (const auto& r : tr.records)
      if (r.kind == EventKind::cancelled) cancelled.insert(r.task);
    for (auto [i, loser, winner] : race_losers(tr)) {
      const auto& r = tr.records[i];
      // The loser's last sign of life and whether it saw a cancellation, descendants included.
      std::uint32_t last_idx = i;
      bool any_cancelled = false;
      for (std::vector<TaskId> frontier{loser}; !frontier.empty();) {
        TaskId t = frontier.back();
        frontier.pop_back();
        any_cancelled = any_cancelled || cancelled.count(t);
        if (std::uint32_t last = e.index.last_record(t); last != TraceIndex::none && last > last_idx) last_idx = last;
        for (TaskId c : e.index.children(t)) frontier.push_back(c);
      }
      Nanos ran_on = tr.records[last_idx].time - r.time;
      if (any_cancelled || ran_on <= e.config.cancel_grace) continue;
      Violation v;
      v.kind = ViolationKind::hang;
      v.time = r.time + e.config.cancel_grace;
      v.tasks = {loser, winner};
      v.threads.push_back(tr.records[last_idx].thread);
      v.records = {i, last_idx};
      std::string site = detail::spawn_site(tr, loser);  // the when_any site
      detail::add_unique(v.locations, site);
      v.message = "hang: when_any loser " + tr.task_label(loser) +
                  " kept running after the race was decided, never cancelled";
      v.detail = tr.task_label(winner) + " won the race" + (site.empty() ? "" : " at " + site) + " at " +
                 detail::format_ms(r.time) + "\nloser " + tr.task_label(loser) + " ran on for " +
                 detail::format_ms(ran_on) + " (last: " + to_string(tr.records[last_idx].kind) + " at " +
                 detail::format_ms(tr.records[last_idx].time) + ") and never observed a cancellation\n" +
                 "pass the when_any stop_source's token to the losers' waits\n";
      out.push_back(std::move(v));
    }
  }
};

}  // namespace

std::unique_ptr<Property> detail::make_hang() { return std::make_unique<Hang>(); }

}  // namespace weft::properties
