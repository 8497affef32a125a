// Continuation affinity. By default an await resumes on the executor the awaiting coroutine
// was running on (the captured context). resume_anywhere(x) opts out, like .NET's
// ConfigureAwait(false): the continuation runs on whichever thread completed x.
#pragma once

#include "weft/spawn.hpp"
#include "weft/task.hpp"
#include "weft/timer.hpp"

namespace weft {

template <class T>
auto resume_anywhere(JoinHandle<T>& h) noexcept {
  return h.resume_anywhere();
}

inline detail::SleepAwaiter resume_anywhere(detail::SleepAwaiter&& s) noexcept {
  return detail::SleepAwaiter(s.delay, std::move(s.token), true);
}

namespace detail {
template <class T>
struct AnywhereTask {
  Task<T> task;
  ThreadState* started_on = nullptr;
  Executor* saved = nullptr;
  typename Task<T>::handle_type h;
  bool misuse = false;
  bool await_ready() noexcept {
    h = task.handle();
    misuse = !h || h.promise().started;
    return misuse;
  }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) noexcept {
    auto& s = thread_state();
    started_on = &s;
    saved = s.context;
    s.context = nullptr;  // the task's own awaits capture nothing
    h.promise().started = true;
    h.promise().continuation = awaiting;
    return h;
  }
  T await_resume() {
    // Completed without leaving this thread: the caller's context still applies.
    if (tls_state == started_on) started_on->context = saved;
    if (misuse) report_misuse("a Task awaited twice (or an empty Task awaited)");
    return h.promise().take();
  }
};
}  // namespace detail

template <class T>
detail::AnywhereTask<T> resume_anywhere(Task<T>&& t) noexcept {
  detail::AnywhereTask<T> a{std::move(t), nullptr, nullptr, {}, false};
  return a;
}

}  // namespace weft
