// co_spawn with weft's bookkeeping, and the two completion tokens whose asio versions
// would hide a bug from the checker:
//   detached:   asio's drops a coroutine's exception without a trace; ours reports it as a
//               lost exception with the co_spawn site (the fire-and-forget finding).
//   use_future: asio's returns a std::future, whose get() blocks the OS thread where the
//               simulator cannot see it; ours parks through the Platform seam, so a get()
//               that waits on its own thread is a deadlock with its wait-for cycle.
// co_spawn itself is asio's; ours records each coroutine as a weft task (spawn site,
// parent, executor, completion) when tracing, and forwards everything else unchanged.
#pragma once

#include <asio/async_result.hpp>
#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>

#include <atomic>
#include <exception>
#include <memory>
#include <optional>
#include <source_location>
#include <string>
#include <system_error>
#include <type_traits>
#include <variant>

#include "weft/asio/io_context.hpp"
#include "weft/spawn.hpp"

namespace weft::asio {

struct detached_t {
  constexpr detached_t() noexcept = default;
};
inline constexpr detached_t detached;

struct use_future_t {
  constexpr use_future_t() noexcept = default;
};
inline constexpr use_future_t use_future;

namespace detail {

inline void emit_complete(Platform& p, TaskId id, const std::exception_ptr& error) {
  if (!id || !p.tracing()) return;
  p.emit(trace::event::complete(id, error ? describe(error) : std::string()));
}

struct future_state_base {
  Platform* platform = nullptr;
  TaskId task = 0;  // the co_spawned task it stands for (0: an operation, not a task)
  std::atomic<bool> done{false};
  std::atomic<Parker*> waiter{nullptr};
  std::exception_ptr error;
  bool record_completion = false;  // emit the task's `complete` when the result arrives

  void finish() noexcept {
    done.store(true, std::memory_order_seq_cst);
    if (Parker* p = waiter.load(std::memory_order_seq_cst)) p->unpark();  // thread-lived parker
  }
  void wait(const std::source_location& where) {
    if (done.load(std::memory_order_acquire)) return;
    Parker& parker = weft::detail::thread_state().own_parker();
    waiter.store(&parker, std::memory_order_seq_cst);
    if (done.load(std::memory_order_seq_cst)) return;
    if (task) weft::detail::emit_block(*platform, task, where);
    while (!done.load(std::memory_order_seq_cst)) parker.park(WaitKind::block_on, task);
    if (task && platform->tracing()) platform->emit(trace::event::wake(current_task(), task));
  }
};

template <class T>
struct future_state : future_state_base {
  std::optional<std::conditional_t<std::is_void_v<T>, std::monostate, T>> value;

  template <class... V>
  void set(V&&... v) {
    if constexpr (std::is_void_v<T>)
      value.emplace();
    else
      value.emplace(std::forward<V>(v)...);
    finish();
  }
  void fail(std::exception_ptr e) {
    error = std::move(e);
    finish();
  }
  // Completion signatures: (exception_ptr[, T]), (error_code[, T]), ([T]).
  template <class... V>
  void complete(std::exception_ptr e, V&&... v) {
    if (e)
      fail(std::move(e));
    else
      set(std::forward<V>(v)...);
  }
  template <class... V>
  void complete(std::error_code ec, V&&... v) {
    if (ec)
      fail(std::make_exception_ptr(std::system_error(ec)));
    else
      set(std::forward<V>(v)...);
  }
  template <class... V>
  void complete(V&&... v) {
    set(std::forward<V>(v)...);
  }
};

template <class T>
struct future_handler {
  std::shared_ptr<future_state<T>> state;
  template <class... A>
  void operator()(A&&... a) {
    if (state->record_completion) emit_first_error(std::forward<A>(a)...);
    state->complete(std::forward<A>(a)...);
  }
  template <class... Rest>
  void emit_first_error(const std::exception_ptr& e, Rest&&...) {
    emit_complete(*state->platform, state->task, e);
  }
  template <class... Rest>
  void emit_first_error(Rest&&...) {
    emit_complete(*state->platform, state->task, nullptr);
  }
};

template <class Sig>
struct future_value;
template <class R>
struct future_value<R()> {
  using type = void;
};
template <class R, class A>
struct future_value<R(A)> {
  using D = std::decay_t<A>;
  using type = std::conditional_t<std::is_same_v<D, std::exception_ptr> || std::is_same_v<D, std::error_code>, void, D>;
};
template <class R, class A, class B>
struct future_value<R(A, B)> {
  using type = std::decay_t<B>;
};

struct detached_handler {
  Platform* platform = nullptr;
  TaskId task = 0;
  std::source_location where{};
  template <class... Rest>
  void operator()(std::exception_ptr e, Rest&&...) const {
    Platform& p = platform ? *platform : current_platform();
    emit_complete(p, task, e);
    if (!e) return;
    weft::detail::report_lost(LostException{e, describe(e), where, task, true, {}}, p);
  }
  template <class... A>
  void operator()(A&&...) const {}
};

// The co_spawned coroutine inside a frame that records its completion (tracing only).
template <class T, class Ex>
::asio::awaitable<T, Ex> tracked(::asio::awaitable<T, Ex> a, Platform* p, TaskId id) {
  std::exception_ptr error;
  try {
    if constexpr (std::is_void_v<T>) {
      co_await std::move(a);
      emit_complete(*p, id, nullptr);
      co_return;
    } else {
      T v = co_await std::move(a);
      emit_complete(*p, id, nullptr);
      co_return v;
    }
  } catch (...) {
    error = std::current_exception();
  }
  emit_complete(*p, id, error);
  std::rethrow_exception(error);
}

template <class E>
decltype(auto) executor_of(E& e) {
  if constexpr (std::is_convertible_v<E&, ::asio::execution_context&>)
    return e.get_executor();
  else
    return (e);
}

template <class A>
struct awaitable_traits;
template <class T, class Ex>
struct awaitable_traits<::asio::awaitable<T, Ex>> {
  using value_type = T;
  using executor_type = Ex;
};

template <class A, bool = std::is_invocable_v<A&>>
struct spawned_value {
  using type = typename awaitable_traits<A>::value_type;
};
template <class A>
struct spawned_value<A, true> {
  using type = typename awaitable_traits<std::invoke_result_t<A&>>::value_type;
};

}  // namespace detail

// The future of a `use_future` completion: get() / wait() park the calling thread through
// the Platform seam (a block on the co_spawned task, for the deadlock property).
template <class T>
class future {
 public:
  future() = default;
  explicit future(std::shared_ptr<detail::future_state<T>> s) : state_(std::move(s)) {}
  bool valid() const noexcept { return bool(state_); }
  bool ready() const noexcept { return state_ && state_->done.load(std::memory_order_acquire); }
  void wait(std::source_location where = std::source_location::current()) const { state_->wait(where); }
  T get(std::source_location where = std::source_location::current()) {
    if (!state_) throw std::future_error(std::future_errc::no_state);
    auto s = std::move(state_);
    s->wait(where);
    if (s->error) std::rethrow_exception(s->error);
    if constexpr (!std::is_void_v<T>) return std::move(*s->value);
  }

