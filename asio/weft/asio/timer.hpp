// weft::asio::basic_waitable_timer (steady_timer, system_timer): asio's timer members on
// weft's TimerService, so in simulation a wait is virtual time and simultaneous expiries
// are an explored choice.
//
// Time base: a steady_timer's time_point is the platform's clock (steady_clock on real
// threads, the virtual clock in simulation); expires_after() is exact in both. A
// system_timer converts through system_clock::now() (absolute wall-clock times are not
// deterministic in simulation: use expires_after there). An expiry of time_point::max()
// never fires: the wait ends only by cancel(), as asio's "timer as a condition variable"
// idiom expects.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/associated_cancellation_slot.hpp>
#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/cancellation_type.hpp>
#include <asio/error.hpp>
#include <asio/wait_traits.hpp>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <system_error>
#include <type_traits>

#include "weft/asio/io_context.hpp"
#include "weft/timer.hpp"

namespace weft::asio {

namespace detail {

struct timer_core;

struct wait_op : TimerEntry {
  struct FireJob : Job {
    wait_op* op = nullptr;
  };
  wait_op* prev_op = nullptr;
  wait_op* next_op = nullptr;
  bool linked = false;  // guarded by the core's mutex
  bool never = false;   // not armed: only a cancellation ends it
  std::shared_ptr<timer_core> core;
  std::error_code result;
  FireJob fire;
  void (*complete)(wait_op*) = nullptr;  // delivers `result` to the handler; owns the op
  void (*destroy)(wait_op*) = nullptr;
};

// What a timer shares with its pending waits (which may outlive it by a moment).
struct timer_core {
  explicit timer_core(Platform& p) : platform(&p), m(p.make_mutex()) {}
  Platform* platform;
  std::unique_ptr<PlatformMutex> m;
  wait_op* head = nullptr;  // guarded by m

  void link(wait_op* op) noexcept {
    op->prev_op = nullptr;
    op->next_op = head;
    if (head) head->prev_op = op;
    head = op;
    op->linked = true;
  }
  void unlink(wait_op* op) noexcept {
    if (op->prev_op)
      op->prev_op->next_op = op->next_op;
    else
      head = op->next_op;
    if (op->next_op) op->next_op->prev_op = op->prev_op;
    op->linked = false;
  }

  void start(wait_op* op) {
    op->ctx = nullptr;  // the fire job runs on the timer thread and posts the handler
    op->fire.op = op;
    op->fire.task = op->task;
    op->fire.run = [](Job* j) { static_cast<wait_op::FireJob*>(j)->op->core->fired(static_cast<wait_op::FireJob*>(j)->op); };
    op->on_fire = &op->fire;
    // Expired already: complete now (posted, never inline) without the timer thread.
    if (!op->never && op->deadline <= platform->now()) {
      op->complete(op);
      return;
    }
    m->lock();
    link(op);
    if (!op->never) platform->timers().arm(op);
    m->unlock();
  }

  void fired(wait_op* op) {
    m->lock();
    unlink(op);  // a successful cancel() would have unlinked it, and then it cannot fire
    m->unlock();
    op->complete(op);
  }

  // Takes `op` out unless it is firing already; true if it will complete as aborted.
  bool take(wait_op* op) {
    if (!op->linked) return false;
    if (!op->never && platform->timers().cancel(op) != TimerService::Cancel::while_armed) return false;
    unlink(op);
    op->result = ::asio::error::operation_aborted;
    return true;
  }

  std::size_t cancel_all() {
    wait_op* done = nullptr;
    std::size_t n = 0;
    m->lock();
    for (wait_op* op = head; op;) {
      wait_op* next = op->next_op;
      if (take(op)) {
        op->next_op = done;
        done = op;
        ++n;
      }
      op = next;
    }
    m->unlock();
    finish(done);
    return n;
  }
  std::size_t cancel_one() {
    wait_op* done = nullptr;
    m->lock();
    wait_op* oldest = head;
    while (oldest && oldest->next_op) oldest = oldest->next_op;  // asio cancels the oldest
    for (wait_op* op = oldest; op && !done; op = op->prev_op)
      if (take(op)) {
        op->next_op = nullptr;
        done = op;
      }
    m->unlock();
    finish(done);
    return done ? 1 : 0;
  }
  void cancel_op(wait_op* op) {
    m->lock();
    bool mine = take(op);
    m->unlock();
    if (mine) op->complete(op);
  }
  static void finish(wait_op* done) {
    while (done) {
      wait_op* next = done->next_op;
      done->complete(done);
      done = next;
    }
  }
};

template <class Handler, class IoExecutor>
struct wait_op_of final : wait_op {
  using handler_executor = std::decay_t<decltype(::asio::get_associated_executor(std::declval<Handler&>(),
                                                                                 std::declval<const IoExecutor&>()))>;
  using work_type = std::decay_t<typename ::asio::prefer_result<const handler_executor&,
                                                                ::asio::execution::outstanding_work_t::tracked_t>::type>;

