// Async synchronisation: Mutex, Semaphore, Event, Channel<T>. Waiters are intrusive Jobs
// resumed on the context they captured; waiting allocates nothing.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <source_location>
#include <stop_token>
#include <string>
#include <string_view>

#include "weft/cancel.hpp"
#include "weft/executor.hpp"
#include "weft/task.hpp"
#include "weft/timer.hpp"

namespace weft {

namespace detail {
// A suspended waiter in one of the primitives below.
struct Waiter : Job {
  std::coroutine_handle<> handle;
  Executor* ctx = nullptr;
  Waiter* next_waiter = nullptr;
  bool cancelled = false;
  std::source_location where;  // the co_await site, for the trace's wait records
  explicit Waiter(const std::source_location& w = {}) : where(w) {
    run = [](Job* j) { static_cast<Waiter*>(j)->handle.resume(); };
  }
  void capture(std::coroutine_handle<> h) noexcept {
    handle = h;
    task = current_task();
    ctx = current_context();
  }
  void wake() { resume_in(ctx, this); }
};
struct WaiterList {
  Waiter* head = nullptr;
  Waiter* tail = nullptr;
  void push(Waiter* w) noexcept;
  Waiter* pop() noexcept;
  bool remove(Waiter* w) noexcept;
  bool empty() const noexcept { return head == nullptr; }
};
// A wait/acquire/release/send/receive/set record of a primitive (task = the caller).
void emit_sync(Platform& p, EventKind k, ObjectId obj, TaskId other = 0, std::int64_t value = 0,
               const std::source_location* where = nullptr);

// Takes a waiter off `list` when its token is stopped. Whoever takes it off the list under
// `m` decides the outcome: a release that hands it the resource, or this (cancelled). So a
// stop racing with a grant gives either outcome and never loses the resource.
struct Withdraw {
  Waiter* w;
  PlatformMutex* m;
  WaiterList* list;
  void operator()() const noexcept;
};
struct StopWatch {
  std::stop_token token;
  std::optional<std::stop_callback<Withdraw>> on_stop;
  // Before publishing the waiter: a stop that races with it is settled under the lock.
  void watch(Waiter* w, PlatformMutex* m, WaiterList* list) {
    if (token.stop_possible()) on_stop.emplace(token, Withdraw{w, m, list});
  }
  bool stopped() const noexcept { return token.stop_requested(); }
};
}  // namespace detail

// Every primitive takes an optional name ("cache", "db-pool"): traces and reports use it,
// with the declaration site, in an object_create record.
class Mutex {
 public:
  explicit Mutex(Platform& p = current_platform(), std::source_location where = std::source_location::current());
  explicit Mutex(std::string_view name, Platform& p = current_platform(),
                 std::source_location where = std::source_location::current());
  class Guard {
   public:
    Guard() = default;
    explicit Guard(Mutex* m) : m_(m) {}
    Guard(Guard&& o) noexcept : m_(std::exchange(o.m_, nullptr)) {}
    Guard& operator=(Guard&& o) noexcept {
      if (this != &o) {
        unlock();
        m_ = std::exchange(o.m_, nullptr);
      }
      return *this;
    }
    ~Guard() { unlock(); }
    void unlock() {
      if (m_) std::exchange(m_, nullptr)->unlock();
    }

   private:
    Mutex* m_ = nullptr;
  };
  struct LockAwaiter : detail::Waiter {
    Mutex* m;
    detail::StopWatch stop;
    LockAwaiter(Mutex* mm, std::stop_token t, const std::source_location& w) : Waiter(w), m(mm), stop{std::move(t), {}} {}
    bool await_ready() {
      if (stop.stopped()) return cancelled = true;
      return m->try_lock();
    }
    bool await_suspend(std::coroutine_handle<> h);
    Guard await_resume() {
      stop.on_stop.reset();
      if (cancelled) detail::throw_cancelled(m->id_);
      detail::emit_sync(m->p_, EventKind::mutex_acquire, m->id_, 0, 0, &where);
      return Guard(m);
    }
  };
  // co_await m.lock() -> Guard (unlocks when destroyed). With a token: OperationCancelled
  // if it is stopped before the lock is ours; with a timeout: TimedOut after `timeout`.
  LockAwaiter lock(std::stop_token stop = {}, std::source_location where = std::source_location::current()) {
    return LockAwaiter(this, std::move(stop), where);
  }
  Task<Guard> lock(Nanos timeout, std::stop_token stop = {},
                   std::source_location where = std::source_location::current()) {
    return with_timeout(timeout, std::move(stop), [this, where](std::stop_token t) { return lock(std::move(t), where); });
  }
  bool try_lock();
  void unlock();
  ObjectId id() const noexcept { return id_; }
  const std::string& name() const noexcept { return name_; }