 private:
  std::shared_ptr<detail::future_state<T>> state_;
};

// asio::co_spawn, recorded as a weft task. Takes an executor or an execution context, an
// awaitable or a function returning one, and any completion token.
template <class E, class A, class Token>
auto co_spawn(E&& e, A&& a, Token&& token, std::source_location where = std::source_location::current()) {
  auto ex = detail::executor_of(e);
  io_context* ctx = weft_context_of(ex);
  Platform& p = ctx ? ctx->platform() : current_platform();
  TaskId id = 0;
  if (p.tracing()) {
    id = p.next_task_id();
    p.emit(trace::event::spawn(id, current_task(), ctx ? ctx->weft_executor().id() : 0,
                               std::is_same_v<std::decay_t<Token>, detached_t>, where, {}));
  }
  // The coroutine's first step is posted from here: it continues task `id`.
  detail::task_scope scope(id ? id : current_task());
  using D = std::decay_t<Token>;
  // Our own handlers record the task's completion when they are called (the moment the
  // co_spawn operation completes, which a waiter sees); other tokens get the coroutine
  // wrapped in a frame that records it when the coroutine's body ends.
  constexpr bool ours = std::is_same_v<D, detached_t> || std::is_same_v<D, use_future_t>;
  auto launch = [&](auto&& handler) -> decltype(auto) {
    using H = decltype(handler);
    if constexpr (ours) {
      return ::asio::co_spawn(ex, std::forward<A>(a), std::forward<H>(handler));
    } else if constexpr (std::is_invocable_v<std::decay_t<A>&>) {
      if (id)  // asio keeps the function object alive in the coroutine's frame
        return ::asio::co_spawn(
            ex, [f = std::decay_t<A>(std::forward<A>(a)), pp = &p, id]() mutable { return detail::tracked(f(), pp, id); },
            std::forward<H>(handler));
      return ::asio::co_spawn(ex, std::forward<A>(a), std::forward<H>(handler));
    } else {
      if (id) return ::asio::co_spawn(ex, detail::tracked(std::forward<A>(a), &p, id), std::forward<H>(handler));
      return ::asio::co_spawn(ex, std::forward<A>(a), std::forward<H>(handler));
    }
  };
  if constexpr (std::is_same_v<D, detached_t>) {
    launch(detail::detached_handler{&p, id, where});
  } else if constexpr (std::is_same_v<D, use_future_t>) {
    using T = typename detail::spawned_value<std::decay_t<A>>::type;
    auto state = std::make_shared<detail::future_state<T>>();
    state->platform = &p;
    state->task = id;
    state->record_completion = true;
    launch(detail::future_handler<T>{state});
    return future<T>(std::move(state));
  } else {
    return launch(std::forward<Token>(token));
  }
}

}  // namespace weft::asio

namespace asio {

template <class R, class... Args>
class async_result<weft::asio::detached_t, R(Args...)> {
 public:
  using return_type = void;
  template <class Initiation, class... InitArgs>
  static void initiate(Initiation&& init, weft::asio::detached_t, InitArgs&&... args) {
    std::move(init)(weft::asio::detail::detached_handler{}, std::forward<InitArgs>(args)...);
  }
};

template <class R, class... Args>
class async_result<weft::asio::use_future_t, R(Args...)> {
 public:
  using value_type = typename weft::asio::detail::future_value<R(Args...)>::type;
  using return_type = weft::asio::future<value_type>;
  template <class Initiation, class... InitArgs>
  static return_type initiate(Initiation&& init, weft::asio::use_future_t, InitArgs&&... args) {
    auto state = std::make_shared<weft::asio::detail::future_state<value_type>>();
    state->platform = &weft::current_platform();
    std::move(init)(weft::asio::detail::future_handler<value_type>{state}, std::forward<InitArgs>(args)...);
    return return_type(std::move(state));
  }
};

}  // namespace asio
