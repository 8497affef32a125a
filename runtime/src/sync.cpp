#include "weft/sync.hpp"

#include "weft/assert.hpp"

namespace weft {
namespace detail {

void WaiterList::push(Waiter* w) noexcept {
  w->next_waiter = nullptr;
  if (tail)
    tail->next_waiter = w;
  else
    head = w;
  tail = w;
}

Waiter* WaiterList::pop() noexcept {
  Waiter* w = head;
  if (w) {
    head = w->next_waiter;
    if (!head) tail = nullptr;
  }
  return w;
}

bool WaiterList::remove(Waiter* w) noexcept {
  Waiter* prev = nullptr;
  for (Waiter* c = head; c; prev = c, c = c->next_waiter) {
    if (c != w) continue;
    (prev ? prev->next_waiter : head) = c->next_waiter;
    if (tail == c) tail = prev;
    return true;
  }
  return false;
}

void Withdraw::operator()() const noexcept {
  m->lock();
  bool removed = list->remove(w);
  if (removed) w->cancelled = true;
  m->unlock();
  if (removed) w->wake();
}

void emit_sync(Platform& p, EventKind k, ObjectId obj, TaskId other, std::int64_t value,
               const std::source_location* where) {
  if (!p.tracing()) return;
  WEFT_ASSERT(trace::event::is_sync(k), "emit_sync reports the synchronisation objects' kinds only");
  p.emit(trace::event::sync(k, current_task(), obj, other, value, where));
}

}  // namespace detail

Mutex::Mutex(Platform& p, std::source_location where) : Mutex(std::string_view{}, p, where) {}
Mutex::Mutex(std::string_view name, Platform& p, std::source_location where)
    : p_(p), m_(p.make_mutex()), id_(p.next_object_id()), name_(name) {
  detail::emit_object_create(p, id_, ObjectKind::mutex, name_, where);
}

bool Mutex::try_lock() {
  m_->lock();
  bool got = !locked_;
  if (got) {
    locked_ = true;
    owner_ = current_task();
  }
  m_->unlock();
  return got;
}

bool Mutex::LockAwaiter::await_suspend(std::coroutine_handle<> h) {
  capture(h);
  stop.watch(this, m->m_.get(), &m->waiters_);
  m->m_->lock();
  if (!m->locked_) {
    m->locked_ = true;
    m->owner_ = task;
    m->m_->unlock();
    return false;
  }
  if (stop.stopped()) {
    m->m_->unlock();
    cancelled = true;
    return false;
  }
  // Record before publishing: once in the list, another thread may resume (and end) us.
  detail::emit_sync(m->p_, EventKind::mutex_wait, m->id_, m->owner_, 0, &where);
  m->waiters_.push(this);
  m->m_->unlock();
  return true;
}

void Mutex::unlock() {
  detail::emit_sync(p_, EventKind::mutex_release, id_);
  m_->lock();
  detail::Waiter* w = waiters_.pop();
  if (w)
    owner_ = w->task;  // ownership passes straight to the first waiter
  else {
    locked_ = false;
    owner_ = 0;
  }
  m_->unlock();
  if (w) w->wake();
}

Semaphore::Semaphore(std::int64_t initial, Platform& p, std::source_location where)
    : Semaphore(initial, std::string_view{}, p, where) {}
Semaphore::Semaphore(std::int64_t initial, std::string_view name, Platform& p, std::source_location where)
    : p_(p), m_(p.make_mutex()), count_(initial), id_(p.next_object_id()), name_(name) {
  detail::emit_object_create(p, id_, ObjectKind::semaphore, name_, where);
}

bool Semaphore::take_permit() {
  m_->lock();
  bool got = count_ > 0;
  if (got) --count_;
  m_->unlock();
  return got;
}

bool Semaphore::try_acquire() {
  bool got = take_permit();
  if (got) emit_acquired(std::source_location{});
  return got;
}

void Semaphore::emit_acquired(const std::source_location& where) const {
  // Read only when tracing, which only a one-thread platform (the simulator) does.
  if (p_.tracing()) detail::emit_sync(p_, EventKind::sem_acquire, id_, 0, count_, &where);
}

bool Semaphore::AcquireAwaiter::await_suspend(std::coroutine_handle<> h) {
  capture(h);
  stop.watch(this, s->m_.get(), &s->waiters_);
  s->m_->lock();
  if (s->count_ > 0) {
    --s->count_;
    s->m_->unlock();
    return false;
  }
  if (stop.stopped()) {
    s->m_->unlock();
    cancelled = true;
    return false;
  }
    detail::emit_sync(s->p_, EventKind::sem_wait, s->id_, 0, 0, &where);
  s->waiters_.push(this);
  s->m_->unlock();
  return true;
}

std::int64_t Semaphore::available() const {
  m_->lock();
  std::int64_t n = count_;
  m_->unlock();
  return n;
}

void Semaphore::release(std::int64_t n) {
  detail::emit_sync(p_, EventKind::sem_release, id_, 0, n);
  detail::WaiterList wake;
  m_->lock();
  count_ += n;
  while (count_ > 0 && !waiters_.empty()) {
    --count_;
    wake.push(waiters_.pop());
  }
  m_->unlock();
  while (auto* w = wake.pop()) w->wake();
}

Event::Event(Platform& p, std::source_location where) : Event(std::string_view{}, p, where) {}
Event::Event(std::string_view name, Platform& p, std::source_location where)
    : p_(p), m_(p.make_mutex()), id_(p.next_object_id()), name_(name) {
  detail::emit_object_create(p, id_, ObjectKind::event, name_, where);
}

bool Event::WaitAwaiter::await_suspend(std::coroutine_handle<> h) {
  capture(h);
  stop.watch(this, e->m_.get(), &e->waiters_);
  e->m_->lock();
  if (e->set_.load(std::memory_order_relaxed)) {
    e->m_->unlock();
    return false;
  }
  if (stop.stopped()) {
    e->m_->unlock();
    cancelled = true;
    return false;
  }
    detail::emit_sync(e->p_, EventKind::event_wait, e->id_, 0, 0, &where);
  e->waiters_.push(this);
  e->m_->unlock();
  return true;
}

void Event::set() {
  detail::emit_sync(p_, EventKind::event_set, id_);
  m_->lock();
  set_.store(true, std::memory_order_release);
  detail::WaiterList w = std::exchange(waiters_, {});
  m_->unlock();
  while (auto* x = w.pop()) x->wake();
}

}  // namespace weft
