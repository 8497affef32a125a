#include "weft/trace/event.hpp"

namespace weft {

const char* to_string(EventKind k) noexcept {
  switch (k) {
    case EventKind::thread_start: return "thread_start";
    case EventKind::thread_exit: return "thread_exit";
    case EventKind::executor_create: return "executor_create";
    case EventKind::spawn: return "spawn";
    case EventKind::schedule: return "schedule";
    case EventKind::resume: return "resume";
    case EventKind::suspend: return "suspend";
    case EventKind::complete: return "complete";
    case EventKind::block: return "block";
    case EventKind::wake: return "wake";
    case EventKind::timer_arm: return "timer_arm";
    case EventKind::timer_fire: return "timer_fire";
    case EventKind::io_submit: return "io_submit";
    case EventKind::io_complete: return "io_complete";
    case EventKind::blocking_begin: return "blocking_begin";
    case EventKind::blocking_end: return "blocking_end";
    case EventKind::exception_thrown: return "exception_thrown";
    case EventKind::exception_observed: return "exception_observed";
    case EventKind::exception_dropped: return "exception_dropped";
    case EventKind::mutex_wait: return "mutex_wait";
    case EventKind::mutex_acquire: return "mutex_acquire";
    case EventKind::mutex_release: return "mutex_release";
    case EventKind::channel_wait: return "channel_wait";
    case EventKind::channel_wake: return "channel_wake";
    case EventKind::cancel_request: return "cancel_request";
    case EventKind::cancelled: return "cancelled";
    case EventKind::misuse: return "misuse";
    case EventKind::hop: return "hop";
    case EventKind::probe: return "probe";
    case EventKind::race_lost: return "race_lost";
    case EventKind::user: return "user";
    case EventKind::invariant_failed: return "invariant_failed";
    case EventKind::monitor_hot: return "monitor_hot";
    case EventKind::monitor_cold: return "monitor_cold";
    case EventKind::fault: return "fault";
    case EventKind::join_wait: return "join_wait";
    case EventKind::sem_wait: return "sem_wait";
    case EventKind::sem_acquire: return "sem_acquire";
    case EventKind::sem_release: return "sem_release";
    case EventKind::event_wait: return "event_wait";
    case EventKind::event_set: return "event_set";
    case EventKind::channel_send: return "channel_send";
    case EventKind::channel_receive: return "channel_receive";
    case EventKind::channel_close: return "channel_close";
    case EventKind::object_create: return "object_create";
    case EventKind::access: return "access";
  }
  return "?";
}

const char* to_string(ObjectKind k) noexcept {
  switch (k) {
    case ObjectKind::executor: return "executor";
    case ObjectKind::mutex: return "mutex";
    case ObjectKind::semaphore: return "semaphore";
    case ObjectKind::event: return "event";
    case ObjectKind::channel: return "channel";
    case ObjectKind::task_group: return "task_group";
    case ObjectKind::other: return "object";
    case ObjectKind::variable: return "variable";
  }
  return "object";
}

}  // namespace weft
