// weft::yield(): let others run. `co_await weft::yield()` queues the calling coroutine
// behind whatever is already queued on its executor and returns to the worker loop, so
// every other ready job of that executor, and every other thread, may run first. On real
// threads it is a fair yield; in the simulator it is a scheduling point at every
// granularity (the only one a loop that polls a flag without awaiting anything has).
// A coroutine resumed anywhere (resume_anywhere) on an executor's thread queues behind that
// executor's jobs and resumes with no captured context again.
// Outside an executor (the body, a plain thread) it is the platform's yield point.
// Synchronous code on a thread yields with `cpu_work(0)`.
#pragma once

#include "weft/executor.hpp"

namespace weft {

struct YieldAwaiter {
  ResumeJob job;
  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) {
    auto* s = detail::tls_state;
    Executor* ctx = s ? s->context : nullptr;
    job.handle = h;
    job.task = current_task();
    if (ctx) {
      ctx->post_behind(&job);
      return true;
    }
    if (Executor* own = s ? s->executor : nullptr) {
      // Resumed anywhere (no captured context) on an executor's thread: queue behind that
      // executor's jobs all the same, and resume with no context again. A yield that
      // returned at once would leave the thread to this coroutine, and the chain of awaits
      // it completes inline would grow the stack wherever symmetric transfer is not a tail
      // call (ThreadSanitizer builds, -O0).
      job.run = [](Job* j) {
        detail::thread_state().context = nullptr;
        static_cast<ResumeJob*>(j)->handle.resume();
      };
      own->post_behind(&job);
      return true;
    }
    current_platform().yield_point();
    return false;
  }
  void await_resume() const noexcept {}
};

[[nodiscard]] inline YieldAwaiter yield() noexcept { return {}; }

}  // namespace weft
