#include "weft/timer.hpp"

#include "weft/assert.hpp"

namespace weft {

namespace {

// (deadline, seq) is a total order (seq is unique), so the earliest entry, hence the firing
// order, does not depend on how the heap is laid out.
bool later(const TimerEntry* a, const TimerEntry* b) noexcept {
  return a->deadline != b->deadline ? a->deadline > b->deadline : a->seq > b->seq;
}

void place(std::vector<TimerEntry*>& h, std::size_t i, TimerEntry* e) noexcept {
  h[i] = e;
  e->heap_index = i;
}

void sift_up(std::vector<TimerEntry*>& h, std::size_t i) noexcept {
  TimerEntry* e = h[i];
  while (i > 0) {
    std::size_t parent = (i - 1) / 2;
    if (!later(h[parent], e)) break;
    place(h, i, h[parent]);
    i = parent;
  }
  place(h, i, e);
}

void sift_down(std::vector<TimerEntry*>& h, std::size_t i) noexcept {
  TimerEntry* e = h[i];
  std::size_t n = h.size();
  for (;;) {
    std::size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && later(h[child], h[child + 1])) ++child;
    if (!later(e, h[child])) break;
    place(h, i, h[child]);
    i = child;
  }
  place(h, i, e);
}

void heap_push(std::vector<TimerEntry*>& h, TimerEntry* e) {
  h.push_back(e);
  sift_up(h, h.size() - 1);
}

void heap_remove(std::vector<TimerEntry*>& h, TimerEntry* e) noexcept {
  std::size_t i = e->heap_index;
  e->heap_index = SIZE_MAX;
  TimerEntry* last = h.back();
  h.pop_back();
  if (last == e) return;
  place(h, i, last);
  sift_up(h, i);
  sift_down(h, last->heap_index);
}

}  // namespace

TimerService::TimerService(Platform& p) : p_(p), m_(p.make_mutex()), parker_(p.make_parker()) {
  thread_ = p.start_thread("timer", [this] { loop(); });
}

TimerService::~TimerService() { stop(); }

void TimerService::stop() {
  if (!thread_) return;
  m_->lock();
  stopping_ = true;
  m_->unlock();
  parker_->unpark();
  thread_->join();
  thread_.reset();
}

bool TimerService::arm(TimerEntry* e) {
  m_->lock();
  // An executor shutting down takes no new timers: its waiter is cancelled at once.
  if (e->ctx && e->ctx->closing()) e->state.store(TimerEntry::kShutDown, std::memory_order_relaxed);
  if (e->state.load(std::memory_order_relaxed) != TimerEntry::kArmed) {
    m_->unlock();
    return false;
  }
  // Before publishing: once armed, `e` may fire and be gone at once.
  if (p_.tracing()) p_.emit(trace::event::timer_arm(e->task, e->deadline));
  e->armed = true;
  e->seq = ++seq_;
  heap_push(heap_, e);
  bool wake = e->deadline < sleeping_until_;
  m_->unlock();
  if (wake) parker_->unpark();
  return true;
}

TimerService::Cancel TimerService::cancel(TimerEntry* e) {
  m_->lock();
  // Every transition out of TimerEntry::kArmed happens under m_ (here, in loop() and in close()): whoever
  // makes it owns the waiter's resumption, and nobody else touches the entry afterwards.
  if (e->state.load(std::memory_order_relaxed) != TimerEntry::kArmed) {
    m_->unlock();
    return Cancel::too_late;
  }
  e->state.store(TimerEntry::kCancelled, std::memory_order_relaxed);
  bool was_armed = e->armed;
  WEFT_ASSERT(was_armed == (e->heap_index != SIZE_MAX), "an armed entry is in the heap, and only then");
  if (e->heap_index != SIZE_MAX) heap_remove(heap_, e);
  m_->unlock();
  return was_armed ? Cancel::while_armed : Cancel::before_armed;
}

