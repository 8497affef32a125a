#include "weft/spawn.hpp"

#include <cstdio>
#include <mutex>
#include <optional>
#include <stop_token>

#include "weft/timer.hpp"

namespace weft {

namespace {
std::mutex g_handler_m;
UnhandledExceptionHandler& handler_slot() {
  static UnhandledExceptionHandler h = [](const LostException& e) {
    std::string name = e.name.empty() ? "" : " (" + e.name + ")";
    std::fprintf(stderr, "weft: lost exception in %stask %u%s spawned at %s:%u: %s\n", e.detached ? "detached " : "",
                 e.task, name.c_str(), e.where.file_name(), unsigned(e.where.line()), e.message.c_str());
  };
  return h;
}
}  // namespace

UnhandledExceptionHandler set_unhandled_exception_handler(UnhandledExceptionHandler h) {
  std::lock_guard lk(g_handler_m);
  return std::exchange(handler_slot(), std::move(h));
}

std::string describe(const std::exception_ptr& e) {
  if (!e) return "no exception";
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return x.what();
  } catch (...) {
    return "unknown exception";
  }
}

namespace detail {

[[noreturn]] void report_misuse(const char* what) {
  auto& p = current_platform();
  if (p.tracing()) p.emit(trace::event::misuse(current_task(), what));
  throw MisuseError(std::string("weft misuse: ") + what);
}

void report_lost(const LostException& e, Platform& pl) {
  if (pl.tracing()) pl.emit(trace::event::exception_dropped(e.task, e.detached, e.where, e.message));
  if (pl.consume_lost_exception(e.task, e.message)) return;
  UnhandledExceptionHandler h;
  {
    std::lock_guard lk(g_handler_m);
    h = handler_slot();
  }
  if (h) h(e);
}

std::string_view PromiseBase::name() const noexcept {
  if (name_) return *name_;
  return short_function_name(origin_.function_name());
}

void prepare_spawn(PromiseBase& p, std::coroutine_handle<> h, Platform& pl, const std::source_location& where,
                   ObjectId executor, bool detached) {
  p.set_where(where);
  p.self = h;
  p.platform = &pl;
  p.detached = detached;
  p.spawned = true;
  p.id = pl.next_task_id();
  p.start_job.task = p.id;
  p.start_job.handle = h;
  p.start_job.run = [](Job* j) { static_cast<StartJob*>(j)->handle.resume(); };
  if (pl.tracing()) pl.emit(trace::event::spawn(p.id, current_task(), executor, detached, where, p.name()));
}

void emit_observed(PromiseBase& p, const std::source_location* where) {
  // Read only by the last release, which the reference count orders after this write.
  p.observed = true;
  if (p.exception_ && p.platform && p.platform->tracing())
    p.platform->emit(trace::event::exception_observed(p.id, current_task(), where));
}

void emit_join_wait(TaskId on) {
  Platform& pl = current_platform();
  if (!pl.tracing()) return;
  pl.emit(trace::event::join_wait(current_task(), on));
}

void emit_block(Platform& pl, TaskId on, const std::source_location& where) {
  if (!pl.tracing()) return;
  pl.emit(trace::event::block(current_task(), on, where));
}

static_assert(alignof(JoinWaiter) > kStateFlags, "the waiter's address shares the state word with the flags");
static_assert(alignof(JoinWaiter) >= 8);

bool claim_if_done(PromiseBase& p, const char* what) {
  std::uintptr_t s = p.state.load(std::memory_order_acquire);
  if (s & kConsumed) report_misuse(what);
  if (!(s & kDone)) return false;
  if (p.state.fetch_or(kConsumed, std::memory_order_acq_rel) & kConsumed) report_misuse(what);
  return true;
}

Claim claim_and_register(PromiseBase& p, JoinWaiter* w) noexcept {
  std::uintptr_t s = p.state.load(std::memory_order_relaxed);
  for (;;) {
    if (s & kConsumed) return Claim::twice;
    std::uintptr_t desired = (s & kDone) ? (s | kConsumed) : (s | kConsumed | reinterpret_cast<std::uintptr_t>(w));
    if (p.state.compare_exchange_weak(s, desired, std::memory_order_acq_rel, std::memory_order_relaxed))
      return (s & kDone) ? Claim::done : Claim::registered;
  }
}

void run_inline(PromiseBase& p) noexcept {
  auto& s = thread_state();
  TaskId saved = s.task;
  s.task = p.id;
  p.self.resume();
  s.task = saved;
}

bool withdraw_waiter(PromiseBase& p, JoinWaiter* w) noexcept {
  std::uintptr_t s = p.state.load(std::memory_order_relaxed);
  for (;;) {
    if ((s & kDone) || (s & ~kStateFlags) != reinterpret_cast<std::uintptr_t>(w)) return false;
    if (p.state.compare_exchange_weak(s, s & (kStateFlags & ~kConsumed), std::memory_order_acq_rel,
                                      std::memory_order_relaxed))
      return true;
  }
}

void throw_join_withdrawn(TaskId on, bool timed_out) {
  emit_cancelled(0, on);
  if (timed_out) throw TimedOut();
  throw OperationCancelled();
}

JoinEnd park_until_done(PromiseBase& p, const std::source_location& where, const char* what,
                        const std::stop_token& stop, Nanos timeout) {
  if (claim_if_done(p, what)) return JoinEnd::done;
  if (stop.stop_requested()) return JoinEnd::stopped;
  Platform& pl = current_platform();
  Parker* parker = &thread_state().own_parker();
  // `wake` lives on this stack: the waker sets `fired` last and then touches only the
  // thread-lived parker, so we may return as soon as we see `fired`.
  struct Wake : Job {
    Parker* parker;
    std::atomic<bool> fired{false};
  } wake;
  wake.parker = parker;
  wake.task = p.id;
  wake.run = [](Job* j) {
    auto* w = static_cast<Wake*>(j);
    Parker* pk = w->parker;
    w->fired.store(true, std::memory_order_release);
    pk->unpark();
  };
  JoinWaiter w;
  w.job = &wake;
  Nanos deadline = no_deadline;
  if (timeout != no_deadline) {
    Nanos now = pl.now();
    deadline = timeout <= 0 ? now : (timeout < no_deadline - now ? now + timeout : no_deadline);
  }
  Claim c = claim_and_register(p, &w);
  if (c == Claim::twice) report_misuse(what);
  if (c == Claim::done) return JoinEnd::done;
  emit_block(pl, p.id, where);
  // A stop unparks us; its stale token, if we leave first, is a spurious return for the
  // thread's next park, which every park loop tolerates.
  struct Unpark {
    Parker* parker;
    void operator()() const noexcept { parker->unpark(); }
  };
  std::optional<std::stop_callback<Unpark>> on_stop;
  if (stop.stop_possible()) on_stop.emplace(stop, Unpark{parker});
  JoinEnd end = JoinEnd::done;
  while (!wake.fired.load(std::memory_order_acquire)) {
    bool stopped = stop.stop_requested();
    if (stopped || (deadline != no_deadline && pl.now() >= deadline)) {
      if (withdraw_waiter(p, &w)) {
        end = stopped ? JoinEnd::stopped : JoinEnd::timed_out;
        break;
      }
      // The task completed first: its wake is on the way, and the result is ours.
      while (!wake.fired.load(std::memory_order_acquire)) parker->park(WaitKind::block_on, p.id);
      break;
    }
    parker->park(WaitKind::block_on, p.id, deadline);
  }
  if (pl.tracing()) pl.emit(trace::event::wake(current_task(), p.id));
  return end;
}

namespace {
constexpr const char* kAwaitedTwice = "a JoinHandle awaited twice (single-use result)";
}

StoppableJoin::StoppableJoin(PromiseBase* p, std::stop_token stop) noexcept : p_(p), stop_(std::move(stop)) {
  arrive_.self = this;
  arrive_.run = [](Job* j) { static_cast<ArriveJob*>(j)->self->arrive(); };
}

bool StoppableJoin::ready() {
  if (!p_) throw MisuseError("weft: awaited an empty JoinHandle");
  if (claim_if_done(*p_, kAwaitedTwice)) return true;
  return cancelled_ = stop_.stop_requested();
}

bool StoppableJoin::suspend(std::coroutine_handle<> c) noexcept {
  resume_.handle = c;
  resume_.task = current_task();
  resume_ctx_ = current_context();
  arrive_.task = resume_.task;
  ctx = nullptr;  // the decider arrives where it runs; the resumption goes to resume_ctx_
  job = &arrive_;
  Claim r = claim_and_register(*p_, this);
  if (r != Claim::registered) {
    twice_ = r == Claim::twice;
    return false;
  }
  // Our own arrival is still missing: nobody resumes us before the set-up below is done.
  emit_join_wait(p_->id);
  if (stop_.stop_possible()) on_stop_.emplace(stop_, OnStop{this});  // may run OnStop here
  return pending_.fetch_sub(1, std::memory_order_acq_rel) != 1;
}

void StoppableJoin::arrive() noexcept {
  if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) resume_in(resume_ctx_, &resume_);
}

