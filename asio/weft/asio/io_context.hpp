// weft::asio::io_context: an asio execution context whose handlers are weft jobs.
//
// A context for one thread (the default, concurrency_hint 1) is run as asio runs one: by
// the threads that call run(). Its weft executor has no thread of its own; its queue is
// drained by run(), run_one(), poll() and poll_one() on the calling thread, which serves
// the executor meanwhile (each job is a resume of that executor by that thread in the
// trace, so the wait-for graph knows whose thread a blocked handler holds). A context for
// N threads (concurrency_hint > 1) and a thread_pool are backed by a weft ThreadPool of N
// workers (a SerialExecutor for thread_pool(1)); there run() opens the context and waits
// until there is no outstanding work, and the handlers wait in the pool's shared FIFO
// queue (a handler's posts join its back, as in asio's scheduler), never in a worker's own
// queue, which that worker would serve before older handlers. Either way every handler (a
// posted function, a coroutine step of an awaitable, a timer or socket completion) is a Job
// on the weft executor: a real thread in production, a virtual thread and a scheduling
// point in simulation.
//
// What stays asio: the executor models asio's standard executor concept (execute plus the
// context, blocking, relationship, outstanding_work, allocator and mapping properties) and
// the older Networking-TS members, so asio's own co_spawn, post, dispatch, defer,
// awaitable / use_awaitable, this_coro::executor, any_io_executor and work guards run on it
// unchanged. Handlers queued while nobody runs the context are held, as asio holds them.
// An exception escaping a handler is rethrown by run(), as in asio.
#pragma once

#include <asio/execution.hpp>
#include <asio/execution_context.hpp>
#include <asio/is_executor.hpp>
#include <asio/query.hpp>

#include <atomic>
#include <cstddef>
#include <exception>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "weft/executor.hpp"
#include "weft/platform.hpp"

namespace weft::asio {

class io_context;
class network;

namespace detail {

// Runs the calling thread as task `t` for the lifetime of the scope: jobs posted meanwhile
// continue that task in the trace (a co_spawned coroutine, a timer completion).
class task_scope {
 public:
  explicit task_scope(TaskId t) noexcept : s_(weft::detail::thread_state()), saved_(s_.task) { s_.task = t; }
  ~task_scope() { s_.task = saved_; }
  task_scope(const task_scope&) = delete;
  task_scope& operator=(const task_scope&) = delete;

 private:
  weft::detail::ThreadState& s_;
  TaskId saved_;
};

// A queued handler: a weft Job that owns one function object.
class caller_executor;

struct handler_job : Job {
  io_context* ctx = nullptr;
  void (*invoke)(handler_job*) = nullptr;   // moves the function out, frees the job, calls it
  void (*destroy)(handler_job*) = nullptr;  // frees the job without calling it
};

template <class F>
struct handler_job_of final : handler_job {
  template <class G>
  explicit handler_job_of(G&& g) : f(std::forward<G>(g)) {
    invoke = [](handler_job* j) {
      auto* self = static_cast<handler_job_of*>(j);
      F fn(std::move(self->f));
      delete self;  // asio's rule: the memory is freed before the upcall
      std::move(fn)();
    };
    destroy = [](handler_job* j) { delete static_cast<handler_job_of*>(j); };
  }
  F f;
};

}  // namespace detail

class io_context : public ::asio::execution_context {
 public:
  using count_type = std::size_t;
  template <unsigned Bits>
  class basic_executor_type;
  using executor_type = basic_executor_type<0>;

  // One thread: run by the thread that calls run().
  io_context();
  // `concurrency_hint` threads (1: run by the callers of run(); more: a ThreadPool).
  explicit io_context(int concurrency_hint);
  io_context(int concurrency_hint, Platform& platform);
  ~io_context();
  io_context(const io_context&) = delete;
  io_context& operator=(const io_context&) = delete;

  executor_type get_executor() noexcept;