  wait_op_of(Handler&& h, const IoExecutor& io)
      : handler(std::move(h)),
        work(::asio::prefer(::asio::get_associated_executor(handler, io), ::asio::execution::outstanding_work.tracked)) {
    complete = &do_complete;
    destroy = [](wait_op* o) { delete static_cast<wait_op_of*>(o); };
  }

  struct cancel_handler {
    wait_op* op;
    void operator()(::asio::cancellation_type_t type) const {
      if ((type & (::asio::cancellation_type::terminal | ::asio::cancellation_type::partial |
                   ::asio::cancellation_type::total)) != ::asio::cancellation_type::none)
        op->core->cancel_op(op);
    }
  };
  void install_cancellation() {
    auto slot = ::asio::get_associated_cancellation_slot(handler);
    if (slot.is_connected()) slot.template emplace<cancel_handler>(cancel_handler{this});
  }

  // Posts the handler to its associated executor (never inline: this may be the timer
  // thread, or cancel() inside a handler), continuing the waiting task.
  static void do_complete(wait_op* o) {
    auto* self = static_cast<wait_op_of*>(o);
    task_scope scope(self->task);
    handler_executor ex = ::asio::get_associated_executor(self->handler, self->work);
    ::asio::execution::execute(::asio::prefer(ex, ::asio::execution::blocking.never),
                               [p = std::unique_ptr<wait_op_of>(self)]() mutable { invoke(std::move(p)); });
  }
  static void invoke(std::unique_ptr<wait_op_of> p) {
    auto slot = ::asio::get_associated_cancellation_slot(p->handler);
    if (slot.is_connected()) slot.clear();
    Handler h(std::move(p->handler));
    work_type keep(std::move(p->work));
    std::error_code ec = p->result;
    p.reset();
    std::move(h)(ec);
  }

  Handler handler;
  work_type work;
};

template <class Clock>
struct clock_bridge {
  static constexpr bool platform_based = std::is_same_v<Clock, std::chrono::steady_clock>;
};

}  // namespace detail

template <class Clock, class WaitTraits = ::asio::wait_traits<Clock>, class Executor = ::asio::any_io_executor>
class basic_waitable_timer {
 public:
  using executor_type = Executor;
  using clock_type = Clock;
  using duration = typename Clock::duration;
  using time_point = typename Clock::time_point;
  using traits_type = WaitTraits;

  template <class Other>
  struct rebind_executor {
    using other = basic_waitable_timer<Clock, WaitTraits, Other>;
  };