void StoppableJoin::OnStop::operator()() const noexcept {
  StoppableJoin* j = self;
  if (!withdraw_waiter(*j->p_, j)) return;  // the task completed first: its completion arrives
  j->cancelled_ = true;
  j->arrive();
}

void StoppableJoin::finish() {
  // Waits for a stop callback still running on another thread (it arrived already).
  on_stop_.reset();
  if (twice_) report_misuse(kAwaitedTwice);
  if (cancelled_) throw_join_withdrawn(p_->id, false);
  emit_observed(*p_);
}

std::coroutine_handle<> PromiseBase::on_final() noexcept {
  if (!spawned) return continuation ? continuation : std::noop_coroutine();
  Platform& pl = *platform;
  if (pl.tracing()) pl.emit(trace::event::complete(id, exception_ ? describe(exception_) : std::string()));
  std::uintptr_t old = state.fetch_or(kDone, std::memory_order_acq_rel);
  // Decide before waking the waiter: once it runs, the handle may let go and free us.
  bool last = old & kHandleGone;
  if (auto* w = reinterpret_cast<JoinWaiter*>(old & ~kStateFlags)) resume_in(w->ctx, w->job);
  if (last) {
    report_if_lost();
    self.destroy();
  }
  return std::noop_coroutine();
}

namespace {
bool is_shutdown(const std::exception_ptr& e) noexcept {
  try {
    std::rethrow_exception(e);
  } catch (const ExecutorShutDown&) {
    return true;
  } catch (...) {
    return false;
  }
}
}  // namespace

void PromiseBase::report_if_lost() noexcept {
  if (!exception_ || observed) return;
  // A detached task ended by the shutdown of its executor was cancelled as designed.
  if (detached && is_shutdown(exception_)) return;
  LostException e{exception_, describe(exception_), where_, id, detached, std::string(name())};
  try {
    report_lost(e, *platform);
  } catch (...) {
  }
}

void PromiseBase::release() noexcept {
  // Two owners, the handle and the running coroutine; whoever lets go second frees the
  // frame. A task seen done (the usual case: its result was awaited) has let go already,
  // so the handle frees it without a read-modify-write.
  if ((state.load(std::memory_order_acquire) & kDone) ||
      (state.fetch_or(kHandleGone, std::memory_order_acq_rel) & kDone)) {
    report_if_lost();
    self.destroy();
  }
}

}  // namespace detail
}  // namespace weft
