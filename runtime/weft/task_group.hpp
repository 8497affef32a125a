// TaskGroup: structured concurrency. Children spawned into a group never outlive it:
//
//   TaskGroup group{"fan-out"};
//   for (auto id : ids) group.spawn(pool, [&, id](std::stop_token t) { return fetch(id, t); });
//   co_await group.join();   // waits for every child; AggregateError if any failed
//
// - Children get the group's stop token (spawn with a callable taking it, or build the task
//   with group.token()). The first failure requests stop on it (Options::cancel_on_failure).
// - join() waits for all children and throws an AggregateError with every failure; children
//   that ended with OperationCancelled because the group was stopped are not failures.
// - Leaving the scope without join() requests stop and then blocks the destroying thread
//   until every child has ended: the group never detaches anything. (Blocking a thread is
//   the fallback; co_await join() is the way to leave a group.) Failures nobody joined for
//   are reported as lost exceptions.
#pragma once

#include <concepts>
#include <memory>
#include <source_location>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "weft/spawn.hpp"
#include "weft/task.hpp"
#include "weft/timer.hpp"
#include "weft/when.hpp"

namespace weft {

struct TaskGroupOptions {
  bool cancel_on_failure = true;  // the first failure requests stop on the siblings
};

class TaskGroup {
 public:
  using Options = TaskGroupOptions;

  explicit TaskGroup(std::string_view name = {}, Options options = {},
                     std::source_location where = std::source_location::current());
  explicit TaskGroup(Options options, std::source_location where = std::source_location::current())
      : TaskGroup(std::string_view{}, options, where) {}
  ~TaskGroup();
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;

  // The token every child should observe.
  std::stop_token token() const noexcept;
  // Requests stop on every child (recorded in the trace).
  void cancel(std::source_location where = std::source_location::current());
  // Children that have not ended yet.
  std::size_t running() const;
  const std::string& name() const noexcept;
  ObjectId id() const noexcept;

  // Runs `task` on `ex` as a child. Its result is discarded; an exception is a failure.
  template <class T>
  void spawn(Executor& ex, Task<T> task, std::source_location where = std::source_location::current()) {
    std::string name(task.name());
    add_child();
    spawn_detached(ex, child(state_, std::move(task)).named(name), where);
  }
  // Runs `make(group.token())` on `ex` as a child. `make` is called at once and then dropped:
  // it should call a coroutine function, not be a capturing coroutine lambda itself.
  template <class Make>
    requires std::invocable<Make&, std::stop_token>
  void spawn(Executor& ex, Make make, std::source_location where = std::source_location::current()) {
    spawn(ex, make(token()), where);
  }

  struct State;
  struct JoinAwaiter {
    TaskGroup* g;
    ResumeJob resume;
    bool await_ready();
    bool await_suspend(std::coroutine_handle<> h);
    void await_resume();
  };
  // Waits until every child has ended; throws AggregateError if any failed. Once.
  JoinAwaiter join() { return JoinAwaiter{this, {}}; }

 private:
  void add_child();
  static void child_done(State& s, std::exception_ptr error) noexcept;
  template <class T>
  static Task<void> child(std::shared_ptr<State> s, Task<T> task) {
    std::exception_ptr error;
    try {
      co_await std::move(task);
    } catch (...) {
      error = std::current_exception();
    }
    child_done(*s, std::move(error));
  }

  std::shared_ptr<State> state_;
};

}  // namespace weft
