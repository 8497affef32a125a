// Timers: one timer thread per platform, started through the Platform seam, so that a
// simulated platform turns it into a virtual thread on a virtual clock.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <stop_token>
#include <vector>

#include "weft/executor.hpp"

namespace weft {

class OperationCancelled : public std::runtime_error {
 public:
  OperationCancelled() : std::runtime_error("operation cancelled") {}
};

// The executor a wait would have resumed on was destroyed first: the wait was cancelled.
// Not a lost exception when it ends a detached task (shutting down is how such tasks end).
class ExecutorShutDown : public OperationCancelled {
 public:
  ExecutorShutDown() = default;
};

class TimedOut : public std::runtime_error {
 public:
  TimedOut() : std::runtime_error("operation timed out") {}
};

// An armed timer. Owned by its awaiter; the service holds a pointer until it fires or is
// cancelled.
struct TimerEntry : Job {
  // Every change of `state` away from kArmed is made under the service's lock, by exactly
  // one of: the timer thread (fired), a cancel (cancelled), the shutdown of the executor it
  // resumes on (shut down). Whoever makes it resumes the waiter; nobody else touches it.
  static constexpr int kArmed = 0, kFired = 1, kCancelled = 2, kShutDown = 3;
  Nanos deadline = 0;
  std::uint64_t seq = 0;
  std::atomic<int> state{0};
  Executor* ctx = nullptr;
  Job* on_fire = nullptr;
  bool armed = false;  // guarded by the service's mutex
  // Where the entry sits in the service's heap (SIZE_MAX: not in it); guarded by its mutex.
  // Lets cancel() remove it in O(log n) instead of searching and rebuilding the heap.
  std::size_t heap_index = SIZE_MAX;
};

class TimerService {
 public:
  explicit TimerService(Platform& p);
  ~TimerService();
  // Arms `e` unless it was cancelled already; false then.
  bool arm(TimerEntry* e);
  enum class Cancel { too_late, before_armed, while_armed };
  // Cancels `e` (it will not fire) unless it fired already. With while_armed the caller
  // resumes the waiter; with before_armed, arm() will refuse and the waiter resumes itself.
  Cancel cancel(TimerEntry* e);
  // An executor is being destroyed: the entries that would resume on it are cancelled (their
  // waiters, posted to it, throw ExecutorShutDown) and arm() refuses new ones for it.
  void close(Executor& ex);
  void stop();
  // Drops the thread handle without joining (a simulation abandoned the execution).
  void abandon() noexcept { thread_.reset(); }

 private:
  void loop();
  Platform& p_;
  std::unique_ptr<PlatformMutex> m_;
  std::vector<TimerEntry*> heap_;  // a binary min-heap on (deadline, seq)
  std::uint64_t seq_ = 0;
  bool stopping_ = false;
  Nanos sleeping_until_ = no_deadline;
  std::unique_ptr<Parker> parker_;
  std::unique_ptr<PlatformThread> thread_;
};

namespace detail {
// Records that the calling task observed its cancellation (waiting on `object`, if any),
// then throws OperationCancelled. Every cancellable wait ends this way.
// With `shut_down`, throws ExecutorShutDown (the waiter's executor was destroyed).
[[noreturn]] void throw_cancelled(ObjectId object = 0, bool shut_down = false);
// The `cancelled` record alone: the calling task gave up waiting on `object` (or, for a
// JoinHandle wait, on task `on`). throw_cancelled and the JoinHandle waits emit it.
void emit_cancelled(ObjectId object, TaskId on = 0);

struct SleepAwaiter : TimerEntry {
  SleepAwaiter(Nanos d, std::stop_token t, bool any = false, Nanos j = 0) noexcept
      : delay(d), token(std::move(t)), anywhere(any), jitter(j) {}
  Nanos delay;
  std::stop_token token;
  bool anywhere = false;
  Nanos jitter = 0;  // the sleep lasts delay + a draw in [0, jitter]
  bool cancelled = false;
  TimerService* service = nullptr;
  ResumeJob resume;
  struct OnStop {
    SleepAwaiter* self;
    void operator()() const noexcept;
  };
  std::optional<std::stop_callback<OnStop>> on_stop;
  bool await_ready() const noexcept { return delay <= 0 && !token.stop_requested(); }
  bool await_suspend(std::coroutine_handle<> h);
  void await_resume();
};
}  // namespace detail

// Suspends for `d` of platform time; throws OperationCancelled if `token` is stopped first.
inline detail::SleepAwaiter sleep_for(Nanos d, std::stop_token token = {}) {
  return detail::SleepAwaiter(d, std::move(token));
}
// Suspends for `d` plus a draw in [0, jitter]: a latency range (in simulation a recorded
// decision, shrunk toward `d`; on real threads a pseudo-random one).
inline detail::SleepAwaiter sleep_for(Nanos d, Nanos jitter, std::stop_token token = {}) {
  return detail::SleepAwaiter(d, std::move(token), false, jitter > 0 ? jitter : 0);
}

// Requests stop and records it in the trace (cancellation latency is measured from here).
void request_stop(std::stop_source& source, std::source_location where = std::source_location::current());

}  // namespace weft
