// The recorder: turns what the runtime reports (TraceEvent, through Platform::emit) into a
// trace. One record per event, stamped with the time, step and thread the platform gives,
// and the tables that follow from records kept beside them: tasks with their spawn site,
// parent, executor, name and stable key (spawn), executors (executor_create), objects
// (object_create), and the executor a thread belongs to and serves (thread_start, then
// resume). The platform adds each thread's entry (Trace::threads, its name) before it
// reports the thread's thread_start.
#pragma once

#include <cstdint>
#include <vector>

#include "weft/trace/event.hpp"
#include "weft/trace/trace.hpp"

namespace weft::trace {

class Recorder {
 public:
  explicit Recorder(Trace& trace) noexcept : trace_(&trace) {}
  // Forgets what it knew of the previous execution (the trace itself is cleared by its owner).
  void clear() noexcept { child_ordinals_.clear(); }
  // Appends the record of `e` and returns its index. `on_thread`: the event comes from
  // virtual thread `thread` (false: from outside any, recorded on thread 0).
  std::uint32_t record(const TraceEvent& e, Nanos time, std::uint32_t step, ThreadIndex thread, bool on_thread);

 private:
  Trace* trace_;
  std::vector<std::uint32_t> child_ordinals_;  // per task: children spawned so far
};

}  // namespace weft::trace
