// Lost exception: the runtime emits `exception_dropped` when a faulted task's exception can
// no longer reach anyone (a detached task, a faulted JoinHandle dropped unjoined, when_all
// inner exceptions nobody looked at, a when_any loser's error). One violation per record,
// with the message and the spawn site.
#include "common.hpp"

namespace weft::properties {
namespace {

class LostExceptionProperty final : public Property {
 public:
  const char* name() const noexcept override { return "lost-exception"; }
  // One violation per `exception_dropped` record.
  Triggers triggers() const noexcept override { return {Triggers::kind(EventKind::exception_dropped), 0, false}; }

  void check(const Execution& e, std::vector<Violation>& out) const override {
    if (!e.index.has(EventKind::exception_dropped)) return;
    examine(e, out);
  }

 private:
  // The check proper, out of line: check() above is the cheap test most executions stop at.
  [[gnu::noinline]] void examine(const Execution& e, std::vector<Violation>& out) const {
    const auto& tr = e.trace;
    for (std::uint32_t i = 0; i < tr.records.size(); ++i) {
      const auto& r = tr.records[i];
      if (r.kind != EventKind::exception_dropped) continue;
      Violation v;
      v.kind = ViolationKind::lost_exception;
      v.time = r.time;
      v.threads.push_back(r.thread);
      v.records.push_back(i);
      std::string site = detail::site_str(tr, r.site);  // spawn site (or when_all site)
      detail::add_unique(v.locations, site);
      std::string what = r.task ? (r.value ? "detached " : "") + tr.task_label(r.task) : std::string("a when_all child");
      if (r.task) {
        v.tasks.push_back(r.task);
        detail::add_unique(v.locations, detail::spawn_site(tr, r.task));
        // Where it faulted: its complete record carries the message.
        for (std::uint32_t j = 0; j < i; ++j)
          if (tr.records[j].kind == EventKind::complete && tr.records[j].task == r.task) v.records.push_back(j);
      }
      v.message = "lost exception in " + what + (site.empty() ? "" : " spawned at " + site) + ": " +
                  std::string(tr.text(r));
      v.detail = "exception: " + std::string(tr.text(r)) + "\n" +
                 (r.task ? detail::describe_task(tr, r.task) : what + (site.empty() ? "" : " at " + site)) +
                 " faulted and nobody observed it" +
                 (r.value ? " (spawned detached: use spawn_supervised or keep the JoinHandle)"
                          : " (join/await the handle, or read AggregateError::exceptions())") +
                 "\ndropped at " + detail::format_ms(r.time) + " on " + tr.thread_name(r.thread) + "\n";
      out.push_back(std::move(v));
    }
  }
};

}  // namespace

std::unique_ptr<Property> detail::make_lost_exception() { return std::make_unique<LostExceptionProperty>(); }

}  // namespace weft::properties