  // Runs handlers (on the calling thread for a one-thread context) until the context has
  // no outstanding work or stop() is called. Returns the number of handlers that completed
  // meanwhile; rethrows an exception that escaped a handler.
  count_type run();
  // Runs until one handler completed, no work is left, or stop().
  count_type run_one();
  // Runs every handler that is ready now; does not wait for timers or I/O.
  count_type poll();
  count_type poll_one();
  // run() calls return as soon as possible; handlers not yet started are held until the
  // context is run again after restart().
  void stop();
  bool stopped() const noexcept { return stopped_.load(std::memory_order_acquire); }
  void restart();

  // weft side.
  Executor& weft_executor() noexcept { return *executor_; }
  Platform& platform() const noexcept { return *platform_; }
  std::uint32_t thread_count() const noexcept { return executor_->thread_count(); }
  bool running_in_this_thread() const noexcept { return executor_->running_here(); }

  // Outstanding work (asio's count: queued handlers, pending operations, tracked executors).
  void work_started() noexcept { outstanding_.fetch_add(1, std::memory_order_relaxed); }
  void work_finished() noexcept {
    if (outstanding_.fetch_sub(1, std::memory_order_seq_cst) == 1) notify();
  }

  // The network its sockets use (see network.hpp); null until one is given or first used.
  network* network_ptr() const noexcept;
  void set_network(std::shared_ptr<network> n);
  network& set_network_if_unset(std::shared_ptr<network> n);

  // Queues `f` as a job on the weft executor, continuing the calling thread's task.
  template <class F>
  void post_function(F&& f) {
    using Fn = std::decay_t<F>;
    auto* job = new detail::handler_job_of<Fn>(std::forward<F>(f));
    job->ctx = this;
    enqueue(job);
  }

 protected:
  struct own_threads_t {};
  // A context served by threads of its own (thread_pool), even with one thread.
  io_context(int threads, Platform& platform, own_threads_t);
  // A context that runs from construction (thread_pool).
  void open_forever();
  // Blocks until no outstanding work remains (or stop()); the thread_pool's join().
  void wait_idle();

 private:
  friend struct detail::handler_job;
  friend class detail::caller_executor;
  // What run() and its kin ask of a caller-run context.
  enum class until { idle, one, ready, ready_one };
  count_type serve(until what);
  void push(Job* job);  // the caller-run executor's post()
  void enqueue(detail::handler_job* job);
  static void run_job(Job* j);
  void hold(detail::handler_job* job);
  void open();
  void close();
  void notify() noexcept;
  template <class Done>
  void wait_until(Done done, bool eager);
  void rethrow_pending();

  Platform* platform_;
  detail::caller_executor* caller_ = nullptr;  // the executor when run by its callers
  std::unique_ptr<Executor> executor_;
  std::atomic<std::int64_t> outstanding_{0};
  // Handlers queued and not yet run, handlers run so far: kept by a context with threads of
  // its own (a caller-run one needs neither: its queue and its callers know).
  std::atomic<std::int64_t> ready_{0};
  std::atomic<std::uint64_t> completed_{0};
  std::atomic<std::uint32_t> runners_{0};     // run()/poll() calls under way (+1 if open forever)
  std::atomic<bool> stopped_{false};
  std::atomic<bool> error_pending_{false};    // error_ is set (read without m_)
  std::atomic<std::uint32_t> waiters_{0};     // threads in wait_until
  std::atomic<std::uint32_t> eager_{0};       // of which want a wake-up per handler
  std::unique_ptr<PlatformMutex> m_;
  std::vector<Parker*> parkers_;              // guarded by m_
  JobFifo held_;                              // guarded by m_: queued while closed
  JobFifo queue_;                             // guarded by m_: a caller-run context's jobs
  std::exception_ptr error_;                  // guarded by m_: escaped a handler
  std::shared_ptr<network> network_;          // guarded by m_
};

// The executor of an io_context. Bits: 1 = outstanding_work.tracked (a work guard).
template <unsigned Bits>
class io_context::basic_executor_type {
  static constexpr unsigned kTracked = 1;
  static constexpr unsigned kNever = 1;         // runtime flag: blocking.never
  static constexpr unsigned kContinuation = 2;  // runtime flag: relationship.continuation

