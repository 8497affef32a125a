#include "weft/executor.hpp"

#include "weft/timer.hpp"

namespace weft {

Executor::Executor(Platform& p, std::string name) : platform_(&p), name_(std::move(name)), id_(p.next_object_id()) {
  if (p.tracing()) p.emit(trace::event::executor_create(id_, name_));
}

void Executor::cancel_pending_waits() {
  if (TimerService* t = platform_->started_timers()) t->close(*this);
}

bool Executor::running_here() const noexcept {
  auto* s = detail::tls_state;
  return s && s->executor == this;
}

void Executor::emit_schedule_traced(const Job* job) noexcept {
  platform_->emit(trace::event::schedule(job->task, id_));
}

void Executor::run_job(Job* job) noexcept {
  auto& s = detail::thread_state();
  s.context = this;
  s.task = job->task;
  if (platform_->tracing()) platform_->emit(trace::event::resume(job->task, id_));
  TaskId task = job->task;
  job->run(job);  // `job` may be gone after this
  if (platform_->tracing()) platform_->emit(trace::event::suspend(task, id_));
  s.task = 0;
  s.context = this;
}

}  // namespace weft
