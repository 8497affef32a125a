// spawn / spawn_detached / block_on / JoinHandle, and the lost-exception hook.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <source_location>
#include <stop_token>
#include <string>
#include <type_traits>

#include "weft/cancel.hpp"
#include "weft/executor.hpp"
#include "weft/task.hpp"

namespace weft {

// A faulted task nobody observed: a detached task's escaping exception, a JoinHandle
// dropped without join, the ignored children of when_all.
struct LostException {
  std::exception_ptr error;
  std::string message;
  std::source_location where;  // spawn site
  TaskId task = 0;
  bool detached = false;
  std::string name;  // the task's name (given, or its coroutine function's); may be empty
};
using UnhandledExceptionHandler = std::function<void(const LostException&)>;
// Process-wide hook; returns the previous one. The default prints one line to stderr.
UnhandledExceptionHandler set_unhandled_exception_handler(UnhandledExceptionHandler h);
// Text of an exception_ptr ("std::runtime_error: what" style, or "unknown exception").
std::string describe(const std::exception_ptr& e);

namespace detail {

// Registered on a spawned task; notified once when it completes.
struct JoinWaiter {
  Executor* ctx = nullptr;  // where to run `job`; null = inline on the completing thread
  Job* job = nullptr;
};

void prepare_spawn(PromiseBase& p, std::coroutine_handle<> h, Platform& pl, const std::source_location& where,
                   ObjectId executor, bool detached);
void report_lost(const LostException& e, Platform& pl);
// The exception of `p` (if any) reached its awaiter / joiner (`where`: the join site).
void emit_observed(PromiseBase& p, const std::source_location* where = nullptr);
// A `join_wait` record: the current task awaits task `on`.
void emit_join_wait(TaskId on);
void emit_block(Platform& pl, TaskId on, const std::source_location& where);
// The handle's single use, when the task is already done: claims it and returns true.
// Not done: returns false and claims nothing. Throws MisuseError (`what`) if already used.
bool claim_if_done(PromiseBase& p, const char* what);
enum class Claim : std::uint8_t { registered, done, twice };
// Claims the handle and registers `w` in one step: `registered` (w->job will be run on
// completion), `done` (claimed; the task completed meanwhile, nothing will be run), or
// `twice` (the handle was already used; nothing changed).
Claim claim_and_register(PromiseBase& p, JoinWaiter* w) noexcept;
// Takes `w` off `p`'s state word and unclaims the handle, unless the task completed first
// (then its completion runs w->job). The compare-and-swap here and the completion's
// fetch_or are the one decision between "withdrawn" and "delivered": never both, never none.
bool withdraw_waiter(PromiseBase& p, JoinWaiter* w) noexcept;
// Runs a spawned-but-not-posted task inline on the calling thread as task `p.id`.
void run_inline(PromiseBase& p) noexcept;
enum class JoinEnd : std::uint8_t { done, stopped, timed_out };
// Claims the handle (MisuseError `what` if already used) and parks the calling thread
// until `p` is done (`done`: claimed), `stop` is stopped (`stopped`) or `timeout` of platform
// time passed (`timed_out`). The last two withdraw the claim: the handle may be used again.
JoinEnd park_until_done(PromiseBase& p, const std::source_location& where, const char* what,
                        const std::stop_token& stop = {}, Nanos timeout = no_deadline);
// Records that the current task (or thread) gave up waiting for task `on` (a `cancelled`
// record, other = on), then throws TimedOut or OperationCancelled.
[[noreturn]] void throw_join_withdrawn(TaskId on, bool timed_out);

// The body of JoinHandle::wait(token): a join wait that its stop token may withdraw.
// The waiter resumes once two parties have arrived: await_suspend, when its set-up is
// complete, and the one decider, either the completing task (it found the waiter
// registered) or the stop callback (withdraw_waiter took it off first). So the set-up may
// still touch the awaiter after registering, and a stop racing with the completion gives
// either outcome, the result delivered once or left in the handle.
class StoppableJoin : public JoinWaiter {
 public:
  StoppableJoin(PromiseBase* p, std::stop_token stop) noexcept;
  StoppableJoin(const StoppableJoin&) = delete;
  StoppableJoin& operator=(const StoppableJoin&) = delete;
  bool ready();                                     // await_ready
  bool suspend(std::coroutine_handle<> c) noexcept;  // await_suspend
  void finish();  // await_resume before the value is taken: misuse or cancellation throw here

