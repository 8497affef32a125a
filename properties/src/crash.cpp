// Crash: the body let an exception escape: an assertion written as a `throw`, or a join /
// block_on that rethrew a task's failure. Reported with the exception's text and, when a
// join rethrew it, the join's site and the task that threw.
#include "common.hpp"
#include "weft/spawn.hpp"

namespace weft::properties {
namespace {

class Crash final : public Property {
 public:
  const char* name() const noexcept override { return "crash"; }
  // Only an execution whose body threw.
  Triggers triggers() const noexcept override {
    return {0, Triggers::outcome(trace::Outcome::body_threw), false};
  }

  void check(const Execution& e, std::vector<Violation>& out) const override {
    if (e.result.outcome != trace::Outcome::body_threw) return;
    examine(e, out);
  }

 private:
  // The check proper, out of line: check() above is the cheap test most executions stop at.
  [[gnu::noinline]] void examine(const Execution& e, std::vector<Violation>& out) const {
    const auto& tr = e.trace;
    std::string what = e.result.body_error ? describe(e.result.body_error) : e.result.message;
    Violation v;
    v.kind = ViolationKind::crash;
    v.time = e.result.end_time;
    v.threads.push_back(0);
    v.message = "crash: the body threw: " + what;
    v.detail = "an exception escaped the body of the test (" + what + ")\n";
    // The join that rethrew it: the body's last observation of a failed task with that text.
    for (std::uint32_t i = std::uint32_t(tr.records.size()); i-- > 0;) {
      const auto& r = tr.records[i];
      if (r.kind != EventKind::exception_observed || r.thread != 0) continue;
      std::string thrown;
      for (std::uint32_t k = 0; k < i; ++k)
        if (tr.records[k].kind == EventKind::complete && tr.records[k].task == r.task) thrown = std::string(tr.text(tr.records[k]));
      if (thrown != what) continue;
      std::string site = detail::site_str(tr, r.site);
      v.tasks.push_back(r.task);
      v.records.push_back(i);
      detail::add_unique(v.locations, site);
      detail::add_unique(v.locations, detail::spawn_site(tr, r.task));
      v.message += " (rethrown by the join" + (site.empty() ? "" : " at " + site) + " from task " +
                   std::to_string(r.task) + ")";
      v.detail += "thrown by " + detail::describe_task(tr, r.task) + ", rethrown by the join" +
                  (site.empty() ? "" : " at " + site) + " at " + detail::format_ms(r.time) + "\n";
      break;
    }
    out.push_back(std::move(v));
  }
};

}  // namespace

std::unique_ptr<Property> detail::make_crash() { return std::make_unique<Crash>(); }

}  // namespace weft::properties
