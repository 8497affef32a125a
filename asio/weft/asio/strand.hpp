// weft::asio::strand: asio's strand contract (handlers never run concurrently and run in
// the order they were submitted) on any executor, with weft's scheduling underneath.
//
// Why not asio's own strand over our executor: it keeps "which strand is running on this
// thread" in asio's thread-local call stack, which a simulation (many virtual threads on
// one OS thread) cannot swap. This one keeps the running thread in the strand itself, as
// weft's per-thread state, which the simulator does swap. Each handler is its own job on
// the inner executor (one scheduling point per handler in simulation).
#pragma once

#include <asio/execution.hpp>
#include <asio/prefer.hpp>
#include <asio/query.hpp>
#include <asio/require.hpp>

#include <memory>
#include <type_traits>
#include <utility>

#include "weft/asio/io_context.hpp"

namespace weft::asio {

namespace detail {

struct strand_handler {
  strand_handler* next = nullptr;
  TaskId task = 0;
  void (*invoke)(strand_handler*) = nullptr;
  void (*destroy)(strand_handler*) = nullptr;
};

template <class F, class Work>
struct strand_handler_of final : strand_handler {
  template <class G>
  strand_handler_of(G&& g, Work w) : f(std::forward<G>(g)), work(std::move(w)) {
    invoke = [](strand_handler* h) {
      auto* self = static_cast<strand_handler_of*>(h);
      Work keep(std::move(self->work));  // outstanding work until the handler has run
      F fn(std::move(self->f));
      delete self;
      std::move(fn)();
    };
    destroy = [](strand_handler* h) { delete static_cast<strand_handler_of*>(h); };
  }
  F f;
  Work work;
};

struct strand_state {
  explicit strand_state(Platform& p) : m(p.make_mutex()) {}
  ~strand_state() {
    while (head) {
      strand_handler* h = head;
      head = h->next;
      h->destroy(h);
    }
  }
  std::unique_ptr<PlatformMutex> m;
  strand_handler* head = nullptr;  // guarded by m
  strand_handler* tail = nullptr;  // guarded by m
  bool scheduled = false;          // guarded by m: a drain job is queued or running
  // The thread running the strand's current handler (its weft state), null when none.
  std::atomic<const void*> owner{nullptr};

  void push(strand_handler* h) noexcept {
    h->next = nullptr;
    if (tail)
      tail->next = h;
    else
      head = h;
    tail = h;
  }
  strand_handler* pop() noexcept {
    strand_handler* h = head;
    if (h) {
      head = h->next;
      if (!head) tail = nullptr;
    }
    return h;
  }
};

inline const void* this_thread_id() noexcept { return &weft::detail::thread_state(); }

template <class Ex>
Platform& platform_of(const Ex& ex) {
  if (io_context* c = weft_context_of(ex)) return c->platform();
  return current_platform();
}

}  // namespace detail

template <class Executor>
class strand;

namespace detail {
template <class T>
struct is_strand : std::false_type {};
template <class E>
struct is_strand<strand<E>> : std::true_type {};
}  // namespace detail

template <class Executor>
class strand {
 public:
  using inner_executor_type = Executor;

  // Not a candidate for strands: asio's any_io_executor converts from executors, and a
  // strand<any_io_executor> built from a strand would ask whether a strand is an executor
  // while deciding whether it is copyable.
  template <class E, class = std::enable_if_t<!detail::is_strand<std::decay_t<E>>::value &&
                                              std::is_convertible_v<const E&, Executor>>>
  explicit strand(const E& e)
      : inner_(e), state_(std::make_shared<detail::strand_state>(detail::platform_of(inner_))) {}
  template <class Other>
  strand(const strand<Other>& o) noexcept : inner_(o.inner_), state_(o.state_) {}
  template <class Other>
  strand& operator=(const strand<Other>& o) noexcept {
    inner_ = o.inner_;
    state_ = o.state_;
    return *this;
  }

  inner_executor_type get_inner_executor() const noexcept { return inner_; }

  template <class Property>
  auto query(const Property& p) const
      -> std::enable_if_t<::asio::can_query<const Executor&, Property>::value,
                          typename ::asio::query_result<const Executor&, Property>::type> {
    return ::asio::query(inner_, p);
  }
  template <class Property>
  auto require(const Property& p) const
      -> std::enable_if_t<::asio::can_require<const Executor&, Property>::value,
                          strand<std::decay_t<typename ::asio::require_result<const Executor&, Property>::type>>> {
    return strand<std::decay_t<typename ::asio::require_result<const Executor&, Property>::type>>(
        ::asio::require(inner_, p), state_);
  }
  template <class Property>
  auto prefer(const Property& p) const
      -> std::enable_if_t<::asio::can_prefer<const Executor&, Property>::value,
                          strand<std::decay_t<typename ::asio::prefer_result<const Executor&, Property>::type>>> {
    return strand<std::decay_t<typename ::asio::prefer_result<const Executor&, Property>::type>>(
        ::asio::prefer(inner_, p), state_);
  }

