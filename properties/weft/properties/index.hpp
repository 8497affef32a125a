// TraceIndex: what the properties ask of one execution's trace, computed once per execution
// and shared by all of them (instead of each property rebuilding the same maps).
//
// Built eagerly, in one pass over the records: which record kinds occur. Everything else
// is built on first use and kept: the latest virtual time, the threads, the completed tasks, each
// task's last record and its records in order, each task's children, and the wait-for
// graph replayed to the end of the trace (who waits for what, who holds what). A property
// first asks whether the kinds it reasons about occur at all, so an execution that has
// none of them costs it one test.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <vector>

#include "weft/trace/trace.hpp"
#include "weft/trace/waits.hpp"

namespace weft::properties {

class TraceIndex {
 public:
  explicit TraceIndex(const trace::Trace& trace);
  // With the kinds of its records already known (kinds_of(trace)).
  TraceIndex(const trace::Trace& trace, std::uint64_t kinds) noexcept;
  // The kinds of the records of `trace`, bit k for EventKind k.
  static std::uint64_t kinds_of(const trace::Trace& trace) noexcept {
    std::uint64_t kinds = 0;
    for (const trace::TraceRecord& r : trace.records) kinds |= std::uint64_t(1) << unsigned(r.kind);
    return kinds;
  }
  TraceIndex(const TraceIndex&) = delete;
  TraceIndex& operator=(const TraceIndex&) = delete;
  ~TraceIndex();

  const trace::Trace& trace() const noexcept { return trace_; }

  // Some record of kind k occurs.
  bool has(EventKind k) const noexcept { return (kinds_ >> unsigned(k)) & 1u; }
  // The kinds that occur, bit k for EventKind k.
  std::uint64_t kinds() const noexcept { return kinds_; }
  bool has_any(std::initializer_list<EventKind> ks) const noexcept {
    for (EventKind k : ks)
      if (has(k)) return true;
    return false;
  }
  // The latest record time (0 for an empty trace).
  Nanos last_time() const noexcept {
    if (!spans_) spans();
    return last_time_;
  }
  // Virtual threads: those the trace describes and every one a record names.
  std::size_t threads() const noexcept {
    if (!spans_) spans();
    return threads_;
  }

  // A `complete` record of task t occurs.
  bool completed(TaskId t) const;
  // Index of task t's last record that shows it alive (race_lost and exception
  // observed/dropped records name a task without it running): none when it has none.
  static constexpr std::uint32_t none = UINT32_MAX;
  std::uint32_t last_record(TaskId t) const;
  // The records naming task t (as `task`), in order.
  const std::vector<std::uint32_t>& records_of(TaskId t) const;
  // The tasks spawned by t (0: spawned outside any task), in creation order.
  const std::vector<TaskId>& children(TaskId t) const;
  // The wait-for graph with every record applied: the state at the end of the execution.
  const trace::WaitGraph& waits() const;

 private:
  struct Tasks;  // the per-task tables, built together on first use
  const Tasks& tasks() const;
  void spans() const noexcept;  // last_time_ and threads_, on first use

  const trace::Trace& trace_;
  std::uint64_t kinds_ = 0;
  mutable bool spans_ = false;
  mutable Nanos last_time_ = 0;
  mutable std::size_t threads_ = 0;
  mutable std::unique_ptr<Tasks> tasks_;
  mutable std::unique_ptr<trace::WaitGraph> waits_;
};

}  // namespace weft::properties
