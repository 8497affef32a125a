// when_all keeps every exception (AggregateError); when_any returns the first to finish and
// requests stop on the losers' stop_source. Children run concurrently: each is started on
// the calling thread and goes on wherever its own awaits resume it.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <stop_token>
#include <array>
#include <string_view>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include "weft/spawn.hpp"
#include "weft/task.hpp"
#include "weft/timer.hpp"

namespace weft {

// How much of an AggregateError counts as observed (process-wide, see set_observation).
enum class AggregateObservation : std::uint8_t {
  whole,   // what(), size(), exceptions() or rethrow_first() observe every inner exception
  strict,  // only the inner exceptions looked at: what()/rethrow_first() the first, exceptions() all
};

// Several children failed. Tracks which inner exceptions somebody looked at: when the last
// copy goes away, the ones nobody observed are reported as lost exceptions.
class AggregateError : public std::exception {
 public:
  struct State;
  AggregateError(std::vector<std::exception_ptr> errors, std::size_t children, const std::source_location& where);
  const char* what() const noexcept override;
  // Observes all of them.
  const std::vector<std::exception_ptr>& exceptions() const noexcept;
  std::size_t size() const noexcept;
  // Rethrows the first inner exception.
  [[noreturn]] void rethrow_first() const;
  // Sets the process-wide observation policy (default: whole); returns the previous one.
  static AggregateObservation set_observation(AggregateObservation policy) noexcept;

