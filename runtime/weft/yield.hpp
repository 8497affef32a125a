// weft::yield(): let others run. `co_await weft::yield()` queues the calling coroutine
// behind whatever is already queued on its executor and returns to the worker loop, so
// every other ready job of that executor, and every other thread, may run first. On real
// threads it is a fair yield; in the simulator it is a scheduling point at every
// granularity (the only one a loop that polls a flag without awaiting anything has).
// Outside an executor (the body, a plain thread) it is the platform's yield point.
// Synchronous code on a thread yields with `cpu_work(0)`.
#pragma once

#include "weft/executor.hpp"

namespace weft {

struct YieldAwaiter {
  ResumeJob job;
  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) {
    Executor* ctx = current_context();
    if (!ctx) {
      current_platform().yield_point();
      return false;
    }
    job.handle = h;
    job.task = current_task();
    ctx->post_behind(&job);
    return true;
  }
  void await_resume() const noexcept {}
};

[[nodiscard]] inline YieldAwaiter yield() noexcept { return {}; }

}  // namespace weft