 private:
  Platform& p_;
  std::unique_ptr<PlatformMutex> m_;
  bool locked_ = false;
  TaskId owner_ = 0;
  detail::WaiterList waiters_;
  ObjectId id_;
  std::string name_;
};

// A mutex for synchronous code on threads, in std::mutex's place (lock/unlock/lock_guard).
// In simulation each lock is a scheduling point and a thread waiting for it is blocked,
// so lock-order inversions show up as deadlocks. A task must not hold one across co_await.
class BlockingMutex {
 public:
  explicit BlockingMutex(Platform& p = current_platform()) : m_(p.make_blocking_mutex()) {}
  void lock() { m_->lock(); }
  void unlock() { m_->unlock(); }

 private:
  std::unique_ptr<PlatformMutex> m_;
};

class Semaphore {
 public:
  explicit Semaphore(std::int64_t initial, Platform& p = current_platform(),
                     std::source_location where = std::source_location::current());
  Semaphore(std::int64_t initial, std::string_view name, Platform& p = current_platform(),
            std::source_location where = std::source_location::current());
  struct AcquireAwaiter : detail::Waiter {
    Semaphore* s;
    detail::StopWatch stop;
    AcquireAwaiter(Semaphore* ss, std::stop_token t, const std::source_location& w)
        : Waiter(w), s(ss), stop{std::move(t), {}} {}
    bool await_ready() {
      if (stop.stopped()) return cancelled = true;
      return s->take_permit();
    }
    bool await_suspend(std::coroutine_handle<> h);
    void await_resume() {
      stop.on_stop.reset();
      if (cancelled) detail::throw_cancelled(s->id_);
      s->emit_acquired(where);
    }
  };
  // One permit, given back when the Permit is destroyed (or release()d): the exception
  // path cannot leak it. Movable, not copyable.
  class [[nodiscard]] Permit {
   public:
    Permit() = default;
    explicit Permit(Semaphore* s) noexcept : s_(s) {}
    Permit(Permit&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
    Permit& operator=(Permit&& o) noexcept {
      if (this != &o) {
        release();
        s_ = std::exchange(o.s_, nullptr);
      }
      return *this;
    }
    ~Permit() { release(); }
    void release() {
      if (s_) std::exchange(s_, nullptr)->release();
    }
    explicit operator bool() const noexcept { return s_ != nullptr; }

   private:
    Semaphore* s_ = nullptr;
  };
  struct PermitAwaiter : AcquireAwaiter {
    using AcquireAwaiter::AcquireAwaiter;
    Permit await_resume() {
      AcquireAwaiter::await_resume();
      return Permit(s);
    }
  };
  // co_await s.acquire(): one permit, given back by release(). Cancellable and timed like
  // Mutex::lock.
  AcquireAwaiter acquire(std::stop_token stop = {}, std::source_location where = std::source_location::current()) {
    return AcquireAwaiter(this, std::move(stop), where);
  }
  Task<void> acquire(Nanos timeout, std::stop_token stop = {},
                     std::source_location where = std::source_location::current()) {
    return with_timeout(timeout, std::move(stop),
                        [this, where](std::stop_token t) { return acquire(std::move(t), where); });
  }
  // co_await s.permit() -> Permit: the RAII form of acquire().
  PermitAwaiter permit(std::stop_token stop = {}, std::source_location where = std::source_location::current()) {
    return PermitAwaiter(this, std::move(stop), where);
  }
  Task<Permit> permit(Nanos timeout, std::stop_token stop = {},
                      std::source_location where = std::source_location::current()) {
    return with_timeout(timeout, std::move(stop),
                        [this, where](std::stop_token t) { return permit(std::move(t), where); });
  }
  // Permits available now (a snapshot).
  std::int64_t available() const;
  bool try_acquire();
  void release(std::int64_t n = 1);
  ObjectId id() const noexcept { return id_; }
  const std::string& name() const noexcept { return name_; }

