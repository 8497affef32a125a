// Task<T>: a lazy, move-only coroutine. Awaiting it starts it by symmetric transfer; its
// result or exception comes back to the awaiter. spawn() runs one on an executor and
// returns a JoinHandle (see spawn.hpp); the same frame then carries the join state, so a
// spawned task costs no allocation beyond its coroutine frame.
#pragma once

#include <atomic>
#include <coroutine>
#include <exception>
#include <memory>
#include <optional>
#include <source_location>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "weft/executor.hpp"
#include "weft/platform.hpp"

namespace weft {

// A single-use awaitable awaited twice, a JoinHandle joined twice, ...: always this, never UB.
class MisuseError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

template <class T = void>
class Task;

namespace detail {
// Emits a misuse event and throws MisuseError(what).
[[noreturn]] void report_misuse(const char* what);
}  // namespace detail

namespace detail {

struct JoinWaiter;  // spawn.hpp

struct StartJob : Job {
  std::coroutine_handle<> handle;
};

// A spawned task's `state` word: two flag bits, and the registered JoinWaiter* (or 0) in
// the rest. One compare-and-swap both claims the single-use handle and registers a waiter.
inline constexpr std::uintptr_t kDone = 1;        // the coroutine reached final_suspend (and let go)
inline constexpr std::uintptr_t kConsumed = 2;    // the handle was awaited or joined
inline constexpr std::uintptr_t kHandleGone = 4;  // the handle let go (dropped, or detached)
inline constexpr std::uintptr_t kStateFlags = 7;

// Coroutine frames come from a per-thread cache of recently freed blocks by size class:
// spawn-heavy code then rarely reaches malloc. Blocks may be freed on another thread.
void* frame_alloc(std::size_t bytes);
void frame_free(void* p, std::size_t bytes) noexcept;
// Turns this thread's cache of coroutine frames off (and on again): a simulation that may
// free an execution's heap wholesale must not keep its frames in a cache.
void set_frame_cache(bool enabled) noexcept;

class PromiseBase {
 public:
  static void* operator new(std::size_t bytes) { return frame_alloc(bytes); }
  static void operator delete(void* p, std::size_t bytes) noexcept { frame_free(p, bytes); }
  std::suspend_always initial_suspend() noexcept { return {}; }

  struct FinalAwaiter {
    bool await_ready() noexcept { return false; }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
      return h.promise().on_final();
    }
    void await_resume() noexcept {}
  };
  FinalAwaiter final_suspend() noexcept { return {}; }

  void unhandled_exception() noexcept { exception_ = std::current_exception(); }

  const std::source_location& where() const noexcept { return where_; }
  void set_where(const std::source_location& w) noexcept { where_ = w; }
  // The task's name: the one given (Task::named, spawn(ex, t, name)), else the coroutine's
  // function name ("orders::fetch_user", "lambda in main").
  std::string_view name() const noexcept;
  void set_name(std::string_view n) { name_ = std::make_unique<std::string>(n); }
  bool faulted() const noexcept { return exception_ != nullptr; }
  const std::exception_ptr& exception() const noexcept { return exception_; }

  // --- spawn support (used only when the task is a spawned root) ---
  StartJob start_job;              // queued on the executor to run the task
  std::atomic<std::uintptr_t> state{0};  // kDone | kConsumed | kHandleGone | JoinWaiter*
  bool spawned = false;
  bool detached = false;
  bool observed = false;  // the result or exception was taken (by the handle's owner)
  TaskId id = 0;
  Platform* platform = nullptr;
  std::coroutine_handle<> self;

  std::coroutine_handle<> on_final() noexcept;  // spawn.cpp: continuation or join bookkeeping
  void release() noexcept;                      // the handle lets go; frees the frame if done
  void report_if_lost() noexcept;

  std::coroutine_handle<> continuation;
  bool started = false;
  std::exception_ptr exception_;
  std::source_location where_;
  std::source_location origin_;  // the coroutine function itself (for its default name)
  std::unique_ptr<std::string> name_;  // null: not named (most tasks: one pointer, no string)
};

template <class T>
class Promise : public PromiseBase {
 public:
  // The default argument is evaluated in the coroutine's own body: origin_ names it.
  explicit Promise(std::source_location origin = std::source_location::current()) noexcept { origin_ = origin; }
  Task<T> get_return_object() noexcept;
  template <class U>
  void return_value(U&& v) noexcept(std::is_nothrow_constructible_v<T, U&&>) {
    value_.emplace(std::forward<U>(v));
  }
  T take() {
    if (exception_) std::rethrow_exception(exception_);
    return std::move(*value_);
  }
  std::optional<T> value_;
};

template <>
class Promise<void> : public PromiseBase {
 public:
  explicit Promise(std::source_location origin = std::source_location::current()) noexcept { origin_ = origin; }
  Task<void> get_return_object() noexcept;
  void return_void() noexcept {}
  void take() {
    if (exception_) std::rethrow_exception(exception_);
  }
};

}  // namespace detail

template <class T>
class [[nodiscard]] Task {
 public:
  using promise_type = detail::Promise<T>;
  using value_type = T;
  using handle_type = std::coroutine_handle<promise_type>;

  Task() noexcept = default;
  explicit Task(handle_type h) noexcept : h_(h) {}
  Task(Task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  Task& operator=(Task&& o) noexcept {
    if (this != &o) {
      destroy();
      h_ = std::exchange(o.h_, {});
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() { destroy(); }

  bool valid() const noexcept { return bool(h_); }
  // Records where the task was created; taken by spawn/block_on for reports.
  Task&& at(std::source_location w) && noexcept {
    if (h_) h_.promise().set_where(w);
    return std::move(*this);
  }

  auto operator co_await() && noexcept {
    struct Awaiter {
      handle_type h;
      bool misuse = false;
      bool await_ready() noexcept {
        // Awaiting an empty task, or one already started, is a misuse reported at resume.
        misuse = !h || h.promise().started;
        return misuse;
      }
      std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) noexcept {
        h.promise().started = true;
        h.promise().continuation = awaiting;
        return h;
      }
      T await_resume() {
        if (misuse) detail::report_misuse("a Task awaited twice (or an empty Task awaited)");
        return h.promise().take();
      }
    };
    return Awaiter{h_};
  }

  // Names the task for traces and reports (default: its coroutine function's name).
  Task&& named(std::string_view name) && {
    if (h_) h_.promise().set_name(name);
    return std::move(*this);
  }
  std::string_view name() const noexcept { return h_ ? h_.promise().name() : std::string_view{}; }

  handle_type release() noexcept { return std::exchange(h_, {}); }
  handle_type handle() const noexcept { return h_; }

 private:
  void destroy() noexcept {
    if (h_) h_.destroy();
    h_ = {};
  }
  handle_type h_;
};

namespace detail {
template <class T>
Task<T> Promise<T>::get_return_object() noexcept {
  return Task<T>{std::coroutine_handle<Promise<T>>::from_promise(*this)};
}
inline Task<void> Promise<void>::get_return_object() noexcept {
  return Task<void>{std::coroutine_handle<Promise<void>>::from_promise(*this)};
}
}  // namespace detail

}  // namespace weft