void TimerService::close(Executor& ex) {
  // Cancel, under the lock, every entry that would resume on `ex`, and refuse new ones:
  // once `ex` is gone a firing timer must not post to it.
  JobFifo resume;
  m_->lock();
  ex.mark_closing();
  for (std::size_t i = 0; i < heap_.size();) {
    TimerEntry* e = heap_[i];
    if (e->ctx != &ex) {
      ++i;
      continue;
    }
    heap_remove(heap_, e);  // moves another entry into slot i: look at it next
    e->state.store(TimerEntry::kShutDown, std::memory_order_relaxed);
    resume.push(e->on_fire);
  }
  m_->unlock();
  // Still alive: `ex` runs the cancelled waiters, which throw ExecutorShutDown and unwind.
  while (Job* j = resume.pop()) ex.post(j);
}

void TimerService::loop() {
  for (;;) {
    m_->lock();
    if (stopping_) {
      m_->unlock();
      return;
    }
    Nanos now = p_.now();
    TimerEntry* due = nullptr;
    if (!heap_.empty() && heap_.front()->deadline <= now) {
      due = heap_.front();
      WEFT_ASSERT(due->state.load(std::memory_order_relaxed) == TimerEntry::kArmed,
                  "only armed entries are in the timer heap");
      heap_remove(heap_, due);
      // Decided under the lock: cancel() now says too_late, and only this thread resumes
      // the waiter. (Deciding after unlocking let a cancel resume and free it in between.)
      due->state.store(TimerEntry::kFired, std::memory_order_relaxed);
    }
    Nanos next = heap_.empty() ? no_deadline : heap_.front()->deadline;
    sleeping_until_ = due ? now : next;
    m_->unlock();
    if (!due) {
      parker_->park(WaitKind::timer, 0, next);
      continue;
    }
    if (p_.tracing()) p_.emit(trace::event::timer_fire(due->task, due->deadline));
    detail::resume_in(due->ctx, due->on_fire);  // `due` may be gone after this
  }
}

namespace detail {

void SleepAwaiter::OnStop::operator()() const noexcept {
  auto* a = self;
  auto r = a->service->cancel(a);
  if (r == TimerService::Cancel::while_armed) resume_in(a->ctx, a->on_fire);
}

bool SleepAwaiter::await_suspend(std::coroutine_handle<> h) {
  Platform& p = current_platform();
  resume.handle = h;
  resume.task = current_task();
  task = resume.task;
  ctx = anywhere ? nullptr : current_context();
  on_fire = &resume;
  if (token.stop_requested()) {
    cancelled = true;
    return false;
  }
  Nanos extra = p.timer_jitter(delay);
  if (jitter > 0) extra += Nanos(p.random_below(std::uint64_t(jitter) + 1));
  deadline = p.now() + delay + extra;
  service = &p.timers();
  // Register first: a stop that races with arming is settled by arm() under the timer lock.
  if (token.stop_possible()) on_stop.emplace(token, OnStop{this});
  return service->arm(this);
}

void SleepAwaiter::await_resume() {
  on_stop.reset();
  // The resumption was handed over by whoever changed `state` (a lock or a queue between).
  int s = state.load(std::memory_order_relaxed);
  if (s == TimerEntry::kShutDown) throw_cancelled(0, true);
  if (cancelled || s == TimerEntry::kCancelled || (delay <= 0 && token.stop_requested())) throw_cancelled();
}

void emit_cancelled(ObjectId object, TaskId on) {
  auto& p = current_platform();
  if (!p.tracing()) return;
  p.emit(trace::event::cancelled(current_task(), object, on));
}

void throw_cancelled(ObjectId object, bool shut_down) {
  emit_cancelled(object);
  if (shut_down) throw ExecutorShutDown();
  throw OperationCancelled();
}

}  // namespace detail

void request_stop(std::stop_source& source, std::source_location where) {
  auto& p = current_platform();
  if (p.tracing()) p.emit(trace::event::cancel_request(current_task(), where));
  source.request_stop();
}

}  // namespace weft
