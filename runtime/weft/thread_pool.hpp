// ThreadPool: N workers with local queues, a global queue and stealing. With max > min a
// thread-injection policy (like .NET's) adds a worker when queued work makes no progress
// for `injection_delay`; `grow_on_demand` adds one at once when no worker is idle (the
// BlockingPool policy).
#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include "weft/executor.hpp"
#include "weft/spawn.hpp"

namespace weft {

struct PoolOptions {
  std::string name = "pool";
  std::uint32_t threads_min = 4;
  std::uint32_t threads_max = 0;  // 0 = same as min (fixed size)
  Nanos injection_delay = 500_ms;
  bool grow_on_demand = false;
};

class ThreadPool : public Executor {
 public:
  explicit ThreadPool(std::uint32_t threads, std::string name = "pool", Platform& p = current_platform());
  ThreadPool(PoolOptions options, Platform& p = current_platform());
  ~ThreadPool() override;  // runs queued work to the end, then joins the workers

  void post(Job* job) override;
  // The shared queue, not the worker's own: a yielding job must not run again before the
  // jobs other threads queued.
  void post_behind(Job* job) override;
  std::uint32_t thread_count() const override { return started_.load(std::memory_order_acquire); }
  // Jobs queued and not yet started.
  std::int64_t queued() const noexcept;

 private:
  struct Queue {
    std::unique_ptr<PlatformMutex> m;
    JobFifo jobs;                        // guarded by m
    std::atomic<std::int64_t> size{0};  // written under m; read without it as a hint
    void push(Job* j) noexcept;
    Job* pop() noexcept;
  };
  struct Worker {
    Queue local;
    std::unique_ptr<Parker> parker;
    std::unique_ptr<PlatformThread> thread;
    bool idle = false;  // guarded by idle_m_
    std::atomic<std::uint64_t> completed{0};  // jobs run; written by this worker only
  };
  void start_worker();
  void worker_main(std::uint32_t index);
  void injector_main();
  Job* find_work(std::uint32_t index);
  std::uint64_t completed() const noexcept;  // jobs run by all workers so far
  void wake_one();

  PoolOptions options_;
  std::vector<std::unique_ptr<Worker>> workers_;  // sized threads_max up front; never moves
  Queue global_;
  std::unique_ptr<PlatformMutex> idle_m_;
  std::vector<std::uint32_t> idle_;  // guarded by idle_m_
  // idle_.size(), written under idle_m_; post() reads it without the lock (by a
  // read-modify-write that pairs with the idle path's) to skip waking when all are busy.
  std::atomic<std::uint32_t> idle_count_{0};
  // post() calls under way from threads outside the pool. A posted job may let its owner destroy the pool before post()
  // returns (a timer firing the last task); the destructor waits for this to drop to zero.
  std::atomic<std::uint32_t> posting_{0};
  bool stopping_ = false;            // guarded by idle_m_
  std::atomic<std::uint32_t> started_{0};
  std::unique_ptr<Parker> injector_parker_;
  std::unique_ptr<PlatformThread> injector_;
};

// One thread running an event loop: a UI thread, a single-threaded synchronisation context.
class SerialExecutor : public Executor {
 public:
  explicit SerialExecutor(std::string name = "serial", Platform& p = current_platform());
  ~SerialExecutor() override;
  void post(Job* job) override;
  std::uint32_t thread_count() const override { return 1; }

 private:
  void loop();
  std::unique_ptr<PlatformMutex> m_;
  JobFifo jobs_;  // guarded by m_
  bool stopping_ = false;
  bool parked_ = false;
  std::unique_ptr<Parker> parker_;
  std::unique_ptr<PlatformThread> thread_;
};

// Threads for blocking work, grown on demand up to `threads_max`.
class BlockingPool : public ThreadPool {
 public:
  explicit BlockingPool(std::uint32_t threads_max = 64, std::string name = "blocking",
                        Platform& p = current_platform())
      : ThreadPool(PoolOptions{std::move(name), 0, threads_max, 0, true}, p) {}
};

// Runs a synchronous callable on `pool`; the handle carries its result.
template <class F>
auto spawn_blocking(Executor& pool, F f, std::source_location where = std::source_location::current())
    -> JoinHandle<std::invoke_result_t<F&>> {
  using R = std::invoke_result_t<F&>;
  auto body = [](F fn) -> Task<R> { co_return fn(); };
  if constexpr (std::is_void_v<R>) {
    auto body_void = [](F fn) -> Task<void> {
      fn();
      co_return;
    };
    return spawn(pool, body_void(std::move(f)), where);
  } else {
    return spawn(pool, body(std::move(f)), where);
  }
}

}  // namespace weft
