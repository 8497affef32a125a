// Deadlines for the combinators of weft/cancel.hpp.
#include "weft/cancel.hpp"

namespace weft {

namespace detail {

Deadline::Deadline(std::stop_source& target) noexcept : target_(&target) {
  fire_job_.owner = this;
  fire_job_.run = &Deadline::fire;
}

void Deadline::arm(Nanos timeout) {
  Platform& p = current_platform();
  task = current_task();
  fire_job_.task = task;
  ctx = nullptr;  // the stop request runs on the timer thread
  on_fire = &fire_job_;
  deadline = p.now() + (timeout > 0 ? timeout : 0);
  service_ = &p.timers();
  service_->arm(this);
}

// On the timer thread. After fire_state_ leaves 0 the owner may be gone: touch nothing then
// unless it registered as waiting (2), which keeps it alive until resume_ runs.
void Deadline::fire(Job* j) noexcept {
  Deadline* d = static_cast<FireJob*>(j)->owner;
  d->fired_.store(true, std::memory_order_release);
  d->target_->request_stop();
  if (d->fire_state_.exchange(1, std::memory_order_acq_rel) == 2) weft::detail::resume_in(d->waiter_ctx_, &d->resume_);
}

bool Deadline::DisarmAwaiter::await_ready() noexcept {
  if (!d->service_) return true;
  if (d->service_->cancel(d) != TimerService::Cancel::too_late) return true;  // it will never fire
  return d->fire_state_.load(std::memory_order_acquire) == 1;
}

bool Deadline::DisarmAwaiter::await_suspend(std::coroutine_handle<> h) noexcept {
  d->resume_.handle = h;
  d->resume_.task = current_task();
  d->waiter_ctx_ = current_context();
  int running = 0;
  return d->fire_state_.compare_exchange_strong(running, 2, std::memory_order_acq_rel);
}

bool is_cancellation(const std::exception_ptr& e) noexcept {
  try {
    std::rethrow_exception(e);
  } catch (const OperationCancelled&) {
    return true;
  } catch (...) {
    return false;
  }
}

}  // namespace detail

}  // namespace weft
