// User invariants and liveness monitors (see invariant.hpp).
//   invariant: an `invariant_failed` record is an error at its site.
//   monitor:   `monitor_hot`/`monitor_cold` records (value = threshold): hot for longer than its
//              threshold is a violation; so is hot at the end of an execution that ended
//              idle or deadlocked (nothing will cool it any more). A monitor still hot when
//              a limit cut the execution short counts only once it exceeded its threshold.
#include "weft/properties/invariant.hpp"

#include <algorithm>
#include <map>

#include "weft/executor.hpp"

#include "common.hpp"

namespace weft {
namespace detail {

void emit_invariant_failed(std::string_view name, const std::source_location& where) {
  auto& p = current_platform();
  if (!p.tracing()) return;
  p.emit(trace::event::invariant_failed(current_task(), name, where));
}

void emit_monitor(bool hot, std::string_view name, Nanos threshold, const std::source_location& where) {
  auto& p = current_platform();
  if (!p.tracing()) return;
  p.emit(trace::event::monitor(hot, current_task(), name, threshold, where));
}

void emit_probe(std::string_view label, Nanos latency, Nanos deadline, const std::source_location& where) {
  auto& p = current_platform();
  if (!p.tracing()) return;
  p.emit(trace::event::probe(current_task(), label, latency, deadline, where));
}

}  // namespace detail

namespace properties {
namespace {

class Invariant final : public Property {
 public:
  const char* name() const noexcept override { return "invariant"; }
  // A failed invariant, or a monitor that became hot.
  Triggers triggers() const noexcept override {
    return {Triggers::kind(EventKind::invariant_failed) | Triggers::kind(EventKind::monitor_hot), 0, false};
  }

  void check(const Execution& e, std::vector<Violation>& out) const override {
    if (!e.index.has_any({EventKind::invariant_failed, EventKind::monitor_hot})) return;
    examine(e, out);
  }

 private:
  // The check proper, out of line: check() above is the cheap test most executions stop at.
  [[gnu::noinline]] void examine(const Execution& e, std::vector<Violation>& out) const {
    const auto& tr = e.trace;
    struct Hot {
      std::uint32_t since;
      Nanos threshold;
    };
    std::map<std::string, Hot> hot;
    auto monitor_violation = [&](const std::string& name, const Hot& h, Nanos until, std::uint32_t cold, bool at_end) {
      const auto& r = tr.records[h.since];
      Violation v;
      v.kind = ViolationKind::invariant;
      v.time = at_end ? until : r.time + h.threshold;
      v.threads.push_back(r.thread);
      if (r.task) v.tasks.push_back(r.task);
      v.records.push_back(h.since);
      if (cold != UINT32_MAX) v.records.push_back(cold);
      detail::add_unique(v.locations, detail::site_str(tr, r.site));
      Nanos span = until - r.time;
      v.message = "liveness: monitor '" + name + "' " +
                  (at_end ? "still hot when the execution ended (hot for " + detail::format_ms(span) + ")"
                          : "hot for " + detail::format_ms(span) + " (threshold " + detail::format_ms(h.threshold) + ")");
      v.detail = "monitor '" + name + "' became hot at " + detail::format_ms(r.time) + " on " +
                 tr.thread_name(r.thread) + (r.site ? " at " + detail::site_str(tr, r.site) : std::string()) + "\n" +
                 (at_end ? "and never became cold again (execution ended " +
                               std::string(trace::to_string(e.result.outcome)) + " at " + detail::format_ms(until) + ")\n"
                         : "and became cold only at " + detail::format_ms(until) + "\n");
      out.push_back(std::move(v));
    };
    for (std::uint32_t i = 0; i < tr.records.size(); ++i) {
      const auto& r = tr.records[i];
      std::string_view text = tr.text(r);
      if (r.kind == EventKind::invariant_failed) {
        std::string name(text);
        Violation v = detail::violation_at(tr, std::uint32_t(i), ViolationKind::invariant);
        std::string site = detail::site_str(tr, r.site);
        v.message = "invariant violated: " + name;
        v.detail = "invariant '" + name + "' was false" + (site.empty() ? "" : " at " + site) + " on " +
                   tr.thread_name(r.thread) + (r.task ? " in " + detail::describe_task(tr, r.task) : std::string()) +
                   " at " + detail::format_ms(r.time) + "\n";
        out.push_back(std::move(v));
        continue;
      }
      if (r.kind == EventKind::monitor_hot) {
        hot.emplace(std::string(text), Hot{i, r.value});
      } else if (r.kind == EventKind::monitor_cold) {
        std::string name(text);
        auto it = hot.find(name);
        if (it == hot.end()) continue;
        if (r.time - tr.records[it->second.since].time > it->second.threshold)
          monitor_violation(name, it->second, r.time, i, false);
        hot.erase(it);
      }
    }
    Nanos end = e.result.end_time;
    bool final_state = e.result.outcome == trace::Outcome::completed || e.result.outcome == trace::Outcome::deadlock;
    for (auto& [name, h] : hot) {
      bool over = end - tr.records[h.since].time > h.threshold;
      if (final_state)
        monitor_violation(name, h, end, UINT32_MAX, true);
      else if (over)
        monitor_violation(name, h, end, UINT32_MAX, false);
    }
  }
};

}  // namespace

std::unique_ptr<Property> detail::make_invariant() { return std::make_unique<Invariant>(); }

}  // namespace properties
}  // namespace weft
