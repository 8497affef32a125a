#include "weft/asio/io_context.hpp"

#include "weft/asio/network.hpp"

#include <algorithm>
#include <utility>

#include "weft/thread_pool.hpp"

namespace weft::asio {

namespace detail {

// The executor of a context run by the threads that call run(): no thread of its own; its
// jobs wait in the context's queue until a caller of run() (or poll...) takes them, and
// that caller runs them as this executor's thread.
class caller_executor final : public Executor {
 public:
  caller_executor(io_context& c, Platform& p) : Executor(p, "io_context"), ctx_(&c) {}
  // As a SerialExecutor ends: timers that would resume here are cancelled, then what is
  // still queued runs to the end on the destroying thread (a handler finds the context
  // stopped and is held, to be destroyed by the context).
  ~caller_executor() override {
    cancel_pending_waits();
    auto& s = weft::detail::thread_state();
    Executor* saved_executor = std::exchange(s.executor, this);
    Executor* saved_context = s.context;
    TaskId saved_task = s.task;
    for (;;) {
      ctx_->m_->lock();
      Job* j = ctx_->queue_.pop();
      ctx_->m_->unlock();
      if (!j) break;
      run_job(j);
    }
    s.executor = saved_executor;
    s.context = saved_context;
    s.task = saved_task;
  }
  void post(Job* job) override {
    emit_schedule(job);
    ctx_->push(job);
  }
  std::uint32_t thread_count() const override { return 1; }
  void run_here(Job* job) noexcept { run_job(job); }