  explicit basic_waitable_timer(const executor_type& ex) : ex_(ex), core_(make_core(ex_)) {}
  template <class Context, class = std::enable_if_t<std::is_convertible_v<Context&, ::asio::execution_context&>>>
  explicit basic_waitable_timer(Context& ctx) : basic_waitable_timer(executor_type(ctx.get_executor())) {}
  basic_waitable_timer(const executor_type& ex, const time_point& t) : basic_waitable_timer(ex) { expires_at(t); }
  basic_waitable_timer(const executor_type& ex, const duration& d) : basic_waitable_timer(ex) { expires_after(d); }
  template <class Context, class = std::enable_if_t<std::is_convertible_v<Context&, ::asio::execution_context&>>>
  basic_waitable_timer(Context& ctx, const time_point& t) : basic_waitable_timer(executor_type(ctx.get_executor())) {
    expires_at(t);
  }
  template <class Context, class = std::enable_if_t<std::is_convertible_v<Context&, ::asio::execution_context&>>>
  basic_waitable_timer(Context& ctx, const duration& d) : basic_waitable_timer(executor_type(ctx.get_executor())) {
    expires_after(d);
  }
  basic_waitable_timer(basic_waitable_timer&& o) noexcept
      : ex_(std::move(o.ex_)), core_(std::move(o.core_)), deadline_(o.deadline_) {}
  basic_waitable_timer& operator=(basic_waitable_timer&& o) noexcept {
    if (this != &o) {
      if (core_) core_->cancel_all();
      ex_ = std::move(o.ex_);
      core_ = std::move(o.core_);
      deadline_ = o.deadline_;
    }
    return *this;
  }
  basic_waitable_timer(const basic_waitable_timer&) = delete;
  basic_waitable_timer& operator=(const basic_waitable_timer&) = delete;
  // Pending waits complete with operation_aborted, as asio's do.
  ~basic_waitable_timer() {
    if (core_) core_->cancel_all();
  }

  executor_type get_executor() noexcept { return ex_; }

  std::size_t cancel() { return core_->cancel_all(); }
  std::size_t cancel_one() { return core_->cancel_one(); }

  time_point expiry() const {
    if (deadline_ == no_deadline) return time_point::max();
    if constexpr (detail::clock_bridge<Clock>::platform_based) {
      return time_point(std::chrono::duration_cast<duration>(std::chrono::nanoseconds(deadline_)));
    } else {
      return Clock::now() + std::chrono::duration_cast<duration>(std::chrono::nanoseconds(deadline_ - now()));
    }
  }
  std::size_t expires_at(const time_point& t) {
    std::size_t n = cancel();
    if (t == time_point::max()) {
      deadline_ = no_deadline;
    } else if constexpr (detail::clock_bridge<Clock>::platform_based) {
      deadline_ = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
    } else {
      deadline_ = add(now(), t - Clock::now());
    }
    return n;
  }
  std::size_t expires_after(const duration& d) {
    std::size_t n = cancel();
    deadline_ = d == duration::max() ? no_deadline : add(now(), d);
    return n;
  }

  // Blocks the calling thread until the expiry (a thread that sleeps, in simulation too).
  void wait() {
    Parker& parker = weft::detail::thread_state().own_parker();
    while (now() < deadline_) parker.park(WaitKind::idle, 0, deadline_);
  }
  void wait(std::error_code& ec) {
    wait();
    ec.clear();
  }

  template <class Token>
  auto async_wait(Token&& token) {
    return ::asio::async_initiate<Token, void(std::error_code)>(initiate_wait{this}, token);
  }

 private:
  struct initiate_wait {
    basic_waitable_timer* self;
    using executor_type = Executor;
    executor_type get_executor() const noexcept { return self->ex_; }
    template <class Handler>
    void operator()(Handler&& h) const {
      using Op = detail::wait_op_of<std::decay_t<Handler>, Executor>;
      std::decay_t<Handler> moved(std::forward<Handler>(h));
      auto* op = new Op(std::move(moved), self->ex_);
      op->core = self->core_;
      op->task = current_task();
      op->deadline = self->deadline_;
      op->never = self->deadline_ == no_deadline;
      op->install_cancellation();
      self->core_->start(op);  // may complete and free `op` at once
    }
  };

  static std::shared_ptr<detail::timer_core> make_core(const executor_type& ex) {
    io_context* c = weft_context_of(ex);
    if (!c) throw std::invalid_argument("weft::asio timer: its executor does not belong to a weft::asio context");
    return std::make_shared<detail::timer_core>(c->platform());
  }
  Nanos now() const { return core_->platform->now(); }
  template <class D>
  static Nanos add(Nanos base, D d) {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
    if (ns > 0 && base > no_deadline - 1 - ns) return no_deadline - 1;
    return base + ns;
  }

  Executor ex_;
  std::shared_ptr<detail::timer_core> core_;
  Nanos deadline_ = 0;
};

using steady_timer = basic_waitable_timer<std::chrono::steady_clock>;
using system_timer = basic_waitable_timer<std::chrono::system_clock>;
using high_resolution_timer = basic_waitable_timer<std::chrono::high_resolution_clock>;

}  // namespace weft::asio
