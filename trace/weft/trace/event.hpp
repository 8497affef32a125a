// The trace's vocabulary: what the runtime reports through Platform::emit (EventKind,
// TraceEvent), the ids and the time unit every record carries. It is the base of the
// project's targets: the runtime speaks it, the simulator records it (weft/trace/trace.hpp),
// the properties and renderers read it. weft/platform.hpp includes it, so users of the
// runtime see the same names in namespace weft as before.
#pragma once

#include <cstdint>
#include <string_view>

namespace weft {

using Nanos = std::int64_t;  // nanoseconds; real or virtual time depending on the platform
inline constexpr Nanos operator""_ns(unsigned long long v) { return Nanos(v); }
inline constexpr Nanos operator""_us(unsigned long long v) { return Nanos(v) * 1000; }
inline constexpr Nanos operator""_ms(unsigned long long v) { return Nanos(v) * 1000000; }
inline constexpr Nanos operator""_s(unsigned long long v) { return Nanos(v) * 1000000000; }
inline constexpr Nanos no_deadline = INT64_MAX;

using TaskId = std::uint32_t;    // 0 = no task; assigned in creation order per platform
using ObjectId = std::uint32_t;  // executors, mutexes, channels...; 0 = none

// Why a thread is parked. Properties tell an idle worker from a blocked one by this.
enum class WaitKind : std::uint8_t {
  idle,         // a worker with nothing to do: never part of a deadlock
  block_on,     // sync-over-async: waits for `task`
  join_thread,  // waits for a thread to exit
  timer,        // the timer thread waiting for its next deadline
  lock,         // an internal platform mutex (fine granularity only)
  io,           // an I/O poller waiting for readiness
};

// Blocking work that occupies a thread for a duration (a legacy synchronous call, CPU work).
enum class WorkKind : std::uint8_t { blocking_io, cpu_work };

// What the runtime reports as it goes. A simulated platform records these as the trace;
// RealPlatform ignores them unless a sink is installed.
enum class EventKind : std::uint8_t {
  thread_start, thread_exit,
  executor_create,     // object = executor id, text = name
  spawn,               // task spawned (task, parent in `other`, object = executor)
  schedule,            // task's continuation queued on executor `object`
  resume,              // a thread starts running task
  suspend,             // task suspended (running thread returns to its loop)
  complete,            // task finished (text = exception message if faulted)
  block,               // thread blocks on task `other` (block_on)
  wake,                // thread woken
  timer_arm, timer_fire,
  io_submit, io_complete,
  blocking_begin, blocking_end,  // object = WorkKind, value = duration
  exception_thrown,    // a task faulted
  exception_observed,  // somebody received the exception
  exception_dropped,   // nobody ever will (lost exception)
  mutex_wait, mutex_acquire, mutex_release,  // async mutex `object`
  channel_wait, channel_wake,                // channel/event/semaphore `object`
  cancel_request,      // stop requested on source `object`
  cancelled,           // a waiting operation of `task` observed its cancellation
  misuse,              // text = what
  hop,                 // a pool task whose body only awaited another async task (redundant hop)
  probe,               // user latency probe: value = latency ns, deadline ns in object:other (set_probe_deadline; 0 = none)
  race_lost,           // when_any: task lost the race to `other`
  user,                // an annotation: text = what the user wrote (weft::annotate)
  // Appended kinds (never insert above: saved traces and hashes depend on the values).
  invariant_failed,    // text = invariant name (weft::invariant was false)
  monitor_hot,         // text = monitor name, value = threshold ns
  monitor_cold,        // text = monitor name, value = threshold ns
  fault,               // text = fault point name, value = 1 fired / 0 held
  join_wait,           // task awaits the JoinHandle of task `other`
  sem_wait,            // task waits for a permit of semaphore `object`
  sem_acquire,         // task took a permit of semaphore `object` (value = permits left)
  sem_release,         // task released `value` permits of semaphore `object`
  event_wait,          // task waits for event `object`
  event_set,           // task set event `object`
  channel_send,        // task put a value into channel `object` (value = values buffered after)
  channel_receive,     // task took a value from channel `object`
  channel_close,       // task closed channel `object`
  object_create,       // object = id, value = ObjectKind, text = name (may be empty), site = declaration
  access,              // task read or wrote weft::Shared variable `object` (value = VariableAccess: 0 read, 1 write), site = where
};
const char* to_string(EventKind k) noexcept;

// What an object_create record created (its `value`).
enum class ObjectKind : std::uint8_t { executor, mutex, semaphore, event, channel, task_group, other,
                                       variable,  // a weft::Shared<T> (appended: values are saved in traces)
};
const char* to_string(ObjectKind k) noexcept;

// What an access record did to its variable (its `value`).
enum class VariableAccess : std::uint8_t { read = 0, write = 1 };

struct TraceEvent {
  EventKind kind;
  TaskId task = 0;
  TaskId other = 0;
  ObjectId object = 0;
  std::int64_t value = 0;
  const char* file = nullptr;  // from std::source_location: static storage
  std::uint32_t line = 0;
  std::string_view text{};     // valid only during the call; copy it if kept
};

// A probe's deadline is a full 64-bit duration: its high half travels in `object`, its low
// half in `other` (a probe names no task or object of its own). Set and read only here.
inline void set_probe_deadline(TraceEvent& e, Nanos deadline) noexcept {
  auto d = static_cast<std::uint64_t>(deadline > 0 ? deadline : 0);
  e.object = static_cast<ObjectId>(d >> 32);
  e.other = static_cast<TaskId>(d & 0xffffffffu);
}
inline Nanos probe_deadline(std::uint32_t object, std::uint32_t other) noexcept {
  return static_cast<Nanos>((std::uint64_t(object) << 32) | other);
}

}  // namespace weft
