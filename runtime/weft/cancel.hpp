// Cancellation and deadlines as combinators: with_timeout and with_stop.
//
// Cancellation in weft is cooperative and explicit: an operation takes a std::stop_token and
// ends with OperationCancelled when it is stopped first. These combinators build on that:
//
//   with_timeout(d, outer, [&](std::stop_token t) { return fetch(id, t); })
//       runs the operation with a token that is stopped after `d` of platform time or when
//       `outer` is; TimedOut for the deadline, OperationCancelled for `outer`.
//   with_timeout(task, d, source)      the same for a task already built with source's token.
//   with_stop(task, outer, source)     stops `source` (the task's) when `outer` is stopped.
//
// Each returns only once the operation has ended, so a cancelled operation never outlives
// the buffers or locals it was given. The functions here are plain functions that start a
// coroutine, so they may be called inside a co_await expression with any arguments.
#pragma once

#include <atomic>
#include <exception>
#include <optional>
#include <stop_token>
#include <type_traits>
#include <variant>

#include "weft/task.hpp"
#include "weft/timer.hpp"

namespace weft {

namespace detail {

struct ForwardStop {
  std::stop_source* to;
  void operator()() const noexcept { to->request_stop(); }
};

// Requests stop on `target` when `timeout` of platform time passes, unless disarmed first.
// The owner must co_await disarm() before it goes away: if the timer is firing at that
// moment, disarm() waits until the stop request (and the callbacks it runs) has finished.
class Deadline : TimerEntry {
 public:
  explicit Deadline(std::stop_source& target) noexcept;
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;
  void arm(Nanos timeout);
  bool fired() const noexcept { return fired_.load(std::memory_order_acquire); }

  struct DisarmAwaiter {
    Deadline* d;
    bool await_ready() noexcept;
    bool await_suspend(std::coroutine_handle<> h) noexcept;
    void await_resume() const noexcept {}
  };
  DisarmAwaiter disarm() noexcept { return DisarmAwaiter{this}; }

 private:
  static void fire(Job* j) noexcept;
  struct FireJob : Job {
    Deadline* owner;
  };
  std::stop_source* target_;
  TimerService* service_ = nullptr;
  FireJob fire_job_;
  std::atomic<bool> fired_{false};
  // 0: the fire job has not finished; 1: it has; 2: the owner waits for it (resume_).
  std::atomic<int> fire_state_{0};
  Executor* waiter_ctx_ = nullptr;
  ResumeJob resume_;
};

bool is_cancellation(const std::exception_ptr& e) noexcept;

// What `co_await a` gives for an awaitable `a`: a Task's value_type, else await_resume's type.
template <class A>
auto awaited_result_impl(int) -> typename A::value_type;
template <class A>
auto awaited_result_impl(long) -> decltype(std::declval<A&>().await_resume());
template <class A>
using awaited_result_t = decltype(awaited_result_impl<std::remove_cvref_t<A>>(0));

template <class T>
using Stored = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

// The body of every timed operation. `outer` is forwarded to the operation's own source;
// `deadline_stop` is the source the deadline stops (the operation's, or the task's).
template <class T, class Run>
Task<T> run_with_deadline(Nanos timeout, std::stop_token outer, std::stop_source* target, bool has_timeout, Run run) {
  std::stop_callback<ForwardStop> link(outer, ForwardStop{target});
  Deadline deadline(*target);
  if (has_timeout) deadline.arm(timeout);
  std::optional<Stored<T>> value;
  std::exception_ptr error;
  try {
    if constexpr (std::is_void_v<T>) {
      co_await run();
      value.emplace();
    } else {
      value.emplace(co_await run());
    }
  } catch (...) {
    error = std::current_exception();
  }
  if (has_timeout) co_await deadline.disarm();
  if (error) {
    if (deadline.fired() && !outer.stop_requested() && is_cancellation(error)) throw TimedOut();
    std::rethrow_exception(error);
  }
  if constexpr (!std::is_void_v<T>) co_return std::move(*value);
}

template <class T, class Make>
Task<T> timeout_make(Nanos timeout, std::stop_token outer, Make make) {
  std::stop_source op_stop;
  // `make` runs inside the frame: its awaitable lives until the operation ends.
  // Named before it is awaited: no by-value argument with a destructor inside a co_await
  // expression (g++ 12 may destroy it twice, GCC PR 99576).
  auto op = run_with_deadline<T>(timeout, std::move(outer), &op_stop, true, [&]() { return make(op_stop.get_token()); });
  co_return co_await std::move(op);
}

template <class T>
Task<T> timeout_task(Task<T> task, Nanos timeout, std::stop_source* source, std::stop_token outer, bool has_timeout) {
  auto op = run_with_deadline<T>(timeout, std::move(outer), source, has_timeout,
                                 [&]() -> Task<T>&& { return std::move(task); });
  co_return co_await std::move(op);
}

}  // namespace detail

// Runs `make(token)` (any awaitable: a Task, a lock, a receive...) and stops it after
// `timeout` of platform time (TimedOut) or when `outer` is stopped (OperationCancelled).
template <class Make>
auto with_timeout(Nanos timeout, std::stop_token outer, Make make)
    -> Task<detail::awaited_result_t<decltype(make(std::stop_token{}))>> {
  using T = detail::awaited_result_t<decltype(make(std::stop_token{}))>;
  return detail::timeout_make<T>(timeout, std::move(outer), std::move(make));
}
template <class Make>
auto with_timeout(Nanos timeout, Make make) -> decltype(with_timeout(timeout, std::stop_token{}, std::move(make))) {
  return with_timeout(timeout, std::stop_token{}, std::move(make));
}

// `task` was built with `source`'s token: requests stop on it after `timeout` (TimedOut) or
// when `outer` is stopped (OperationCancelled), and returns once the task has ended.
template <class T>
Task<T> with_timeout(Task<T> task, Nanos timeout, std::stop_source& source, std::stop_token outer = {}) {
  return detail::timeout_task<T>(std::move(task), timeout, &source, std::move(outer), true);
}

// `task` was built with `source`'s token: requests stop on it when `outer` is stopped.
template <class T>
Task<T> with_stop(Task<T> task, std::stop_token outer, std::stop_source& source) {
  return detail::timeout_task<T>(std::move(task), 0, &source, std::move(outer), false);
}

}  // namespace weft
