// The one place a TraceEvent is made: a builder per kind that says, by its parameters, what
// each field of that kind's record means (the schema of weft/trace/trace.hpp, written as
// code). Everything that reports to a platform (the runtime, the simulator, the adapters,
// the properties' user-facing calls, scenario probes) calls these:
//
//   if (p.tracing()) p.emit(trace::event::spawn(id, parent, executor, detached, where, name));
//
// tests/tools/tidy.sh fails if product code builds a TraceEvent anywhere else.
#pragma once

#include <cstdint>
#include <source_location>
#include <string_view>

#include "weft/trace/event.hpp"

namespace weft::trace::event {

// A source location as records keep it (file has static storage). No file and line 0 is
// "no site".
struct Site {
  const char* file = nullptr;
  std::uint32_t line = 0;
  Site() = default;
  Site(const std::source_location& w) noexcept : file(w.file_name()), line(w.line()) {}  // NOLINT: implicit on purpose
  Site(const std::source_location* w) noexcept : Site(w ? Site(*w) : Site()) {}         // NOLINT: null = no site
};

namespace detail {
// The only constructor of a TraceEvent outside tests.
constexpr TraceEvent make(EventKind kind, TaskId task, TaskId other = 0, ObjectId object = 0,
                          std::int64_t value = 0, Site site = {}, std::string_view text = {}) noexcept {
  TraceEvent e{kind};
  e.task = task;
  e.other = other;
  e.object = object;
  e.value = value;
  e.file = site.file;
  e.line = site.line;
  e.text = text;
  return e;
}
}  // namespace detail

// Threads (schema 2). `index`: the virtual thread started; `executor`: the executor it
// belongs to (0: none: main, timer, reactor); `serves`: it runs that executor's jobs (a
// worker; false: it only helps it, as a pool's injector). The recorder fills the trace's
// threads table from this record; Trace::hash leaves `executor` and `serves` out (the table
// hashes the executor a thread serves, as schema-1 hashes did).
inline TraceEvent thread_start(std::uint32_t index, ObjectId executor, bool serves) noexcept {
  return detail::make(EventKind::thread_start, 0, serves, executor, index);
}

// Executors and objects.
inline TraceEvent executor_create(ObjectId executor, std::string_view name) noexcept {
  return detail::make(EventKind::executor_create, 0, 0, executor, 0, {}, name);
}
// `by`: the task creating it (0: outside any task); `name` may be empty.
inline TraceEvent object_create(TaskId by, ObjectId object, ObjectKind kind, std::string_view name, Site declared) noexcept {
  return detail::make(EventKind::object_create, by, 0, object, std::int64_t(kind), declared, name);
}

// Tasks. `executor` 0: inline / block_on / a when_* child; `name`: the task's name (may be empty).
inline TraceEvent spawn(TaskId task, TaskId parent, ObjectId executor, bool detached, Site where,
                        std::string_view name) noexcept {
  return detail::make(EventKind::spawn, task, parent, executor, detached, where, name);
}
inline TraceEvent schedule(TaskId task, ObjectId executor) noexcept {
  return detail::make(EventKind::schedule, task, 0, executor);
}
inline TraceEvent resume(TaskId task, ObjectId executor) noexcept {
  return detail::make(EventKind::resume, task, 0, executor);
}
inline TraceEvent suspend(TaskId task, ObjectId executor) noexcept {
  return detail::make(EventKind::suspend, task, 0, executor);
}
// `error`: the exception's message when the task faulted (empty otherwise).
inline TraceEvent complete(TaskId task, std::string_view error = {}) noexcept {
  return detail::make(EventKind::complete, task, 0, 0, 0, {}, error);
}
// `task` awaits the JoinHandle of `on`.
inline TraceEvent join_wait(TaskId task, TaskId on) noexcept { return detail::make(EventKind::join_wait, task, on); }
// The reporting thread blocks (block_on) on task `on`; `task` is the task it was running.
inline TraceEvent block(TaskId task, TaskId on, Site where) noexcept {
  return detail::make(EventKind::block, task, on, 0, 0, where);
}
inline TraceEvent wake(TaskId task, TaskId on) noexcept { return detail::make(EventKind::wake, task, on); }
// when_any: `loser` lost the race to `winner`.
inline TraceEvent race_lost(TaskId loser, TaskId winner) noexcept {
  return detail::make(EventKind::race_lost, loser, winner);
}

// Exceptions and misuse.
// `observer` received the exception of `task`.
inline TraceEvent exception_observed(TaskId task, TaskId observer, Site where) noexcept {
  return detail::make(EventKind::exception_observed, task, observer, 0, 0, where);
}
// Nobody ever will receive it; `spawned`: the task's spawn site.
inline TraceEvent exception_dropped(TaskId task, bool detached, Site spawned, std::string_view message) noexcept {
  return detail::make(EventKind::exception_dropped, task, 0, 0, detached, spawned, message);
}
inline TraceEvent misuse(TaskId task, std::string_view what) noexcept {
  return detail::make(EventKind::misuse, task, 0, 0, 0, {}, what);
}

// Time and blocking work.
inline TraceEvent timer_arm(TaskId task, Nanos deadline) noexcept {
  return detail::make(EventKind::timer_arm, task, 0, 0, deadline);
}
inline TraceEvent timer_fire(TaskId task, Nanos deadline) noexcept {
  return detail::make(EventKind::timer_fire, task, 0, 0, deadline);
}
inline TraceEvent blocking(bool begin, TaskId task, WorkKind kind, Nanos duration, Site where) noexcept {
  return detail::make(begin ? EventKind::blocking_begin : EventKind::blocking_end, task, 0, ObjectId(kind), duration, where);
}

// Cancellation. `object`: what the waiting operation waited on (0: a timer); `on`: the task
// it awaited, if any.
inline TraceEvent cancel_request(TaskId task, Site where) noexcept {
  return detail::make(EventKind::cancel_request, task, 0, 0, 0, where);
}
inline TraceEvent cancelled(TaskId task, ObjectId object, TaskId on) noexcept {
  return detail::make(EventKind::cancelled, task, on, object);
}

// Synchronisation objects, one family: `kind` is mutex_wait/acquire/release, sem_wait/
// acquire/release, event_wait/set, channel_wait/send/receive/close. `other`: for mutex_wait
// the owner waited for; `value`: sem_acquire the permits left, sem_release the permits
// given back, channel_wait 1 for a sender (0 receiver); 0 otherwise.
constexpr bool is_sync(EventKind k) noexcept {
  switch (k) {
    case EventKind::mutex_wait: case EventKind::mutex_acquire: case EventKind::mutex_release:
    case EventKind::channel_wait: case EventKind::channel_wake:
    case EventKind::sem_wait: case EventKind::sem_acquire: case EventKind::sem_release:
    case EventKind::event_wait: case EventKind::event_set:
    case EventKind::channel_send: case EventKind::channel_receive: case EventKind::channel_close: return true;
    default: return false;
  }
}
inline TraceEvent sync(EventKind kind, TaskId task, ObjectId object, TaskId other, std::int64_t value, Site where) noexcept {
  return detail::make(kind, task, other, object, value, where);
}
// `task` read or wrote weft::Shared variable `variable`.
inline TraceEvent access(TaskId task, ObjectId variable, VariableAccess a, Site where) noexcept {
  return detail::make(EventKind::access, task, 0, variable, std::int64_t(a), where);
}

// What users and the world report.
// weft::annotate: the user's text, nothing else read into it.
inline TraceEvent annotation(TaskId task, std::string_view text, Site where) noexcept {
  return detail::make(EventKind::user, task, 0, 0, 0, where, text);
}
inline TraceEvent invariant_failed(TaskId task, std::string_view name, Site where) noexcept {
  return detail::make(EventKind::invariant_failed, task, 0, 0, 0, where, name);
}
inline TraceEvent monitor(bool hot, TaskId task, std::string_view name, Nanos threshold, Site where) noexcept {
  return detail::make(hot ? EventKind::monitor_hot : EventKind::monitor_cold, task, 0, 0, threshold, where, name);
}
// A latency probe: `deadline` a full 64-bit duration (0: none; travels in object:other).
inline TraceEvent probe(TaskId task, std::string_view label, Nanos latency, Nanos deadline, Site where) noexcept {
  TraceEvent e = detail::make(EventKind::probe, task, 0, 0, latency, where, label);
  set_probe_deadline(e, deadline);
  return e;
}
// A fault point `name` asked the world and was told `fired`.
inline TraceEvent fault(TaskId task, std::string_view name, bool fired) noexcept {
  return detail::make(EventKind::fault, task, 0, 0, fired, {}, name);
}

}  // namespace weft::trace::event
