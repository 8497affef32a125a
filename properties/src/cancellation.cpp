// Cancellation latency: work of a cancelled operation still running cancel_grace after the
// stop was requested.
//
// The cancelled operation of a `cancel_request` (time t0, requested by task C) is the
// operation C belongs to: the descendants of C's parent P (through TaskInfo::parent), minus C
// itself and its ancestors (the requester and whoever awaits it go on legitimately). When C
// is 0 (requested from outside any task, e.g. the body) every task is in scope. A task D in
// scope is late when it recorded no `cancelled` at or after t0 and yet, after t0 + grace,
// it is still in blocking work, a timer of it fires, it is resumed, or it completes normally.
#include <algorithm>
#include <map>
#include <set>

#include "common.hpp"

namespace weft::properties {
namespace {

class Cancellation final : public Property {
 public:
  const char* name() const noexcept override { return "cancellation"; }
  // Each finding starts at a `cancel_request`.
  Triggers triggers() const noexcept override {
    return {Triggers::kind(EventKind::cancel_request), 0, false};
  }

  void check(const Execution& e, std::vector<Violation>& out) const override {
    if (!e.index.has(EventKind::cancel_request)) return;
    examine(e, out);
  }

 private:
  // The check proper, out of line: check() above is the cheap test most executions stop at.
  [[gnu::noinline]] void examine(const Execution& e, std::vector<Violation>& out) const {
    const auto& tr = e.trace;
    const auto& recs = tr.records;
    // Each request looks at its own operation's records only (the index keeps the records
    // and the children of every task).
    for (std::uint32_t i = 0; i < recs.size(); ++i) {
      const auto& req = recs[i];
      if (req.kind != EventKind::cancel_request) continue;
      Nanos t0 = req.time, late_after = req.time + e.config.cancel_grace;
      TaskId requester = req.task;
      const trace::TaskInfo* ci = tr.task(requester);
      TaskId owner = ci ? ci->parent : 0;
      std::set<TaskId> exempt{requester};
      for (const trace::TaskInfo* a = ci; a && a->parent; a = tr.task(a->parent)) exempt.insert(a->parent);
      std::vector<TaskId> scope;
      for (std::vector<TaskId> frontier{owner}; !frontier.empty();) {
        TaskId t = frontier.back();
        frontier.pop_back();
        for (TaskId c : e.index.children(t)) {
          frontier.push_back(c);
          if (!exempt.count(c)) scope.push_back(c);
        }
      }
      std::set<TaskId> in_scope_set(scope.begin(), scope.end());
      auto in_scope = [&](TaskId d) { return in_scope_set.count(d) != 0; };
      std::set<TaskId> saw_cancel;
      std::map<TaskId, std::uint32_t> late;  // task -> first late record
      std::map<TaskId, std::uint32_t> open_blocking;  // task -> its blocking_begin still open
      for (TaskId d : scope) {
        for (std::uint32_t j : e.index.records_of(d)) {
          const auto& r = recs[j];
          if (r.kind == EventKind::blocking_begin) open_blocking[d] = j;
          if (r.kind == EventKind::blocking_end) open_blocking.erase(d);
          if (r.kind == EventKind::cancelled && r.time >= t0) saw_cancel.insert(d);
          if (r.time <= late_after) continue;
          bool work = false;
          switch (r.kind) {
            case EventKind::blocking_end:  // it was in blocking work past the grace period
            case EventKind::blocking_begin:
            case EventKind::timer_fire:
            case EventKind::resume:
              work = true;
              break;
            case EventKind::complete:
              work = tr.text(r).empty();  // a normal completion, not a fault
              break;
            default: break;
          }
          if (work && !late.count(d)) late[d] = j;
        }
      }
      // Blocking work still open when the execution ended.
      Nanos end = e.result.end_time;
      for (auto& [t, j] : open_blocking)
        if (end > late_after && in_scope(t) && !late.count(t)) late[t] = j;
      for (auto it = late.begin(); it != late.end();)
        it = saw_cancel.count(it->first) ? late.erase(it) : std::next(it);
      if (late.empty()) continue;

      Violation v;
      v.kind = ViolationKind::cancellation;
      v.time = late_after;
      v.records.push_back(i);
      std::string req_site = detail::site_str(tr, req.site);
      detail::add_unique(v.locations, req_site);
      v.message = "cancellation: " + std::to_string(late.size()) + " task(s) kept working more than " +
                  detail::format_ms(e.config.cancel_grace) + " after stop was requested" +
                  (req_site.empty() ? "" : " at " + req_site);
      v.detail = "stop requested at " + detail::format_ms(t0) + " by " +
                 (requester ? detail::describe_task(tr, requester) : std::string("the body")) + "\n";
      for (auto& [t, j] : late) {
        const auto& r = recs[j];
        v.tasks.push_back(t);
        v.records.push_back(j);
        if (std::find(v.threads.begin(), v.threads.end(), r.thread) == v.threads.end()) v.threads.push_back(r.thread);
        std::string site = detail::site_str(tr, r.site);
        detail::add_unique(v.locations, detail::spawn_site(tr, t));
        detail::add_unique(v.locations, site);
        v.detail += "  " + detail::describe_task(tr, t) + " never observed the cancellation; ";
        if (r.kind == EventKind::blocking_begin || r.kind == EventKind::blocking_end)
          v.detail += std::string(WorkKind(r.object) == WorkKind::cpu_work ? "cpu_work" : "blocking_io") + "(" +
                      detail::format_ms(r.value) + ")" + (site.empty() ? "" : " at " + site) + " still running at " +
                      detail::format_ms(late_after) + "\n";
        else
          v.detail += std::string(to_string(r.kind)) + " at " + detail::format_ms(r.time) + "\n";
      }
      v.detail += "pass the stop_token down to every wait of the operation (sleep_for, receive, ...)\n";
      out.push_back(std::move(v));
    }
  }
};

}  // namespace

std::unique_ptr<Property> detail::make_cancellation() { return std::make_unique<Cancellation>(); }

}  // namespace weft::properties
