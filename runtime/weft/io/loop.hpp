// EventLoop: a thread that is both an epoll poller and an executor. A coroutine running
// on the loop that waits for readiness is resumed inline by the same thread when
// epoll_wait reports it: no queue, no wake-up, no other core. EventLoops is a group of
// them, one per thread, each serving the connections registered with it (tcp_listen
// spreads accepted connections over the group).
//
// Work that may block (a synchronous database call) does not belong on a loop: it stalls
// every connection of that loop. Spawn it on a ThreadPool; its continuation comes back
// to the loop as a posted job.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "weft/io/epoll.hpp"

namespace weft::io {

class EventLoop final : public Executor, public Reactor {
 public:
  explicit EventLoop(std::string name = "loop", Platform& p = real_platform());
  // Runs the jobs already queued to the end, then joins the thread. Every stream and
  // listener registered here must be gone by then.
  ~EventLoop() override;

  void post(Job* job) override;
  std::uint32_t thread_count() const override { return 1; }
  Executor* home() noexcept override { return this; }
  using Executor::platform;

 private:
  void resume(Executor* ctx, Job* job) override;
  void woke() noexcept override { sleeping_.store(false, std::memory_order_relaxed); }
  void loop();
  // Runs up to `budget` queued jobs; true if jobs remain.
  bool run_queued(int budget);
  void take_remote();

  // Posted from other threads: a lock-free stack (newest first), taken whole by the loop.
  std::atomic<Job*> remote_{nullptr};
  // The loop's own FIFO, touched only by the loop thread.
  JobFifo local_;
  // True while the loop may be inside epoll_wait with nothing queued: a remote post then
  // writes the eventfd. Set before the loop's last look at remote_ (both seq_cst), so a
  // post either is seen by that look or sees the flag.
  std::atomic<bool> sleeping_{false};
  std::atomic<bool> stopping_{false};
  // post() calls under way from other threads; the destructor waits for them (a posted job
  // may let its owner destroy the loop before post() has written the eventfd).
  std::atomic<std::uint32_t> posting_{0};
  std::unique_ptr<PlatformThread> thread_;
};

// N event loops, one thread each.
class EventLoops {
 public:
  explicit EventLoops(std::uint32_t count, std::string name = "loop", Platform& p = real_platform());
  std::uint32_t size() const noexcept { return std::uint32_t(loops_.size()); }
  EventLoop& operator[](std::uint32_t i) noexcept { return *loops_[i]; }
  // The loops as reactors, for tcp_listen(reactor, spread, port).
  std::vector<Reactor*> reactors() const;

 private:
  std::vector<std::unique_ptr<EventLoop>> loops_;
};

// Listens on 127.0.0.1:port through the first loop; accepted connections go to the loops
// in turn (Stream::home() names the loop to run each one on).
std::unique_ptr<Listener> tcp_listen(EventLoops& loops, std::uint16_t port, int backlog = 1024);
// Listens on address:port ("::1", "127.0.0.1", "::", ...; see the Reactor overload).
std::unique_ptr<Listener> tcp_listen(EventLoops& loops, std::string_view address, std::uint16_t port,
                                     ListenOptions options = {});

}  // namespace weft::io
