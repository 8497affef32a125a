// Misuse.
//   error:   every `misuse` record (a single-use result awaited or joined twice, ...).
//   warning: a redundant hop: a task spawned on an executor whose whole life, between its
//            first resume and its complete, is: it spawned exactly one task on an executor,
//            suspended until that task completed, and did nothing else (no blocking work, no
//            timer, no other wait: no record of its own but resume/suspend/schedule). Only
//            when the hop buys nothing: both on the same executor, or the outer one on a pool
//            (an executor with two or more threads; leaving a UI thread is a legitimate
//            offload). The runtime's own `hop` records count too.
#include <map>
#include <set>

#include "common.hpp"

namespace weft::properties {
namespace {

class Misuse final : public Property {
 public:
  const char* name() const noexcept override { return "misuse"; }
  // A `misuse` record; a redundant hop is a `hop` record or a spawn that did nothing else.
  Triggers triggers() const noexcept override {
    return {Triggers::kind(EventKind::misuse) | Triggers::kind(EventKind::hop) | Triggers::kind(EventKind::spawn), 0,
            false};
  }

  void check(const Execution& e, std::vector<Violation>& out) const override {
    const auto& tr = e.trace;
    const auto& recs = tr.records;
    for (std::uint32_t i = 0; i < recs.size() && e.index.has(EventKind::misuse); ++i) {
      const auto& r = recs[i];
      if (r.kind != EventKind::misuse) continue;
      Violation v;
      v.kind = ViolationKind::misuse;
      v.time = r.time;
      v.threads.push_back(r.thread);
      v.records.push_back(i);
      if (r.task) v.tasks.push_back(r.task);
      detail::add_unique(v.locations, detail::site_str(tr, r.site));
      detail::add_unique(v.locations, detail::spawn_site(tr, r.task));
      v.message = "misuse: " + std::string(tr.text(r));
      v.detail = std::string(tr.text(r)) + "\nin " + (r.task ? detail::describe_task(tr, r.task) : std::string("the body")) +
                 " on " + tr.thread_name(r.thread) + " at " + detail::format_ms(r.time) + " (MisuseError thrown)\n";
      out.push_back(std::move(v));
    }
    // A redundant hop is a `hop` record, or a task that spawned another (a spawn record
    // naming its parent) and did nothing else.
    if (e.config.report_warnings && e.index.has_any({EventKind::hop, EventKind::spawn})) hops(e, out);
  }

 private:
  static void hops(const Execution& e, std::vector<Violation>& out) {
    const auto& tr = e.trace;
    const auto& recs = tr.records;
    struct Life {
      std::uint32_t first_resume = UINT32_MAX, complete = UINT32_MAX, hop = UINT32_MAX;
      std::vector<TaskId> children;
      bool other_work = false;
      bool suspended_after_spawn = false;
    };
    std::map<TaskId, Life> life;
    std::map<TaskId, std::uint32_t> complete_at;
    for (std::uint32_t i = 0; i < recs.size(); ++i) {
      const auto& r = recs[i];
      if (r.kind == EventKind::spawn && r.other) {
        auto& l = life[r.other];
        l.children.push_back(r.task);
        continue;
      }
      if (!r.task) continue;
      auto& l = life[r.task];
      switch (r.kind) {
        case EventKind::resume:
          if (l.first_resume == UINT32_MAX) l.first_resume = i;
          break;
        case EventKind::suspend:
          if (!l.children.empty()) l.suspended_after_spawn = true;
          break;
        case EventKind::schedule: break;
        case EventKind::complete:
          l.complete = i;
          complete_at[r.task] = i;
          if (!tr.text(r).empty()) l.other_work = true;  // it faulted: not a pure forwarder
          break;
        case EventKind::hop: l.hop = i; break;
        case EventKind::exception_thrown:
        case EventKind::exception_observed:
        case EventKind::exception_dropped:
        case EventKind::race_lost:
        case EventKind::join_wait:  // awaiting the inner task is what a hop does
        case EventKind::spawn: break;
        default: l.other_work = true; break;
      }
    }
    for (auto& [task, l] : life) {
      const trace::TaskInfo* ti = tr.task(task);
      if (!ti) continue;
      bool hop = l.hop != UINT32_MAX;
      TaskId inner = 0;
      if (!hop && ti->executor && !l.other_work && l.children.size() == 1 && l.suspended_after_spawn &&
          l.first_resume != UINT32_MAX && l.complete != UINT32_MAX) {
        inner = l.children.front();
        const trace::TaskInfo* ci = tr.task(inner);
        auto c = complete_at.find(inner);
        hop = ci && ci->executor && c != complete_at.end() && c->second < l.complete &&
              (ci->executor == ti->executor || detail::threads_of(tr, ti->executor).size() >= 2);
      }
      if (!hop) continue;
      Violation v;
      v.kind = ViolationKind::misuse;
      v.severity = Severity::warning;
      v.tasks.push_back(task);
      if (inner) v.tasks.push_back(inner);
      v.time = recs[l.complete != UINT32_MAX ? l.complete : l.hop].time;
      if (l.first_resume != UINT32_MAX) v.records.push_back(l.first_resume);
      if (l.complete != UINT32_MAX) v.records.push_back(l.complete);
      std::string site = detail::spawn_site(tr, task);
      detail::add_unique(v.locations, site);
      detail::add_unique(v.locations, detail::spawn_site(tr, inner));
      v.message = "redundant hop: " + tr.task_label(task) + (site.empty() ? "" : " spawned at " + site) +
                  " only awaited another task";
      v.detail = detail::describe_task(tr, task) + " did nothing but " +
                 (inner ? "spawn and await " + detail::describe_task(tr, inner) : std::string("await another task")) +
                 ": one extra queue hop and one extra thread per request\nawait the inner task directly\n";
      out.push_back(std::move(v));
    }
  }
};

}  // namespace

std::unique_ptr<Property> detail::make_misuse() { return std::make_unique<Misuse>(); }

}  // namespace weft::properties