 private:
  io_context* ctx_;
};

}  // namespace detail

io_context::io_context() : io_context(1, current_platform()) {}
io_context::io_context(int concurrency_hint) : io_context(concurrency_hint, current_platform()) {}
io_context::io_context(int concurrency_hint, Platform& platform) : platform_(&platform), m_(platform.make_mutex()) {
  if (concurrency_hint <= 1) {
    auto ex = std::make_unique<detail::caller_executor>(*this, platform);
    caller_ = ex.get();
    executor_ = std::move(ex);
  } else {
    executor_ = std::make_unique<ThreadPool>(std::uint32_t(concurrency_hint), "io_context", platform);
  }
  ::asio::add_service(*this, new detail::context_service(*this, this));
}
io_context::io_context(int threads, Platform& platform, own_threads_t) : platform_(&platform), m_(platform.make_mutex()) {
  if (threads <= 1)
    executor_ = std::make_unique<SerialExecutor>("io_context", platform);
  else
    executor_ = std::make_unique<ThreadPool>(std::uint32_t(threads), "io_context", platform);
  ::asio::add_service(*this, new detail::context_service(*this, this));
}

io_context::~io_context() {
  // asio's order: services shut down first (they may still own handlers), then the queue.
  shutdown();
  stopped_.store(true, std::memory_order_release);
  runners_.store(0, std::memory_order_release);
  // Jobs already queued on the executor find the context closed and come back here.
  executor_.reset();
  caller_ = nullptr;
  while (auto* j = static_cast<detail::handler_job*>(held_.pop())) j->destroy(j);
  destroy();
}

void io_context::enqueue(detail::handler_job* job) {
  job->task = current_task();
  job->run = &io_context::run_job;
  work_started();
  if (caller_) {  // its queue holds it until somebody runs the context
    caller_->post(job);
    return;
  }
  ready_.fetch_add(1, std::memory_order_relaxed);
  // Nobody runs the context: hold the job here at once instead of sending it through the
  // executor only to have it come back (posting before run() is the common start-up).
  if (runners_.load(std::memory_order_acquire) == 0 || stopped_.load(std::memory_order_acquire)) {
    hold(job);
    return;
  }
  // Behind every handler already queued, from whichever thread (here, in hold() and in
  // open()): asio's scheduler has one FIFO queue (a handler's posts wait in its thread's
  // private queue and join the back of the shared one when it returns). A pool worker's
  // own queue, which it serves first, would run a handler's continuation before handlers
  // queued earlier, and hide every schedule in which they run first (a bug that real asio
  // shows at once).
  executor_->post_behind(job);
}

void io_context::run_job(Job* j) {
  auto* job = static_cast<detail::handler_job*>(j);
  io_context* c = job->ctx;
  if (c->runners_.load(std::memory_order_acquire) == 0 || c->stopped_.load(std::memory_order_acquire)) {
    c->hold(job);
    return;
  }
  try {
    job->invoke(job);
  } catch (...) {
    c->m_->lock();
    if (!c->error_) c->error_ = std::current_exception();
    c->error_pending_.store(true, std::memory_order_release);
    c->m_->unlock();
    c->notify();
  }
  if (c->caller_) {  // run by serve(), which counts it and finds the exception
    c->work_finished();
    return;
  }
  c->completed_.fetch_add(1, std::memory_order_relaxed);
  c->ready_.fetch_sub(1, std::memory_order_acq_rel);
  if (c->eager_.load(std::memory_order_acquire)) c->notify();  // run_one / poll want each handler
  c->work_finished();
}

void io_context::hold(detail::handler_job* job) {
  m_->lock();
  bool open_now = runners_.load(std::memory_order_acquire) != 0 && !stopped_.load(std::memory_order_acquire);
  if (!open_now) {
    held_.push(job);
    m_->unlock();
    return;
  }
  m_->unlock();
  executor_->post_behind(job);  // opened meanwhile
}

void io_context::open() {
  m_->lock();
  runners_.fetch_add(1, std::memory_order_acq_rel);
  JobFifo again = held_;
  held_ = JobFifo{};
  m_->unlock();
  if (stopped_.load(std::memory_order_acquire)) {  // put back: a stopped context runs nothing
    m_->lock();
    if (!again.empty()) held_.append(again.head, again.tail);
    m_->unlock();
    return;
  }
  while (Job* j = again.pop()) executor_->post_behind(j);
}

void io_context::push(Job* job) {
  m_->lock();
  queue_.push(job);
  for (Parker* p : parkers_) p->unpark();  // a caller of run() waiting for work
  m_->unlock();
}

io_context::count_type io_context::serve(until what) {
  if (stopped()) return 0;
  const bool ready_only = what == until::ready || what == until::ready_one;
  const bool one = what == until::one || what == until::ready_one;
  auto& s = weft::detail::thread_state();
  Executor* saved_executor = std::exchange(s.executor, executor_.get());  // this thread serves it now
  Executor* saved_context = s.context;
  TaskId saved_task = s.task;
  open();
  count_type n = 0;  // handlers this call ran (asio's count: per calling thread)
  // Jobs taken from the queue in one lock. Only a lone runner takes them all: with other
  // threads in run() too, each takes one job at a time so that none of them stays idle.
  JobFifo batch;
  for (;;) {
    platform_->yield_point();  // between jobs, as an executor's own thread
    if (stopped_.load(std::memory_order_acquire)) break;
    Job* j = batch.pop();
    if (!j) {
      m_->lock();
      bool failed = error_ != nullptr;
      if (!failed) {
        if (runners_.load(std::memory_order_relaxed) == 1)
          std::swap(batch, queue_);
        else if (Job* first = queue_.pop())
          batch.push(first);
      }
      m_->unlock();
      if (failed) break;
      j = batch.pop();
    }
    if (j) {
      bool handler = j->run == &io_context::run_job;
      caller_->run_here(j);
      if (handler) {
        ++n;
        if (one) break;
      }
      if (error_pending_.load(std::memory_order_acquire)) break;
      continue;
    }
    if (ready_only || outstanding_.load(std::memory_order_seq_cst) == 0) break;
    // Nothing queued, work outstanding (a timer, an operation, a guard): wait for a post,
    // the last work to finish, or stop(). An idle wait, as a worker's: when nothing else
    // can happen the world is idle, and what is still pending is the finding.
    Parker& parker = s.own_parker();
    m_->lock();
    parkers_.push_back(&parker);
    waiters_.fetch_add(1, std::memory_order_seq_cst);
    bool sleep = queue_.empty() && error_ == nullptr;
    m_->unlock();
    if (sleep && !stopped_.load(std::memory_order_acquire) && outstanding_.load(std::memory_order_seq_cst) != 0)
      parker.park(WaitKind::idle);
    m_->lock();
    parkers_.erase(std::find(parkers_.begin(), parkers_.end(), &parker));
    waiters_.fetch_sub(1, std::memory_order_acq_rel);
    m_->unlock();
  }
  if (!batch.empty()) {  // stopped or failed: what was taken goes back to the front
    m_->lock();
    batch.tail->next = queue_.head;
    if (!queue_.tail) queue_.tail = batch.tail;
    queue_.head = batch.head;
    m_->unlock();
  }
  close();
  s.executor = saved_executor;
  s.context = saved_context;
  s.task = saved_task;
  rethrow_pending();
  return n;
}

void io_context::close() { runners_.fetch_sub(1, std::memory_order_acq_rel); }

void io_context::open_forever() { open(); }

void io_context::notify() noexcept {
  if (waiters_.load(std::memory_order_seq_cst) == 0) return;
  m_->lock();
  for (Parker* p : parkers_) p->unpark();
  m_->unlock();
}

template <class Done>
void io_context::wait_until(Done done, bool eager) {
  Parker& parker = weft::detail::thread_state().own_parker();
  m_->lock();
  parkers_.push_back(&parker);
  waiters_.fetch_add(1, std::memory_order_acq_rel);
  if (eager) eager_.fetch_add(1, std::memory_order_acq_rel);
  m_->unlock();
  for (;;) {
    m_->lock();
    bool failed = error_ != nullptr;
    m_->unlock();
    if (failed || stopped_.load(std::memory_order_acquire) || done()) break;
    // An idle wait, as a worker's: when nothing else can happen the world is idle, and
    // what is still pending (a timer never cancelled) is the finding.
    parker.park(WaitKind::idle);
  }
  m_->lock();
  parkers_.erase(std::find(parkers_.begin(), parkers_.end(), &parker));
  waiters_.fetch_sub(1, std::memory_order_acq_rel);
  if (eager) eager_.fetch_sub(1, std::memory_order_acq_rel);
  m_->unlock();
}

void io_context::rethrow_pending() {
  m_->lock();
  std::exception_ptr e = std::exchange(error_, nullptr);
  error_pending_.store(false, std::memory_order_release);
  m_->unlock();
  if (e) std::rethrow_exception(e);
}

io_context::count_type io_context::run() {
  if (caller_) return serve(until::idle);
  if (stopped()) return 0;
  std::uint64_t before = completed_.load(std::memory_order_acquire);
  open();
  wait_until([this] { return outstanding_.load(std::memory_order_acquire) == 0; }, false);
  close();
  rethrow_pending();
  return count_type(completed_.load(std::memory_order_acquire) - before);
}

io_context::count_type io_context::run_one() {
  if (caller_) return serve(until::one);
  if (stopped()) return 0;
  std::uint64_t before = completed_.load(std::memory_order_acquire);
  open();
  wait_until(
      [&] {
        return completed_.load(std::memory_order_acquire) != before || outstanding_.load(std::memory_order_acquire) == 0;
      },
      true);
  close();
  rethrow_pending();
  return std::min<count_type>(1, count_type(completed_.load(std::memory_order_acquire) - before));
}

io_context::count_type io_context::poll() {
  if (caller_) return serve(until::ready);
  if (stopped()) return 0;
  std::uint64_t before = completed_.load(std::memory_order_acquire);
  open();
  wait_until([this] { return ready_.load(std::memory_order_acquire) == 0; }, true);
  close();
  rethrow_pending();
  return count_type(completed_.load(std::memory_order_acquire) - before);
}

io_context::count_type io_context::poll_one() {
  if (caller_) return serve(until::ready_one);
  if (stopped()) return 0;
  std::uint64_t before = completed_.load(std::memory_order_acquire);
  open();
  wait_until(
      [&] {
        return completed_.load(std::memory_order_acquire) != before || ready_.load(std::memory_order_acquire) == 0;
      },
      true);
  close();
  rethrow_pending();
  return std::min<count_type>(1, count_type(completed_.load(std::memory_order_acquire) - before));
}

void io_context::stop() {
  stopped_.store(true, std::memory_order_release);
  m_->lock();
  for (Parker* p : parkers_) p->unpark();
  m_->unlock();
}

network* io_context::network_ptr() const noexcept {
  m_->lock();
  network* n = network_.get();
  m_->unlock();
  return n;
}
void io_context::set_network(std::shared_ptr<network> n) {
  m_->lock();
  network_ = std::move(n);
  m_->unlock();
}
network& io_context::set_network_if_unset(std::shared_ptr<network> n) {
  m_->lock();
  if (!network_) network_ = std::move(n);
  network* out = network_.get();
  m_->unlock();
  return *out;
}

void io_context::restart() { stopped_.store(false, std::memory_order_release); }

void io_context::wait_idle() {
  wait_until([this] { return outstanding_.load(std::memory_order_acquire) == 0; }, false);
  rethrow_pending();
}

// Two threads by default, not a count read from the host: a simulated run must not depend
// on the machine it runs on.
thread_pool::thread_pool() : thread_pool(2) {}
thread_pool::thread_pool(std::size_t threads, Platform& platform)
    : io_context(int(std::max<std::size_t>(1, threads)), platform, own_threads_t{}) {
  open_forever();
}
thread_pool::~thread_pool() = default;

}  // namespace weft::asio