 private:
  void arrive() noexcept;
  struct ArriveJob : Job {
    StoppableJoin* self;
  };
  struct OnStop {
    StoppableJoin* self;
    void operator()() const noexcept;
  };
  PromiseBase* p_;
  std::stop_token stop_;
  bool cancelled_ = false;  // written by the decider before it arrives
  bool twice_ = false;
  std::atomic<int> pending_{2};
  Executor* resume_ctx_ = nullptr;
  ArriveJob arrive_;
  ResumeJob resume_;
  std::optional<std::stop_callback<OnStop>> on_stop_;
};

}  // namespace detail

template <class T>
class [[nodiscard]] JoinHandle {
 public:
  using handle_type = std::coroutine_handle<detail::Promise<T>>;
  JoinHandle() noexcept = default;
  explicit JoinHandle(handle_type h) noexcept : h_(h) {}
  JoinHandle(JoinHandle&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  JoinHandle& operator=(JoinHandle&& o) noexcept {
    if (this != &o) {
      reset();
      h_ = std::exchange(o.h_, {});
    }
    return *this;
  }
  ~JoinHandle() { reset(); }

  bool valid() const noexcept { return bool(h_); }
  bool done() const noexcept { return h_ && (h_.promise().state.load(std::memory_order_acquire) & detail::kDone); }
  TaskId id() const noexcept { return h_ ? h_.promise().id : 0; }
  // Lets the task run on unobserved; an exception it throws goes to the unhandled hook.
  void detach() noexcept {
    if (h_) h_.promise().detached = true;
    reset();
  }

  // Awaiting resumes on the awaiting coroutine's captured context (its executor).
  struct Awaiter : detail::JoinWaiter {
    Awaiter(handle_type hh, bool any) noexcept : h(hh), anywhere(any) {}
    handle_type h;
    bool anywhere = false;
    bool twice = false;  // a concurrent second await lost the claim in await_suspend
    ResumeJob resume;
    static constexpr const char* kTwice = "a JoinHandle awaited twice (single-use result)";
    bool await_ready() {
      if (!h) throw MisuseError("weft: awaited an empty JoinHandle");
      return detail::claim_if_done(h.promise(), kTwice);
    }
    bool await_suspend(std::coroutine_handle<> c) noexcept {
      resume.handle = c;
      resume.task = current_task();
      ctx = anywhere ? nullptr : current_context();
      job = &resume;
      TaskId on = h.promise().id;
      detail::Claim r = detail::claim_and_register(h.promise(), this);
      // Registered: the task may complete and resume us elsewhere at once; touch nothing of
      // ours (a simulation records the wait before any other thread can run).
      if (r == detail::Claim::registered) {
        detail::emit_join_wait(on);
        return true;
      }
      twice = r == detail::Claim::twice;
      return false;
    }
    T await_resume() {
      if (twice) detail::report_misuse(kTwice);
      detail::emit_observed(h.promise());
      return h.promise().take();
    }
  };
  Awaiter operator co_await() & noexcept { return Awaiter(h_, false); }
  Awaiter operator co_await() && noexcept { return Awaiter(h_, false); }
  Awaiter resume_anywhere() noexcept { return Awaiter(h_, true); }

  struct StopAwaiter : detail::StoppableJoin {
    StopAwaiter(handle_type hh, std::stop_token t) noexcept
        : StoppableJoin(hh ? &hh.promise() : nullptr, std::move(t)), h(hh) {}
    handle_type h;
    bool await_ready() { return ready(); }
    bool await_suspend(std::coroutine_handle<> c) noexcept { return suspend(c); }
    T await_resume() {
      finish();
      return h.promise().take();
    }
  };
  // Bounded waits. They end with the task's result, or with OperationCancelled (`stop` was
  // stopped first) / TimedOut (`timeout` of platform time passed first). Giving up withdraws
  // the wait only: the task runs on, and the handle stays valid, so it may be awaited again,
  // joined or detached (dropping it then reports an exception the task throws as lost).
  // To cancel the task itself, build it with a stop source's token (with_timeout(task, d, src)).
  // A stop and a completion at the same instant give either outcome, never a result lost
  // or delivered twice. A task already done delivers its result even to a stopped token or
  // a timeout of 0 (so wait(0) polls); otherwise a token stopped before the wait cancels it.
  //   co_await handle.wait(token)   co_await handle.wait(200_ms)   co_await handle.wait(200_ms, token)
  StopAwaiter wait(std::stop_token stop = {}) noexcept { return StopAwaiter(h_, std::move(stop)); }
  Task<T> wait(Nanos timeout, std::stop_token stop = {}) {
    return with_timeout(timeout, std::move(stop), [this](std::stop_token t) { return wait(std::move(t)); });
  }

  // Blocks the calling thread until the task completes (sync-over-async).
  T join(std::source_location where = std::source_location::current()) {
    return join_until(std::stop_token{}, no_deadline, where);
  }
  // Blocking forms of the bounded waits above (same outcomes; the handle stays valid).
  T join(std::stop_token stop, std::source_location where = std::source_location::current()) {
    return join_until(std::move(stop), no_deadline, where);
  }
  T join(Nanos timeout, std::stop_token stop = {}, std::source_location where = std::source_location::current()) {
    return join_until(std::move(stop), timeout, where);
  }

 private:
  T join_until(const std::stop_token& stop, Nanos timeout, const std::source_location& where) {
    if (!h_) throw MisuseError("weft: joined an empty JoinHandle");
    auto& p = h_.promise();
    auto end = detail::park_until_done(p, where, "a JoinHandle joined twice (single-use result)", stop, timeout);
    if (end != detail::JoinEnd::done) detail::throw_join_withdrawn(p.id, end == detail::JoinEnd::timed_out);
    detail::emit_observed(p, &where);
    return p.take();
  }
  void reset() noexcept {
    if (h_) h_.promise().release();
    h_ = {};
  }
  handle_type h_;
};

// Runs `task` on `ex`; hot: it is queued at once. The handle is awaitable once and joinable.
template <class T>
JoinHandle<T> spawn(Executor& ex, Task<T> task, std::source_location where = std::source_location::current()) {
  auto h = task.release();
  if (!h) throw MisuseError("weft: spawned an empty Task");
  detail::prepare_spawn(h.promise(), h, ex.platform(), where, ex.id(), false);
  ex.post(&h.promise().start_job);
  return JoinHandle<T>(h);
}

// As above, naming the task for traces and reports: spawn(pool, refresh(), "refresh-prices").
template <class T>
JoinHandle<T> spawn(Executor& ex, Task<T> task, std::string_view name,
                    std::source_location where = std::source_location::current()) {
  return spawn(ex, std::move(task).named(name), where);
}

// Fire-and-forget: an escaping exception reaches the unhandled-exception hook.
template <class T>
void spawn_detached(Executor& ex, Task<T> task, std::source_location where = std::source_location::current()) {
  auto h = task.release();
  if (!h) throw MisuseError("weft: spawned an empty Task");
  detail::prepare_spawn(h.promise(), h, ex.platform(), where, ex.id(), true);
  ex.post(&h.promise().start_job);
  h.promise().release();  // the handle's reference
}

// Sync-over-async: runs `task` on the calling thread until it first suspends, then really
// blocks this thread until it completes. Continuations captured to this thread's executor
// are queued behind the blocked thread: the classic `.Result` deadlock, on purpose.
template <class T>
T block_on(Task<T> task, std::source_location where = std::source_location::current()) {
  auto h = task.release();
  if (!h) throw MisuseError("weft: block_on of an empty Task");
  auto& p = h.promise();
  detail::prepare_spawn(p, h, current_platform(), where, 0, false);
  JoinHandle<T> handle(h);
  detail::run_inline(p);
  return handle.join(where);
}

template <class T>
T block_on(JoinHandle<T>& handle, std::source_location where = std::source_location::current()) {
  return handle.join(where);
}
template <class T>
T block_on(JoinHandle<T>&& handle, std::source_location where = std::source_location::current()) {
  return handle.join(where);
}

// Bounded blocking waits: as JoinHandle::join(stop) and join(timeout, stop). On
// OperationCancelled / TimedOut the task runs on and an lvalue handle stays valid; a
// temporary handle is dropped (the task then runs on as if detached).
template <class T>
T block_on(JoinHandle<T>& handle, std::stop_token stop, std::source_location where = std::source_location::current()) {
  return handle.join(std::move(stop), where);
}
template <class T>
T block_on(JoinHandle<T>&& handle, std::stop_token stop, std::source_location where = std::source_location::current()) {
  return handle.join(std::move(stop), where);
}
template <class T>
T block_on(JoinHandle<T>& handle, Nanos timeout, std::stop_token stop = {},
           std::source_location where = std::source_location::current()) {
  return handle.join(timeout, std::move(stop), where);
}
template <class T>
T block_on(JoinHandle<T>&& handle, Nanos timeout, std::stop_token stop = {},
           std::source_location where = std::source_location::current()) {
  return handle.join(timeout, std::move(stop), where);
}

// `task` was built with `source`'s token: block_on(with_timeout(task, timeout, source)).
// Unlike the handle forms this cancels the task, and returns only once it has ended.
template <class T>
T block_on(Task<T> task, Nanos timeout, std::stop_source& source,
           std::source_location where = std::source_location::current()) {
  return block_on(with_timeout(std::move(task), timeout, source), where);
}
// `task` was built with `source`'s token: block_on(with_stop(task, outer, source)).
template <class T>
T block_on(Task<T> task, std::stop_token outer, std::stop_source& source,
           std::source_location where = std::source_location::current()) {
  return block_on(with_stop(std::move(task), std::move(outer), source), where);
}

// A supervised spawn: an exception is observed and passed to `on_error` (the fix for
// fire-and-forget); the task still runs detached.
template <class T, class OnError>
void spawn_supervised(Executor& ex, Task<T> task, OnError on_error,
                      std::source_location where = std::source_location::current()) {
  auto wrapper = [](Task<T> t, OnError on_err) -> Task<void> {
    try {
      co_await std::move(t);
    } catch (...) {
      on_err(std::current_exception());
    }
  };
  std::string name(task.name());
  spawn_detached(ex, wrapper(std::move(task), std::move(on_error)).named(name), where);
}

}  // namespace weft
