// Executors run Jobs: intrusive queue nodes embedded in awaiters and task frames, so that
// scheduling a continuation allocates nothing.
#pragma once

#include <atomic>
#include <coroutine>
#include <cstdint>
#include <string>
#include <utility>

#include "weft/platform.hpp"

namespace weft {

struct Job {
  Job* next = nullptr;
  void (*run)(Job*) = nullptr;
  TaskId task = 0;  // the spawned task this job continues (for traces)
};

// An intrusive first-in-first-out list of Jobs (through Job::next). Not synchronised:
// its owner guards it (a lock, or one thread).
struct JobFifo {
  Job* head = nullptr;
  Job* tail = nullptr;
  bool empty() const noexcept { return head == nullptr; }
  void push(Job* j) noexcept {
    j->next = nullptr;
    append(j, j);
  }
  // Appends the chain first..last (already linked, last->next == nullptr).
  void append(Job* first, Job* last) noexcept {
    if (tail)
      tail->next = first;
    else
      head = first;
    tail = last;
  }
  Job* pop() noexcept {
    Job* j = head;
    if (j) {
      head = j->next;
      if (!head) tail = nullptr;
    }
    return j;
  }
};

// A Job that resumes one coroutine handle.
struct ResumeJob : Job {
  std::coroutine_handle<> handle;
  ResumeJob() { run = [](Job* j) { static_cast<ResumeJob*>(j)->handle.resume(); }; }
};

class Executor {
 public:
  explicit Executor(Platform& p, std::string name);
  virtual ~Executor() = default;
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Queues `job` to run on one of this executor's threads. Thread-safe.
  virtual void post(Job* job) = 0;
  // Queues `job` behind every job already queued on this executor (weft::yield). Default: post.
  virtual void post_behind(Job* job) { post(job); }
  // Number of threads serving this executor right now.
  virtual std::uint32_t thread_count() const = 0;

  Platform& platform() const noexcept { return *platform_; }
  const std::string& name() const noexcept { return name_; }
  ObjectId id() const noexcept { return id_; }
  // True when the calling thread is one of this executor's threads.
  bool running_here() const noexcept;
  // True once the executor has begun shutting down (set by TimerService::close).
  bool closing() const noexcept { return closing_.load(std::memory_order_relaxed); }
  void mark_closing() noexcept { closing_.store(true, std::memory_order_relaxed); }

 protected:
  // Runs one job on the calling thread, as this executor's worker: sets the captured
  // context, the current task, and emits resume/suspend events.
  void run_job(Job* job) noexcept;
  void emit_schedule(const Job* job) noexcept {
    if (platform_->tracing()) emit_schedule_traced(job);
  }
  // First step of a derived destructor, while its threads still run: the platform's timers
  // that would resume on this executor are cancelled (those waiters throw ExecutorShutDown
  // here and unwind) and new ones are refused, so nothing fires into a destroyed executor.
  void cancel_pending_waits();

 private:
  void emit_schedule_traced(const Job* job) noexcept;

  Platform* platform_;
  std::string name_;
  ObjectId id_;
  std::atomic<bool> closing_{false};
};

// The executor leaf awaiters capture on the calling thread (null: none / resume anywhere).
inline Executor* current_context() noexcept {
  auto* s = detail::tls_state;
  return s ? s->context : nullptr;
}
inline TaskId current_task() noexcept {
  auto* s = detail::tls_state;
  return s ? s->task : 0;
}

namespace detail {
// Resumes `job` in `ctx` (posted there), or inline on this thread when ctx is null.
// Inline, the job runs as its own task (the trace then names the task that really acts).
inline void resume_in(Executor* ctx, Job* job) {
  if (ctx) {
    ctx->post(job);
    return;
  }
  auto* s = tls_state;
  if (!s || !job->task) {
    job->run(job);
    return;
  }
  TaskId saved = std::exchange(s->task, job->task);
  job->run(job);  // `job` may be gone after this
  s->task = saved;
}
}  // namespace detail

}  // namespace weft