 private:
  std::shared_ptr<State> state_;
};

namespace detail {

// A child of when_all/when_any: an eagerly started coroutine that awaits the user's task,
// records the outcome, and tells the group it is done.
struct ChildPromise;
struct Child {
  using promise_type = ChildPromise;
  std::coroutine_handle<ChildPromise> h;
};
void emit_child_complete(TaskId id) noexcept;
struct GroupBase {
  virtual void child_done(std::size_t index) noexcept = 0;
  virtual ~GroupBase() = default;
};
struct ChildPromise {
  GroupBase* group = nullptr;
  std::size_t index = 0;
  TaskId id = 0;
  Child get_return_object() noexcept { return Child{std::coroutine_handle<ChildPromise>::from_promise(*this)}; }
  std::suspend_always initial_suspend() noexcept { return {}; }
  struct Final {
    bool await_ready() noexcept { return false; }
    void await_suspend(std::coroutine_handle<ChildPromise> h) noexcept {
      auto* g = h.promise().group;
      auto i = h.promise().index;
      emit_child_complete(h.promise().id);
      h.destroy();
      g->child_done(i);
    }
    void await_resume() noexcept {}
  };
  Final final_suspend() noexcept { return {}; }
  void return_void() noexcept {}
  void unhandled_exception() noexcept { std::terminate(); }  // bodies catch everything
};

// What a child of type T gives back: T, or std::monostate for void.
template <class T>
using JoinValue = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

template <class T>
struct Slot {
  std::optional<JoinValue<T>> value;
  std::exception_ptr error;
};

template <class T>
std::exception_ptr& slot_error(std::vector<Slot<T>>& slots, std::size_t i) noexcept {
  return slots[i].error;
}
template <class... Ts>
std::exception_ptr& slot_error(std::tuple<Slot<Ts>...>& slots, std::size_t i) noexcept {
  std::exception_ptr* out = nullptr;
  std::size_t k = 0;
  std::apply([&](auto&... s) { ((k++ == i ? (void)(out = &s.error) : void()), ...); }, slots);
  return *out;
}

template <class T>
Child run_child(Task<T> t, Slot<T>* slot) {
  try {
    if constexpr (std::is_void_v<T>) {
      co_await std::move(t);
      slot->value.emplace();
    } else {
      slot->value.emplace(co_await std::move(t));
    }
  } catch (...) {
    slot->error = std::current_exception();
  }
}

// Gives child `c` its task id (a sub-task of the calling task) and records its spawn.
// `name` is the user task's (Task::name()), for the spawn record.
TaskId prepare_child(std::coroutine_handle<ChildPromise> c, GroupBase* g, std::size_t index,
                     const std::source_location& where, std::string_view name = {});
// Runs a prepared child inline until it first suspends.
void run_child_inline(std::coroutine_handle<ChildPromise> c);
inline void start_child(std::coroutine_handle<ChildPromise> c, GroupBase* g, std::size_t index,
                        const std::source_location& where, std::string_view name = {}) {
  prepare_child(c, g, index, where, name);
  run_child_inline(c);
}
void emit_race_lost(TaskId loser, TaskId winner);
void drop_loser_error(const std::exception_ptr& e, TaskId task, const std::source_location& where);

template <class T>
struct AllGroup : GroupBase {
  std::vector<Slot<T>> slots;
  std::atomic<std::size_t> remaining{0};
  std::coroutine_handle<> parent;
  TaskId parent_task = 0;
  std::source_location where;
  void child_done(std::size_t) noexcept override {
    if (remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      if (auto* s = tls_state) s->task = parent_task;
      parent.resume();
    }
  }
};

template <class T>
struct AllAwaiter {
  std::vector<Task<T>> tasks;
  std::unique_ptr<AllGroup<T>> g = std::make_unique<AllGroup<T>>();
  bool await_ready() const noexcept { return tasks.empty(); }
  void await_suspend(std::coroutine_handle<> h) {
    g->slots.resize(tasks.size());
    g->remaining.store(tasks.size() + 1, std::memory_order_relaxed);  // +1: the starter
    g->parent = h;
    g->parent_task = current_task();
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      std::string_view name = tasks[i].name();  // lives in the task's frame, kept by the child
      start_child(run_child<T>(std::move(tasks[i]), &g->slots[i]).h, g.get(), i, g->where, name);
    }
    g->child_done(tasks.size());  // drop the starter's count; may resume the parent here
  }
  auto await_resume() {
    std::vector<std::exception_ptr> errors;
    for (auto& s : g->slots)
      if (s.error) errors.push_back(s.error);
    if (!errors.empty()) throw AggregateError(std::move(errors), g->slots.size(), g->where);
    if constexpr (std::is_void_v<T>) {
      return;
    } else {
      std::vector<T> out;
      out.reserve(g->slots.size());
      for (auto& s : g->slots) out.push_back(std::move(*s.value));
      return out;
    }
  }
};

// The shared state of a when_any; `Slots` is a vector (one type) or a tuple (variadic).
template <class Slots>
struct AnyStateOf : GroupBase {
  Slots slots;
  std::vector<TaskId> ids;
  std::atomic<std::size_t> remaining{0};
  std::atomic<bool> decided{false};
  std::atomic<int> gate{2};  // the first completion and the end of the start loop
  std::size_t winner = 0;
  std::coroutine_handle<> parent;
  Executor* parent_ctx = nullptr;
  TaskId parent_task = 0;
  std::stop_source* stop = nullptr;
  std::shared_ptr<AnyStateOf> keep_alive;  // released by the last child
  std::source_location where;
  ResumeJob resume;
  void child_done(std::size_t i) noexcept override {
    bool first = !decided.exchange(true, std::memory_order_acq_rel);
    if (first) {
      winner = i;
      for (std::size_t j = 0; j < ids.size(); ++j)
        if (j != i) emit_race_lost(ids[j], ids[i]);
      if (stop) weft::request_stop(*stop, where);
      open_gate();
    } else if (auto& error = slot_error(slots, i)) {
      drop_loser_error(error, ids[i], where);
    }
    if (remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) keep_alive.reset();  // may delete this
  }
  void open_gate() noexcept {
    if (gate.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    resume.handle = parent;
    resume.task = parent_task;
    resume_in(parent_ctx, &resume);
  }
};

template <class T>
using AnyState = AnyStateOf<std::vector<Slot<T>>>;

template <class T>
struct AnyResult {
  std::size_t index;
  std::conditional_t<std::is_void_v<T>, std::monostate, T> value;
};

template <class T>
struct AnyAwaiter {
  std::vector<Task<T>> tasks;
  std::stop_source* stop;
  std::source_location where;
  std::shared_ptr<AnyState<T>> st = std::make_shared<AnyState<T>>();
  bool await_ready() const {
    if (tasks.empty()) throw MisuseError("weft: when_any of no tasks");
    return false;
  }
  void await_suspend(std::coroutine_handle<> h) {
    st->slots.resize(tasks.size());
    st->ids.resize(tasks.size());
    st->remaining.store(tasks.size(), std::memory_order_relaxed);
    st->parent = h;
    st->parent_ctx = current_context();
    st->parent_task = current_task();
    st->stop = stop;
    st->where = where;
    st->keep_alive = st;
    auto* raw = st.get();
    auto keep = st;  // the awaiter may be gone once the gate opens
    // Every child gets its id before any runs: the first may decide the race at once.
    std::vector<std::coroutine_handle<ChildPromise>> children;
    children.reserve(tasks.size());
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      std::string_view name = tasks[i].name();
      children.push_back(run_child<T>(std::move(tasks[i]), &raw->slots[i]).h);
      raw->ids[i] = prepare_child(children.back(), raw, i, where, name);
    }
    for (auto c : children) run_child_inline(c);
    raw->open_gate();
  }
  AnyResult<T> await_resume() {
    auto& s = st->slots[st->winner];
    if (s.error) std::rethrow_exception(s.error);
    return AnyResult<T>{st->winner, std::move(*s.value)};
  }
};

template <class... Ts>
struct AllTupleGroup : GroupBase {
  std::tuple<Slot<Ts>...> slots;
  std::atomic<std::size_t> remaining{0};
  std::coroutine_handle<> parent;
  TaskId parent_task = 0;
  std::source_location where;
  void child_done(std::size_t) noexcept override {
    if (remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      if (auto* s = tls_state) s->task = parent_task;
      parent.resume();
    }
  }
};

template <class... Ts>
struct AllTupleAwaiter {
  std::tuple<Task<Ts>...> tasks;
  std::unique_ptr<AllTupleGroup<Ts...>> g = std::make_unique<AllTupleGroup<Ts...>>();
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    g->remaining.store(sizeof...(Ts) + 1, std::memory_order_relaxed);  // +1: the starter
    g->parent = h;
    g->parent_task = current_task();
    start(std::index_sequence_for<Ts...>{});
    g->child_done(sizeof...(Ts));  // drop the starter's count; may resume the parent here
  }
  template <std::size_t... I>
  void start(std::index_sequence<I...>) {
    (start_one<I>(), ...);
  }
  template <std::size_t I>
  void start_one() {
    using T = std::tuple_element_t<I, std::tuple<Ts...>>;
    auto& t = std::get<I>(tasks);
    std::string_view name = t.name();
    start_child(run_child<T>(std::move(t), &std::get<I>(g->slots)).h, g.get(), I, g->where, name);
  }
  std::tuple<JoinValue<Ts>...> await_resume() {
    std::vector<std::exception_ptr> errors;
    std::apply([&](auto&... s) { ((s.error ? errors.push_back(s.error) : void()), ...); }, g->slots);
    if (!errors.empty()) throw AggregateError(std::move(errors), sizeof...(Ts), g->where);
    return std::apply([](auto&... s) { return std::tuple<JoinValue<Ts>...>(std::move(*s.value)...); }, g->slots);
  }
};