  // Runs `f` inline when the inner executor may block and this thread is running the
  // strand already; else queues it behind the strand's earlier handlers.
  template <class F>
  void execute(F&& f) const {
    if (::asio::query(inner_, ::asio::execution::blocking) != ::asio::execution::blocking.never &&
        running_in_this_thread()) {
      std::decay_t<F> fn(std::forward<F>(f));
      std::move(fn)();
      return;
    }
    enqueue(std::forward<F>(f));
  }

  bool running_in_this_thread() const noexcept {
    return state_->owner.load(std::memory_order_acquire) == detail::this_thread_id();
  }

  friend bool operator==(const strand& a, const strand& b) noexcept { return a.state_ == b.state_; }
  friend bool operator!=(const strand& a, const strand& b) noexcept { return a.state_ != b.state_; }

  // Networking-TS executor requirements.
  auto& context() const noexcept { return ::asio::query(inner_, ::asio::execution::context); }
  void on_work_started() const noexcept {}
  void on_work_finished() const noexcept {}
  template <class F, class A>
  void dispatch(F&& f, const A&) const {
    if (running_in_this_thread()) {
      std::decay_t<F> fn(std::forward<F>(f));
      std::move(fn)();
    } else {
      enqueue(std::forward<F>(f));
    }
  }
  template <class F, class A>
  void post(F&& f, const A&) const {
    enqueue(std::forward<F>(f));
  }
  template <class F, class A>
  void defer(F&& f, const A&) const {
    enqueue(std::forward<F>(f));
  }

 private:
  template <class>
  friend class strand;
  strand(const Executor& e, std::shared_ptr<detail::strand_state> s) : inner_(e), state_(std::move(s)) {}

  using work_type = std::decay_t<typename ::asio::prefer_result<const Executor&,
                                                                 ::asio::execution::outstanding_work_t::tracked_t>::type>;

  template <class F>
  void enqueue(F&& f) const {
    auto* h = new detail::strand_handler_of<std::decay_t<F>, work_type>(
        std::forward<F>(f), ::asio::prefer(inner_, ::asio::execution::outstanding_work.tracked));
    h->task = current_task();
    auto& st = *state_;
    st.m->lock();
    st.push(h);
    bool start = !st.scheduled;
    st.scheduled = true;
    st.m->unlock();
    if (start) schedule(inner_, state_, h->task);
  }

  // Queues one drain step (one handler) on the inner executor, continuing `task`.
  static void schedule(const Executor& inner, const std::shared_ptr<detail::strand_state>& st, TaskId task) {
    detail::task_scope scope(task);
    ::asio::execution::execute(::asio::require(inner, ::asio::execution::blocking.never), drain{inner, st});
  }

  struct drain {
    Executor inner;
    std::shared_ptr<detail::strand_state> st;
    void operator()() {
      st->m->lock();
      detail::strand_handler* h = st->pop();
      st->m->unlock();
      if (!h) return;
      struct after {
        drain* d;
        ~after() {
          auto& s = *d->st;
          s.owner.store(nullptr, std::memory_order_release);
          s.m->lock();
          detail::strand_handler* next = s.head;
          if (!next) s.scheduled = false;
          TaskId task = next ? next->task : 0;
          s.m->unlock();
          if (next) schedule(d->inner, d->st, task);
        }
      } guard{this};
      st->owner.store(detail::this_thread_id(), std::memory_order_release);
      h->invoke(h);
    }
  };

  Executor inner_;
  std::shared_ptr<detail::strand_state> state_;
};

template <class Executor>
strand<Executor> make_strand(const Executor& ex,
                             std::enable_if_t<::asio::execution::is_executor<Executor>::value ||
                                              ::asio::is_executor<Executor>::value>* = nullptr) {
  return strand<Executor>(ex);
}
template <class Context>
strand<typename Context::executor_type> make_strand(
    Context& ctx, std::enable_if_t<std::is_convertible_v<Context&, ::asio::execution_context&>>* = nullptr) {
  return strand<typename Context::executor_type>(ctx.get_executor());
}

}  // namespace weft::asio