 private:
  bool take_permit();
  void emit_acquired(const std::source_location& where) const;
  Platform& p_;
  std::unique_ptr<PlatformMutex> m_;
  std::int64_t count_;
  detail::WaiterList waiters_;
  ObjectId id_;
  std::string name_;
};

// Manual-reset event: wait() suspends until set().
class Event {
 public:
  explicit Event(Platform& p = current_platform(), std::source_location where = std::source_location::current());
  explicit Event(std::string_view name, Platform& p = current_platform(),
                 std::source_location where = std::source_location::current());
  struct WaitAwaiter : detail::Waiter {
    Event* e;
    detail::StopWatch stop;
    WaitAwaiter(Event* ee, std::stop_token t, const std::source_location& w) : Waiter(w), e(ee), stop{std::move(t), {}} {}
    bool await_ready() noexcept {
      if (stop.stopped()) return cancelled = true;
      return e->is_set();
    }
    bool await_suspend(std::coroutine_handle<> h);
    void await_resume() {
      stop.on_stop.reset();
      if (cancelled) detail::throw_cancelled(e->id_);
    }
  };
  WaitAwaiter wait(std::stop_token stop = {}, std::source_location where = std::source_location::current()) {
    return WaitAwaiter(this, std::move(stop), where);
  }
  Task<void> wait(Nanos timeout, std::stop_token stop = {}, std::source_location where = std::source_location::current()) {
    return with_timeout(timeout, std::move(stop), [this, where](std::stop_token t) { return wait(std::move(t), where); });
  }
  void set();
  bool is_set() const noexcept { return set_.load(std::memory_order_acquire); }
  ObjectId id() const noexcept { return id_; }
  const std::string& name() const noexcept { return name_; }

 private:
  Platform& p_;
  std::unique_ptr<PlatformMutex> m_;
  std::atomic<bool> set_{false};
  detail::WaiterList waiters_;
  ObjectId id_;
  std::string name_;
};

class ChannelClosed : public std::runtime_error {
 public:
  ChannelClosed() : std::runtime_error("channel closed") {}
};

// A multi-producer multi-consumer channel. capacity 0 = unbounded.
template <class T>
class Channel {
 public:
  explicit Channel(std::size_t capacity = 0, Platform& p = current_platform(),
                   std::source_location where = std::source_location::current())
      : Channel(capacity, std::string_view{}, p, where) {}
  Channel(std::size_t capacity, std::string_view name, Platform& p = current_platform(),
          std::source_location where = std::source_location::current())
      : p_(p), m_(p.make_mutex()), capacity_(capacity), id_(p.next_object_id()), name_(name) {
    detail::emit_object_create(p, id_, ObjectKind::channel, name_, where);
  }

  struct RecvAwaiter : detail::Waiter {
    Channel* c;
    std::stop_token token;
    std::optional<T> value;
    struct OnStop {
      RecvAwaiter* self;
      void operator()() const {
        auto* c = self->c;
        c->m_->lock();
        bool removed = c->receivers_.remove(self);
        c->m_->unlock();
        if (removed) {
          self->cancelled = true;
          self->wake();
        }
      }
    };
    std::optional<std::stop_callback<OnStop>> on_stop;
    RecvAwaiter(Channel* cc, std::stop_token t, const std::source_location& w)
        : Waiter(w), c(cc), token(std::move(t)) {}
    bool await_ready() {
      if (token.stop_requested()) {
        cancelled = true;
        return true;
      }
      c->m_->lock();
      bool ready = c->take_locked(value) || c->closed_;
      c->m_->unlock();
      c->flush_deferred();
      return ready;
    }
    bool await_suspend(std::coroutine_handle<> h) {
      capture(h);
      // Register for stop first; the check under the lock below settles a racing stop.
      if (token.stop_possible()) on_stop.emplace(token, OnStop{this});
      c->m_->lock();
      if (c->take_locked(value) || c->closed_) {
        c->m_->unlock();
        c->flush_deferred();
        return false;
      }
      if (token.stop_requested()) {
        c->m_->unlock();
        cancelled = true;
        return false;
      }
      // Record before publishing: once in the list, a sender may resume (and end) us.
      detail::emit_sync(c->p_, EventKind::channel_wait, c->id_, 0, 0, &where);
      c->receivers_.push(this);
      c->m_->unlock();
      return true;
    }
    // nullopt when the channel is closed and drained.
    std::optional<T> await_resume() {
      on_stop.reset();
      if (cancelled) detail::throw_cancelled(c->id_);
      if (value) detail::emit_sync(c->p_, EventKind::channel_receive, c->id_, 0, 0, &where);
      return std::move(value);
    }
  };
  struct SendAwaiter : detail::Waiter {
    Channel* c;
    std::optional<T> value;
    detail::StopWatch stop;
    SendAwaiter(Channel* cc, T v, std::stop_token t, const std::source_location& w)
        : Waiter(w), c(cc), value(std::move(v)), stop{std::move(t), {}} {}
    bool await_ready() {
      if (stop.stopped()) return cancelled = true;
      return c->try_send_moving(value);
    }
    bool await_suspend(std::coroutine_handle<> h) {
      capture(h);
      stop.watch(this, c->m_.get(), &c->senders_);
      c->m_->lock();
      if (!c->closed_ && stop.stopped()) {
        c->m_->unlock();
        cancelled = true;
        return false;
      }
      if (c->closed_ || c->offer_locked(value)) {
        auto* w = std::exchange(c->pending_wake_, nullptr);
        c->m_->unlock();
        if (w) w->wake();
        return false;
      }
      detail::emit_sync(c->p_, EventKind::channel_wait, c->id_, 0, 1, &where);
      c->senders_.push(this);
      c->m_->unlock();
      return true;
    }
    void await_resume() {
      stop.on_stop.reset();
      if (cancelled) detail::throw_cancelled(c->id_);
      if (value) throw ChannelClosed();
      detail::emit_sync(c->p_, EventKind::channel_send, c->id_, 0, 0, &where);
    }
  };