// The first of several tasks of different types to finish: its position and its value.
template <class... Ts>
struct AnyOf {
  std::size_t index;
  std::variant<JoinValue<Ts>...> value;  // alternative `index` holds the value
};

template <class... Ts>
struct AnyTupleAwaiter {
  std::tuple<Task<Ts>...> tasks;
  std::stop_source* stop;
  std::source_location where;
  using State = AnyStateOf<std::tuple<Slot<Ts>...>>;
  std::shared_ptr<State> st = std::make_shared<State>();
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    constexpr std::size_t n = sizeof...(Ts);
    st->ids.resize(n);
    st->remaining.store(n, std::memory_order_relaxed);
    st->parent = h;
    st->parent_ctx = current_context();
    st->parent_task = current_task();
    st->stop = stop;
    st->where = where;
    st->keep_alive = st;
    auto keep = st;  // the awaiter may be gone once the gate opens
    std::array<std::coroutine_handle<ChildPromise>, n> children;
    prepare(children, std::index_sequence_for<Ts...>{});
    for (auto c : children) run_child_inline(c);
    keep->open_gate();
  }
  template <std::size_t... I>
  void prepare(std::array<std::coroutine_handle<ChildPromise>, sizeof...(Ts)>& children, std::index_sequence<I...>) {
    ((children[I] = prepare_one<I>()), ...);
  }
  template <std::size_t I>
  std::coroutine_handle<ChildPromise> prepare_one() {
    using T = std::tuple_element_t<I, std::tuple<Ts...>>;
    auto& t = std::get<I>(tasks);
    std::string_view name = t.name();
    auto c = run_child<T>(std::move(t), &std::get<I>(st->slots)).h;
    st->ids[I] = prepare_child(c, st.get(), I, where, name);
    return c;
  }
  AnyOf<Ts...> await_resume() {
    std::optional<AnyOf<Ts...>> out;
    pick(out, std::index_sequence_for<Ts...>{});
    return std::move(*out);
  }
  template <std::size_t... I>
  void pick(std::optional<AnyOf<Ts...>>& out, std::index_sequence<I...>) {
    ((I == st->winner ? take<I>(out) : void()), ...);
  }
  template <std::size_t I>
  void take(std::optional<AnyOf<Ts...>>& out) {
    auto& s = std::get<I>(st->slots);
    if (s.error) std::rethrow_exception(s.error);
    out.emplace(AnyOf<Ts...>{I, std::variant<JoinValue<Ts>...>(std::in_place_index<I>, std::move(*s.value))});
  }
};

}  // namespace detail

