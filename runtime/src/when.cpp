#include "weft/when.hpp"

#include <atomic>
#include <mutex>

namespace weft {

struct AggregateError::State {
  std::vector<std::exception_ptr> errors;
  std::vector<char> observed;
  std::size_t children = 0;
  std::source_location where;
  std::string what;
  Platform* platform = nullptr;
  std::mutex m;
  ~State() {
    for (std::size_t i = 0; i < errors.size(); ++i) {
      if (observed[i]) continue;
      LostException e{errors[i], describe(errors[i]), where, 0, false, {}};
      try {
        detail::report_lost(e, *platform);
      } catch (...) {
      }
    }
  }
};

AggregateError::AggregateError(std::vector<std::exception_ptr> errors, std::size_t children,
                               const std::source_location& where)
    : state_(std::make_shared<State>()) {
  state_->errors = std::move(errors);
  state_->observed.assign(state_->errors.size(), 0);
  state_->children = children;
  state_->where = where;
  state_->platform = &current_platform();
  state_->what = std::to_string(state_->errors.size()) + " of " + std::to_string(children) +
                 " tasks failed; first: " + describe(state_->errors.front());
}

namespace {
std::atomic<AggregateObservation> g_observation{AggregateObservation::whole};
bool whole() noexcept { return g_observation.load(std::memory_order_relaxed) == AggregateObservation::whole; }
}  // namespace

AggregateObservation AggregateError::set_observation(AggregateObservation policy) noexcept {
  return g_observation.exchange(policy, std::memory_order_relaxed);
}

const char* AggregateError::what() const noexcept {
  std::lock_guard lk(state_->m);
  if (whole())
    for (auto& o : state_->observed) o = 1;
  else
    state_->observed[0] = 1;
  return state_->what.c_str();
}

const std::vector<std::exception_ptr>& AggregateError::exceptions() const noexcept {
  std::lock_guard lk(state_->m);
  for (auto& o : state_->observed) o = 1;
  return state_->errors;
}

std::size_t AggregateError::size() const noexcept {
  if (whole()) {
    std::lock_guard lk(state_->m);
    for (auto& o : state_->observed) o = 1;
  }
  return state_->errors.size();
}

void AggregateError::rethrow_first() const {
  {
    std::lock_guard lk(state_->m);
    if (whole())
      for (auto& o : state_->observed) o = 1;
    else
      state_->observed[0] = 1;
  }
  std::rethrow_exception(state_->errors.front());
}

namespace detail {

TaskId prepare_child(std::coroutine_handle<ChildPromise> c, GroupBase* g, std::size_t index,
                     const std::source_location& where, std::string_view name) {
  auto& pr = c.promise();
  pr.group = g;
  pr.index = index;
  Platform& p = current_platform();
  pr.id = p.next_task_id();
  auto& s = thread_state();
  TaskId parent = s.task;
  if (p.tracing()) p.emit(trace::event::spawn(pr.id, parent, 0, false, where, name));
  return pr.id;
}

void emit_child_complete(TaskId id) noexcept {
  auto& p = current_platform();
  if (!p.tracing()) return;
  p.emit(trace::event::complete(id));
}

void run_child_inline(std::coroutine_handle<ChildPromise> c) {
  auto& s = thread_state();
  TaskId parent = s.task;
  s.task = c.promise().id;
  c.resume();
  s.task = parent;
}

void emit_race_lost(TaskId loser, TaskId winner) {
  auto& p = current_platform();
  if (!p.tracing()) return;
  p.emit(trace::event::race_lost(loser, winner));
}

void drop_loser_error(const std::exception_ptr& err, TaskId task, const std::source_location& where) {
  try {
    std::rethrow_exception(err);
  } catch (const OperationCancelled&) {
    return;  // the expected end of a cancelled loser
  } catch (...) {
  }
  LostException e{err, describe(err), where, task, false, {}};
  report_lost(e, current_platform());
}

}  // namespace detail
}  // namespace weft