  RecvAwaiter receive(std::stop_token token = {}, std::source_location where = std::source_location::current()) {
    return RecvAwaiter(this, std::move(token), where);
  }
  Task<std::optional<T>> receive(Nanos timeout, std::stop_token token = {},
                                 std::source_location where = std::source_location::current()) {
    return with_timeout(timeout, std::move(token),
                        [this, where](std::stop_token t) { return receive(std::move(t), where); });
  }
  // With a token: OperationCancelled if stopped before the value is taken (it is dropped).
  SendAwaiter send(T v, std::stop_token token = {}, std::source_location where = std::source_location::current()) {
    return SendAwaiter(this, std::move(v), std::move(token), where);
  }
  Task<void> send(T v, Nanos timeout, std::stop_token token = {},
                  std::source_location where = std::source_location::current()) {
    return with_timeout(timeout, std::move(token), [this, where, v = std::move(v)](std::stop_token t) mutable {
      return send(std::move(v), std::move(t), where);
    });
  }
  // Non-blocking send; false if full or closed.
  bool try_send(T v, std::source_location where = std::source_location::current()) {
    std::optional<T> o(std::move(v));
    bool ok = try_send_moving(o);
    if (ok) detail::emit_sync(p_, EventKind::channel_send, id_, 0, 0, &where);
    return ok;
  }
  // Non-blocking receive: a value already buffered (admitting one blocked sender, as a
  // receive does), or nullopt when none is waiting, closed or not. Never suspends.
  std::optional<T> try_receive(std::source_location where = std::source_location::current()) {
    std::optional<T> out;
    m_->lock();
    take_locked(out);
    m_->unlock();
    flush_deferred();
    if (out) detail::emit_sync(p_, EventKind::channel_receive, id_, 0, 0, &where);
    return out;
  }
  void close() {
    detail::emit_sync(p_, EventKind::channel_close, id_);
    m_->lock();
    closed_ = true;
    detail::WaiterList r = std::exchange(receivers_, {});
    detail::WaiterList s = std::exchange(senders_, {});
    m_->unlock();
    while (auto* w = r.pop()) w->wake();
    while (auto* w = s.pop()) w->wake();
  }
  ObjectId id() const noexcept { return id_; }
  const std::string& name() const noexcept { return name_; }

 private:
  // Hands `v` to a waiting receiver or buffers it; consumes v on success. Lock held.
  bool offer_locked(std::optional<T>& v) {
    if (auto* w = receivers_.pop()) {
      static_cast<RecvAwaiter*>(w)->value = std::move(*v);
      v.reset();
      pending_wake_ = w;
      return true;
    }
    if (capacity_ == 0 || buffer_.size() < capacity_) {
      buffer_.push_back(std::move(*v));
      v.reset();
      return true;
    }
    return false;
  }
  bool try_send_moving(std::optional<T>& v) {
    m_->lock();
    if (closed_) {
      m_->unlock();
      return false;
    }
    bool ok = offer_locked(v);
    auto* w = std::exchange(pending_wake_, nullptr);
    m_->unlock();
    if (w) w->wake();
    return ok;
  }
  // Takes a buffered value (admitting one blocked sender). Lock held.
  bool take_locked(std::optional<T>& out) {
    if (buffer_.empty()) return false;
    out.emplace(std::move(buffer_.front()));
    buffer_.pop_front();
    if (auto* s = static_cast<SendAwaiter*>(senders_.pop())) {
      buffer_.push_back(std::move(*s->value));
      s->value.reset();
      deferred_.push(s);
    }
    return true;
  }

  Platform& p_;
  std::unique_ptr<PlatformMutex> m_;
  std::size_t capacity_;
  std::deque<T> buffer_;
  bool closed_ = false;
  detail::WaiterList receivers_;
  detail::WaiterList senders_;
  detail::WaiterList deferred_;  // senders admitted under the lock, woken after it
  detail::Waiter* pending_wake_ = nullptr;
  ObjectId id_;
  std::string name_;

 public:
  // Wakes senders admitted by a receive; called by RecvAwaiter paths after unlocking.
  void flush_deferred() {
    m_->lock();
    detail::WaiterList d = std::exchange(deferred_, {});
    m_->unlock();
    while (auto* w = d.pop()) w->wake();
  }
};

}  // namespace weft