using detail::AnyOf;

// when_all(t1, t2, ...): runs tasks of different types concurrently; a tuple of their values
// (std::monostate for void), or AggregateError with every failure.
template <class T1, class T2, class... Ts>
detail::AllTupleAwaiter<T1, T2, Ts...> when_all(Task<T1> t1, Task<T2> t2, Task<Ts>... ts) {
  return detail::AllTupleAwaiter<T1, T2, Ts...>{{std::move(t1), std::move(t2), std::move(ts)...}};
}

// when_any(t1, t2, ...): the first to finish, as AnyOf{index, variant}; then requests stop on
// `losers` (the source whose tokens the tasks were given).
template <class T1, class T2, class... Ts>
detail::AnyTupleAwaiter<T1, T2, Ts...> when_any(std::stop_source& losers, Task<T1> t1, Task<T2> t2, Task<Ts>... ts) {
  return detail::AnyTupleAwaiter<T1, T2, Ts...>{
      {std::move(t1), std::move(t2), std::move(ts)...}, &losers, std::source_location::current()};
}
template <class T1, class T2, class... Ts>
detail::AnyTupleAwaiter<T1, T2, Ts...> when_any(Task<T1> t1, Task<T2> t2, Task<Ts>... ts) {
  return detail::AnyTupleAwaiter<T1, T2, Ts...>{
      {std::move(t1), std::move(t2), std::move(ts)...}, nullptr, std::source_location::current()};
}

template <class T>
detail::AllAwaiter<T> when_all(std::vector<Task<T>> tasks, std::source_location where = std::source_location::current()) {
  detail::AllAwaiter<T> a{std::move(tasks)};
  a.g->where = where;
  return a;
}

// Waits for the first child to finish, then requests stop on `losers` (the source whose
// tokens the children were given). The losers go on until they notice; their results are
// discarded and their errors (other than OperationCancelled) reported as lost.
template <class T>
detail::AnyAwaiter<T> when_any(std::vector<Task<T>> tasks, std::stop_source* losers = nullptr,
                               std::source_location where = std::source_location::current()) {
  return detail::AnyAwaiter<T>{std::move(tasks), losers, where};
}

template <class T>
detail::AnyAwaiter<T> when_any(std::vector<Task<T>> tasks, std::stop_source& losers,
                               std::source_location where = std::source_location::current()) {
  return detail::AnyAwaiter<T>{std::move(tasks), &losers, where};
}

}  // namespace weft