 public:
  basic_executor_type(const basic_executor_type& o) noexcept : ctx_(o.ctx_), flags_(o.flags_) { track(); }
  basic_executor_type(basic_executor_type&& o) noexcept : ctx_(o.ctx_), flags_(o.flags_) {
    if constexpr (Bits & kTracked) o.ctx_ = nullptr;
  }
  basic_executor_type& operator=(const basic_executor_type& o) noexcept {
    if (this != &o) {
      untrack();
      ctx_ = o.ctx_;
      flags_ = o.flags_;
      track();
    }
    return *this;
  }
  basic_executor_type& operator=(basic_executor_type&& o) noexcept {
    if (this != &o) {
      untrack();
      ctx_ = o.ctx_;
      flags_ = o.flags_;
      if constexpr (Bits & kTracked) o.ctx_ = nullptr;
    }
    return *this;
  }
  ~basic_executor_type() { untrack(); }

  // Standard executor properties.
  basic_executor_type require(::asio::execution::blocking_t::possibly_t) const { return with(flags_ & ~kNever); }
  basic_executor_type require(::asio::execution::blocking_t::never_t) const { return with(flags_ | kNever); }
  basic_executor_type require(::asio::execution::relationship_t::fork_t) const { return with(flags_ & ~kContinuation); }
  basic_executor_type require(::asio::execution::relationship_t::continuation_t) const {
    return with(flags_ | kContinuation);
  }
  basic_executor_type<Bits | kTracked> require(::asio::execution::outstanding_work_t::tracked_t) const {
    return basic_executor_type<Bits | kTracked>(ctx_, flags_);
  }
  basic_executor_type<Bits & ~kTracked> require(::asio::execution::outstanding_work_t::untracked_t) const {
    return basic_executor_type<Bits & ~kTracked>(ctx_, flags_);
  }
  // Handlers are allocated with the global allocator; any allocator is accepted and ignored.
  template <class A>
  basic_executor_type require(::asio::execution::allocator_t<A>) const {
    return *this;
  }

  static constexpr ::asio::execution::mapping_t query(::asio::execution::mapping_t) noexcept {
    return ::asio::execution::mapping.thread;
  }
  io_context& query(::asio::execution::context_t) const noexcept { return *ctx_; }
  ::asio::execution::blocking_t query(::asio::execution::blocking_t) const noexcept {
    return (flags_ & kNever) ? ::asio::execution::blocking_t(::asio::execution::blocking.never)
                             : ::asio::execution::blocking_t(::asio::execution::blocking.possibly);
  }
  ::asio::execution::relationship_t query(::asio::execution::relationship_t) const noexcept {
    return (flags_ & kContinuation) ? ::asio::execution::relationship_t(::asio::execution::relationship.continuation)
                                    : ::asio::execution::relationship_t(::asio::execution::relationship.fork);
  }
  static constexpr ::asio::execution::outstanding_work_t query(::asio::execution::outstanding_work_t) noexcept {
    return (Bits & kTracked) ? ::asio::execution::outstanding_work_t(::asio::execution::outstanding_work.tracked)
                             : ::asio::execution::outstanding_work_t(::asio::execution::outstanding_work.untracked);
  }
  template <class A>
  std::allocator<void> query(::asio::execution::allocator_t<A>) const noexcept {
    return {};
  }

  // Runs `f` inline when blocking.possibly and already on one of the context's threads,
  // else queues it as a job.
  template <class F>
  void execute(F&& f) const {
    if (!(flags_ & kNever) && ctx_->running_in_this_thread()) {
      std::decay_t<F> fn(std::forward<F>(f));
      std::move(fn)();
      return;
    }
    ctx_->post_function(std::forward<F>(f));
  }

