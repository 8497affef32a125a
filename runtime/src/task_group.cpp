#include "weft/task_group.hpp"

#include "weft/cancel.hpp"
#include "weft/sync.hpp"

namespace weft {

struct TaskGroup::State {
  Platform* platform = nullptr;
  std::unique_ptr<PlatformMutex> m;
  std::stop_source stop;
  Options options;
  ObjectId id = 0;
  std::string name;
  std::source_location where;
  // Guarded by m:
  std::size_t running = 0;
  std::size_t spawned = 0;
  std::vector<std::exception_ptr> errors;
  Job* waiter = nullptr;  // run (in waiter_ctx) when `running` drops to 0
  Executor* waiter_ctx = nullptr;
  bool joined = false;
};

TaskGroup::TaskGroup(std::string_view name, Options options, std::source_location where)
    : state_(std::make_shared<State>()) {
  Platform& p = current_platform();
  auto& s = *state_;
  s.platform = &p;
  s.m = p.make_mutex();
  s.options = options;
  s.id = p.next_object_id();
  s.name = std::string(name);
  s.where = where;
  detail::emit_object_create(p, s.id, ObjectKind::task_group, s.name, where);
}

std::stop_token TaskGroup::token() const noexcept { return state_->stop.get_token(); }
void TaskGroup::cancel(std::source_location where) { request_stop(state_->stop, where); }
const std::string& TaskGroup::name() const noexcept { return state_->name; }
ObjectId TaskGroup::id() const noexcept { return state_->id; }

std::size_t TaskGroup::running() const {
  auto& s = *state_;
  s.m->lock();
  std::size_t n = s.running;
  s.m->unlock();
  return n;
}

void TaskGroup::add_child() {
  auto& s = *state_;
  s.m->lock();
  bool joined = s.joined;
  if (!joined) {
    ++s.running;
    ++s.spawned;
  }
  s.m->unlock();
  if (joined) detail::report_misuse("a child spawned into a TaskGroup after its join()");
}

void TaskGroup::child_done(State& s, std::exception_ptr error) noexcept {
  if (error && s.stop.stop_requested() && detail::is_cancellation(error)) error = nullptr;  // the group stopped it
  bool stop_siblings = false;
  s.m->lock();
  if (error) {
    s.errors.push_back(error);
    stop_siblings = s.options.cancel_on_failure && !s.stop.stop_requested();
  }
  s.m->unlock();
  if (stop_siblings) {
    try {
      request_stop(s.stop, s.where);
    } catch (...) {  // a stop callback threw: nothing more to do for the siblings
    }
  }
  s.m->lock();
  Job* w = --s.running == 0 ? std::exchange(s.waiter, nullptr) : nullptr;
  Executor* ctx = s.waiter_ctx;
  s.m->unlock();
  if (w) detail::resume_in(ctx, w);
}

bool TaskGroup::JoinAwaiter::await_ready() {
  auto& s = *g->state_;
  s.m->lock();
  bool twice = s.joined;
  bool ready = s.running == 0;
  s.m->unlock();
  if (twice) detail::report_misuse("a TaskGroup joined twice");
  return ready;
}

bool TaskGroup::JoinAwaiter::await_suspend(std::coroutine_handle<> h) {
  auto& s = *g->state_;
  resume.handle = h;
  resume.task = current_task();
  s.m->lock();
  if (s.running == 0) {
    s.m->unlock();
    return false;
  }
  detail::emit_sync(*s.platform, EventKind::channel_wait, s.id);
  s.waiter = &resume;
  s.waiter_ctx = current_context();
  s.m->unlock();
  return true;
}

void TaskGroup::JoinAwaiter::await_resume() {
  auto& s = *g->state_;
  s.m->lock();
  s.joined = true;
  std::vector<std::exception_ptr> errors = std::move(s.errors);
  std::size_t spawned = s.spawned;
  s.m->unlock();
  if (!errors.empty()) throw AggregateError(std::move(errors), spawned, s.where);
}

TaskGroup::~TaskGroup() {
  auto& s = *state_;
  s.m->lock();
  bool joined = s.joined;
  bool done = s.running == 0;
  s.m->unlock();
  if (joined) return;
  if (!done) {
    // Left without join(): stop the children, then wait for them here. Never detach.
    request_stop(s.stop, s.where);
    Parker* parker = &detail::thread_state().own_parker();
    struct Wake : Job {
      Parker* parker = nullptr;
      std::atomic<bool> fired{false};
    } wake;
    wake.parker = parker;
    wake.task = current_task();
    wake.run = [](Job* j) {
      auto* w = static_cast<Wake*>(j);
      Parker* pk = w->parker;
      w->fired.store(true, std::memory_order_release);
      pk->unpark();
    };
    s.m->lock();
    bool wait = s.running != 0;
    if (wait) {
      s.waiter = &wake;
      s.waiter_ctx = nullptr;
    }
    s.m->unlock();
    if (wait) {
      detail::emit_sync(*s.platform, EventKind::channel_wait, s.id);
      while (!wake.fired.load(std::memory_order_acquire)) parker->park(WaitKind::block_on, 0);
    }
  }
  // Nobody joined: real failures (not the cancellations the group caused) are lost.
  s.m->lock();
  std::vector<std::exception_ptr> errors = std::move(s.errors);
  s.m->unlock();
  for (auto& e : errors) {
    LostException lost{e, describe(e), s.where, 0, false, s.name};
    try {
      detail::report_lost(lost, *s.platform);
    } catch (...) {
    }
  }
}

}  // namespace weft
