#include "weft/thread_pool.hpp"

#include <algorithm>

namespace weft {

void ThreadPool::Queue::push(Job* j) noexcept {
  jobs.push(j);
  size.store(size.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);  // lock held: one writer
}

Job* ThreadPool::Queue::pop() noexcept {
  Job* j = jobs.pop();
  if (j) {
    size.store(size.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
  }
  return j;
}

std::int64_t ThreadPool::queued() const noexcept {
  std::int64_t n = global_.size.load(std::memory_order_relaxed);
  std::uint32_t started = started_.load(std::memory_order_acquire);
  for (std::uint32_t i = 0; i < started; ++i) n += workers_[i]->local.size.load(std::memory_order_relaxed);
  return n;
}

ThreadPool::ThreadPool(std::uint32_t threads, std::string name, Platform& p)
    : ThreadPool(PoolOptions{std::move(name), threads, threads}, p) {}

ThreadPool::ThreadPool(PoolOptions options, Platform& p) : Executor(p, options.name), options_(std::move(options)) {
  if (options_.threads_max < options_.threads_min) options_.threads_max = options_.threads_min;
  if (options_.threads_max == 0) throw std::invalid_argument("weft: a ThreadPool needs at least one thread");
  global_.m = p.make_mutex();
  idle_m_ = p.make_mutex();
  workers_.reserve(options_.threads_max);
  for (std::uint32_t i = 0; i < options_.threads_max; ++i) {
    auto w = std::make_unique<Worker>();
    w->local.m = p.make_mutex();
    w->parker = p.make_parker();
    workers_.push_back(std::move(w));
  }
  for (std::uint32_t i = 0; i < options_.threads_min; ++i) start_worker();
  if (options_.threads_max > options_.threads_min && !options_.grow_on_demand) {
    injector_parker_ = p.make_parker();
    injector_ = p.start_thread(name() + "-injector", [this] { injector_main(); }, ThreadOwner{id(), false});
  }
}

ThreadPool::~ThreadPool() {
  cancel_pending_waits();  // sleepers posted back here now, run to their end below
  idle_m_->lock();
  stopping_ = true;
  idle_m_->unlock();
  if (injector_) {
    injector_parker_->unpark();
    injector_->join();
  }
  std::uint32_t n = started_.load(std::memory_order_acquire);
  for (std::uint32_t i = 0; i < n; ++i) workers_[i]->parker->unpark();
  for (std::uint32_t i = 0; i < n; ++i) workers_[i]->thread->join();
  while (posting_.load(std::memory_order_acquire) != 0) platform().yield_point();
}

// Called with idle_m_ held, or from the constructor.
void ThreadPool::start_worker() {
  std::uint32_t i = started_.load(std::memory_order_relaxed);
  if (i >= workers_.size()) return;
  workers_[i]->thread =
      platform().start_thread(name() + "-" + std::to_string(i), [this, i] { worker_main(i); }, ThreadOwner{id(), true});
  started_.store(i + 1, std::memory_order_release);
}

void ThreadPool::post(Job* job) {
  auto* s = detail::tls_state;
  // A worker of this pool posting keeps the pool alive itself (the destructor joins it);
  // any other thread is counted, so that the destructor waits until it is out of here.
  bool own = s && s->executor == this;
  if (!own) posting_.fetch_add(1, std::memory_order_relaxed);  // before the job is visible
  emit_schedule(job);
  Queue& q = own ? workers_[s->worker]->local : global_;
  q.m->lock();
  q.push(job);
  q.m->unlock();
  wake_one();
  if (!own) posting_.fetch_sub(1, std::memory_order_release);  // the last touch of *this
}

void ThreadPool::post_behind(Job* job) {
  auto* s = detail::tls_state;
  bool own = s && s->executor == this;
  if (!own) posting_.fetch_add(1, std::memory_order_relaxed);
  emit_schedule(job);
  global_.m->lock();
  global_.push(job);
  global_.m->unlock();
  wake_one();
  if (!own) posting_.fetch_sub(1, std::memory_order_release);
}

void ThreadPool::wake_one() {
  // A worker going idle (worker_main) announces itself in idle_count_ and then looks at the
  // queues; we pushed and now look at idle_count_. Both with a read-modify-write on it: if
  // ours comes first, it hands our push to the worker's (release sequence), which then sees
  // the job; if the worker's comes first, we see it idle. Never a job with everyone asleep.
  if (!options_.grow_on_demand && idle_count_.fetch_add(0, std::memory_order_acq_rel) == 0) return;
  idle_m_->lock();
  if (idle_.empty()) {
    if (options_.grow_on_demand && !stopping_) start_worker();
    idle_m_->unlock();
    return;
  }
  std::uint32_t w = idle_.back();
  idle_.pop_back();
  idle_count_.fetch_sub(1, std::memory_order_relaxed);
  workers_[w]->idle = false;
  idle_m_->unlock();
  workers_[w]->parker->unpark();
}

Job* ThreadPool::find_work(std::uint32_t index) {
  // Nothing queued anywhere: no locks, no steal. A queue that looks empty is skipped
  // without its lock; a job pushed meanwhile is found by the idle path's second look.
  if (queued() == 0) return nullptr;
  auto try_pop = [](Queue& q) -> Job* {
    if (q.size.load(std::memory_order_relaxed) == 0) return nullptr;
    q.m->lock();
    Job* j = q.pop();
    q.m->unlock();
    return j;
  };
  Job* j = try_pop(workers_[index]->local);
  if (!j) j = try_pop(global_);
  if (!j) {
    std::uint32_t n = started_.load(std::memory_order_acquire);
    if (n > 1) {
      // With two workers there is one victim: no draw (a simulation would branch on it).
      auto start = n > 2 ? std::uint32_t(platform().random_below(n)) : 0u;
      for (std::uint32_t k = 0; k < n && !j; ++k) {
        std::uint32_t v = (start + k) % n;
        if (v != index) j = try_pop(workers_[v]->local);
      }
    }
  }
  return j;
}

void ThreadPool::worker_main(std::uint32_t index) {
  auto& s = detail::thread_state();
  s.executor = this;
  s.context = this;
  s.worker = index;
  Platform& p = platform();
  Worker& me = *workers_[index];
  for (;;) {
    p.yield_point();
    if (Job* j = find_work(index)) {
      // Another worker may start a job queued behind this one first (a pool of one runs
      // its queue in order: no choice to offer there).
      if (started_.load(std::memory_order_relaxed) > 1) p.job_start_point();
      run_job(j);
      // Only this worker writes its count: a plain store, no read-modify-write.
      me.completed.store(me.completed.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
      continue;
    }
    idle_m_->lock();
    if (stopping_ && queued() == 0) {
      idle_m_->unlock();
      break;
    }
    if (!me.idle) {
      me.idle = true;
      idle_.push_back(index);
      idle_count_.fetch_add(1, std::memory_order_acq_rel);  // pairs with wake_one's
    }
    idle_m_->unlock();
    // A post that raced with us either left work (seen here) or unparks us (token kept).
    if (queued() > 0) {
      idle_m_->lock();
      if (me.idle) {
        me.idle = false;
        idle_.erase(std::find(idle_.begin(), idle_.end(), index));
        idle_count_.fetch_sub(1, std::memory_order_relaxed);
      }
      idle_m_->unlock();
      continue;
    }
    me.parker->park(WaitKind::idle);
  }
  s.executor = nullptr;
  s.context = nullptr;
}

std::uint64_t ThreadPool::completed() const noexcept {
  std::uint64_t sum = 0;
  std::uint32_t n = started_.load(std::memory_order_acquire);
  for (std::uint32_t i = 0; i < n; ++i) sum += workers_[i]->completed.load(std::memory_order_relaxed);
  return sum;
}

void ThreadPool::injector_main() {
  Platform& p = platform();
  std::uint64_t last_completed = completed();
  for (;;) {
    injector_parker_->park(WaitKind::timer, 0, p.now() + options_.injection_delay);
    idle_m_->lock();
    if (stopping_) {
      idle_m_->unlock();
      return;
    }
    std::uint64_t done = completed();
    // Queued work and no job finished for a whole period: every worker is stuck. Add one.
    if (queued() > 0 && done == last_completed) start_worker();
    last_completed = done;
    idle_m_->unlock();
  }
}

SerialExecutor::SerialExecutor(std::string name, Platform& p)
    : Executor(p, std::move(name)), m_(p.make_mutex()), parker_(p.make_parker()) {
  thread_ = p.start_thread(this->name(), [this] { loop(); }, ThreadOwner{id(), true});
}

SerialExecutor::~SerialExecutor() {
  cancel_pending_waits();
  m_->lock();
  stopping_ = true;
  m_->unlock();
  parker_->unpark();
  thread_->join();
}

void SerialExecutor::post(Job* job) {
  emit_schedule(job);
  m_->lock();
  jobs_.push(job);
  bool wake = parked_;
  parked_ = false;
  m_->unlock();
  if (wake) parker_->unpark();
}

void SerialExecutor::loop() {
  auto& s = detail::thread_state();
  s.executor = this;
  s.context = this;
  Platform& p = platform();
  for (;;) {
    p.yield_point();
    m_->lock();
    if (Job* j = jobs_.pop()) {
      m_->unlock();
      run_job(j);
      continue;
    }
    if (stopping_) {
      m_->unlock();
      break;
    }
    parked_ = true;
    m_->unlock();
    parker_->park(WaitKind::idle);
  }
  s.executor = nullptr;
  s.context = nullptr;
}

}  // namespace weft
