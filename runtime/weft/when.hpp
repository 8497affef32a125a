// when_all keeps every exception (AggregateError); when_any returns the first to finish and
// requests stop on the losers' stop_source. Children run concurrently: each is started on
// the calling thread and goes on wherever its own awaits resume it.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <stop_token>
#include <tuple>
#include <vector>

#include "weft/spawn.hpp"
#include "weft/task.hpp"
#include "weft/timer.hpp"

namespace weft {

// Several children failed. Tracks which inner exceptions somebody looked at: when the last
// copy goes away, the ones nobody observed are reported as lost exceptions.
class AggregateError : public std::exception {
 public:
  struct State;
  AggregateError(std::vector<std::exception_ptr> errors, std::size_t children, const std::source_location& where);
  const char* what() const noexcept override;  // observes the first only
  // Observes all of them.
  const std::vector<std::exception_ptr>& exceptions() const noexcept;
  std::size_t size() const noexcept;
  // Rethrows the first inner exception (observes only it).
  [[noreturn]] void rethrow_first() const;

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

template <class T>
struct Slot {
  std::optional<std::conditional_t<std::is_void_v<T>, std::monostate, T>> value;
  std::exception_ptr error;
};

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

template <class T>
struct AnyState : GroupBase {
  std::vector<Slot<T>> slots;
  std::vector<TaskId> ids;
  std::atomic<std::size_t> remaining{0};
  std::atomic<bool> decided{false};
  std::atomic<int> gate{2};  // the first completion and the end of the start loop
  std::size_t winner = 0;
  std::coroutine_handle<> parent;
  Executor* parent_ctx = nullptr;
  TaskId parent_task = 0;
  std::stop_source* stop = nullptr;
  std::shared_ptr<AnyState> keep_alive;  // released by the last child
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
    } else if (slots[i].error) {
      drop_loser_error(slots[i].error, ids[i], where);
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

}  // namespace detail

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