  bool running_in_this_thread() const noexcept { return ctx_->running_in_this_thread(); }
  friend bool operator==(const basic_executor_type& a, const basic_executor_type& b) noexcept {
    return a.ctx_ == b.ctx_ && a.flags_ == b.flags_;
  }
  friend bool operator!=(const basic_executor_type& a, const basic_executor_type& b) noexcept { return !(a == b); }

  // Networking-TS executor requirements.
  io_context& context() const noexcept { return *ctx_; }
  void on_work_started() const noexcept { ctx_->work_started(); }
  void on_work_finished() const noexcept { ctx_->work_finished(); }
  template <class F, class A>
  void dispatch(F&& f, const A&) const {
    if (ctx_->running_in_this_thread()) {
      std::decay_t<F> fn(std::forward<F>(f));
      std::move(fn)();
    } else {
      ctx_->post_function(std::forward<F>(f));
    }
  }
  template <class F, class A>
  void post(F&& f, const A&) const {
    ctx_->post_function(std::forward<F>(f));
  }
  template <class F, class A>
  void defer(F&& f, const A&) const {
    ctx_->post_function(std::forward<F>(f));
  }

 private:
  friend class io_context;
  template <unsigned>
  friend class basic_executor_type;
  basic_executor_type(io_context* c, unsigned flags) noexcept : ctx_(c), flags_(flags) { track(); }
  basic_executor_type with(unsigned flags) const { return basic_executor_type(ctx_, flags); }
  void track() noexcept {
    if constexpr (Bits & kTracked)
      if (ctx_) ctx_->work_started();
  }
  void untrack() noexcept {
    if constexpr (Bits & kTracked)
      if (ctx_) ctx_->work_finished();
  }
  io_context* ctx_;
  unsigned flags_;
};

inline io_context::executor_type io_context::get_executor() noexcept { return executor_type(this, 0); }

// asio::thread_pool's shape: N threads that run handlers from construction; join() waits
// until the pool has no outstanding work.
class thread_pool : public io_context {
 public:
  thread_pool();
  explicit thread_pool(std::size_t threads, Platform& platform = current_platform());
  ~thread_pool();
  void join() { wait_idle(); }
  void wait() { wait_idle(); }
};

namespace detail {
// Marks an execution context as a weft::asio one (execution_context is not polymorphic,
// so its service registry is how a context is recognised behind an any_io_executor).
class context_service : public ::asio::execution_context::service {
 public:
  using key_type = context_service;
  inline static ::asio::execution_context::id id;
  explicit context_service(::asio::execution_context& c, io_context* owner = nullptr) : service(c), owner_(owner) {}
  io_context* owner() const noexcept { return owner_; }

 private:
  void shutdown() override {}
  io_context* owner_;
};
inline io_context* context_behind(::asio::execution_context& c) noexcept {
  return ::asio::has_service<context_service>(c) ? ::asio::use_service<context_service>(c).owner() : nullptr;
}
}  // namespace detail

// The weft context behind an asio execution context, or null when it is not one of ours.
inline io_context* weft_context(::asio::execution_context& c) noexcept { return detail::context_behind(c); }

// The weft context behind any executor whose context is ours (ours, a strand of ours, an
// any_io_executor holding either); null otherwise.
template <class Ex>
io_context* weft_context_of(const Ex& ex) noexcept {
  if constexpr (::asio::can_query<const Ex&, ::asio::execution::context_t>::value) {
    auto& c = ::asio::query(ex, ::asio::execution::context);
    using C = std::remove_reference_t<decltype(c)>;
    if constexpr (std::is_convertible_v<C*, io_context*>)
      return &c;
    else if constexpr (std::is_convertible_v<C*, ::asio::execution_context*>)
      return detail::context_behind(c);
    else
      return nullptr;
  } else if constexpr (::asio::can_query<const Ex&, ::asio::execution::context_as_t<::asio::execution_context&>>::value) {
    return detail::context_behind(::asio::query(ex, ::asio::execution::context_as<::asio::execution_context&>));
  } else {
    return nullptr;
  }
}

}  // namespace weft::asio
