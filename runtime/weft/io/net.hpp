// weft::io — byte streams and listeners, written once and run on two backends: real
// sockets (io/epoll.hpp) and the simulator's fake network (sim/net.hpp). Handler code
// takes a Stream& / Listener& and never learns which one it got.
//
// Every operation is a Task (one frame per call) that resumes on the context the caller
// captured, takes a std::stop_token and throws OperationCancelled when it is stopped
// first. Callers must name the task before awaiting it (g++ 12: no by-value arguments
// with destructors inside a co_await expression).
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "weft/task.hpp"
#include "weft/timer.hpp"

namespace weft::io {

// A failed network operation: refused, reset, unreachable, closed under our feet.
// `code` is an errno value (the simulator uses the same values).
class NetError : public std::runtime_error {
 public:
  NetError(int code, const std::string& what);
  int code() const noexcept { return code_; }

 private:
  int code_;
};

class Stream {
 public:
  virtual ~Stream() = default;
  // Reads at least one byte into `buf` (buf non-empty); 0 = the peer closed its side.
  virtual Task<std::size_t> read(std::span<char> buf, std::stop_token stop = {}) = 0;
  // Writes all of `data`; `data` must stay valid until the task completes.
  virtual Task<void> write(std::string_view data, std::stop_token stop = {}) = 0;
  // Closes both directions. No operation may be pending. Idempotent.
  virtual void close() = 0;
  // The executor that resumes this stream's operations without a hand-off (the event
  // loop it is registered with), or null when there is none.
  virtual Executor* home() const noexcept { return nullptr; }
};

class Listener {
 public:
  virtual ~Listener() = default;
  virtual Task<std::unique_ptr<Stream>> accept(std::stop_token stop = {}) = 0;
  // The port connections come to (the real one when listening on port 0).
  virtual std::uint16_t port() const = 0;
  // Stops listening. No accept may be pending. Idempotent.
  virtual void close() = 0;
};

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
}  // namespace detail

// Runs `make(token)` and stops it after `timeout` of platform time (TimedOut) or when
// `outer` is stopped (OperationCancelled). Returns only once the operation has ended, so
// a cancelled operation never outlives the buffers it was given.
template <class Make>
auto with_timeout(Nanos timeout, std::stop_token outer, Make make)
    -> Task<typename decltype(make(std::stop_token{}))::value_type> {
  using T = typename decltype(make(std::stop_token{}))::value_type;
  std::stop_source op_stop;
  std::stop_callback<detail::ForwardStop> link(outer, detail::ForwardStop{&op_stop});
  detail::Deadline deadline(op_stop);
  deadline.arm(timeout);
  std::optional<std::conditional_t<std::is_void_v<T>, std::monostate, T>> value;
  std::exception_ptr error;
  try {
    auto op = make(op_stop.get_token());
    if constexpr (std::is_void_v<T>) {
      co_await std::move(op);
      value.emplace();
    } else {
      value.emplace(co_await std::move(op));
    }
  } catch (...) {
    error = std::current_exception();
  }
  co_await deadline.disarm();
  if (error) {
    if (deadline.fired() && !outer.stop_requested() && detail::is_cancellation(error)) throw TimedOut();
    std::rethrow_exception(error);
  }
  if constexpr (!std::is_void_v<T>) co_return std::move(*value);
}

}  // namespace weft::io
