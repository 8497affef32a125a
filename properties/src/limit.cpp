// Limit: an execution that ended at its step, time or task limit is never a silent pass.
// The report says which limit and what was still waiting then: the threads blocked, and
// the chain from each waiting task to what it waits on. (A wait-for cycle inside it has
// already ended the execution as a deadlock.)
#include "common.hpp"
#include "weft/trace/waits.hpp"

namespace weft::properties {
namespace {

class Limit final : public Property {
 public:
  const char* name() const noexcept override { return "limit"; }
  // Only an execution cut at a limit.
  Triggers triggers() const noexcept override {
    return {0,
            Triggers::outcome(trace::Outcome::step_limit) | Triggers::outcome(trace::Outcome::time_limit) |
                Triggers::outcome(trace::Outcome::task_limit),
            false};
  }

  void check(const Execution& e, std::vector<Violation>& out) const override {
    auto o = e.result.outcome;
    if (o != trace::Outcome::step_limit && o != trace::Outcome::time_limit && o != trace::Outcome::task_limit) return;
    examine(e, out);
  }

 private:
  // The check proper, out of line: check() above is the cheap test most executions stop at.
  [[gnu::noinline]] void examine(const Execution& e, std::vector<Violation>& out) const {
    const auto& tr = e.trace;
    const trace::WaitGraph& g = e.index.waits();
    Violation v;
    v.kind = ViolationKind::limit;
    v.time = e.result.end_time;
    v.message = "limit: " + e.result.message;
    std::size_t unfinished = 0;
    for (const auto& ti : tr.tasks)
      if (ti.id && !g.completed(ti.id)) ++unfinished;
    v.detail = "the execution ended at its " + std::string(trace::to_string(e.result.outcome)) + " with " + std::to_string(unfinished) +
               " task(s) unfinished\n";
    std::string waiting;
    for (auto u : g.blocked_threads()) {
      auto chain = g.chain(trace::WaitGraph::Node{true, u});
      waiting += "  " + trace::WaitGraph::join(chain) + "\n";
      v.threads.push_back(u);
      for (auto& l : chain)
        for (auto& s : l.sites) detail::add_unique(v.locations, s);
    }
    for (TaskId t : g.waiting_tasks()) {
      auto chain = g.chain(trace::WaitGraph::Node{false, t});
      waiting += "  " + trace::WaitGraph::join(chain) + "\n";
      v.tasks.push_back(t);
      for (auto& l : chain) {
        for (auto& s : l.sites) detail::add_unique(v.locations, s);
        v.records.insert(v.records.end(), l.records.begin(), l.records.end());
      }
    }
    for (const auto& w : e.result.waiting)
      if (w.why == WaitKind::lock || w.why == WaitKind::join_thread)
        waiting += "  " + w.thread_name + (w.why == WaitKind::lock ? " waits for a lock\n" : " waits for a thread to exit\n");
    v.detail += waiting.empty() ? "nothing was waiting on a primitive or a task: something kept running (a loop, a "
                                  "periodic timer)\n"
                                : "still waiting:\n" + waiting;
    out.push_back(std::move(v));
  }
};

}  // namespace

std::unique_ptr<Property> detail::make_limit() { return std::make_unique<Limit>(); }

}  // namespace weft::properties
