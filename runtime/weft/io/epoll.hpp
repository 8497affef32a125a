// The real I/O backend on epoll, in two shapes that share one registration scheme:
//
//  EpollReactor (here): one thread that only waits in epoll_wait and resumes each waiting
//    operation as a Job on the context its caller captured: one hand-off per completion.
//  EventLoop (io/loop.hpp): a thread that is both the poller and an executor; an operation
//    awaited by a coroutine running on that loop resumes inline, with no hand-off.
//
// An operation first tries its syscall; only on EAGAIN does it register as the fd's
// reader or writer. Readiness is a per-direction counter bumped by the poller, so an
// edge that lands between the failed syscall and the registration is never lost.
// Cancellation follows SleepAwaiter: a waiter's `state` (0 armed, 1 fired, 2 cancelled)
// is settled under the fd's lock, so exactly one of the poller and the stop callback
// resumes it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "weft/io/net.hpp"

namespace weft::io {

namespace detail {
struct FdState;
}

// An epoll instance with its registered fds. Whoever owns the waiting thread calls poll().
class Reactor {
 public:
  virtual ~Reactor();
  Reactor(const Reactor&) = delete;
  Reactor& operator=(const Reactor&) = delete;

  Platform& platform() const noexcept { return p_; }
  // Registers a non-blocking fd (taken over: closed by release()).
  detail::FdState* adopt(int fd);
  // Deregisters and closes; pending waiters are cancelled. Freed after the poller's
  // current batch, so an event already returned for it is still safe to look at.
  void release(detail::FdState* s);
  // The executor whose coroutines this reactor resumes without a hand-off (an event
  // loop), or null. Connections on fds registered here run best on it.
  virtual Executor* home() noexcept { return nullptr; }

 protected:
  explicit Reactor(Platform& p);
  // Waits up to `timeout_ms` (-1: no bound) for readiness and resumes the waiters through
  // resume(); then frees what was released. Only the owning thread calls it.
  void poll(int timeout_ms);
  // Makes a poll() that is waiting (or the next one) return.
  void wake() noexcept;
  // Resumes a waiter whose operation is ready: `job` on `ctx` (inline when ctx is null).
  virtual void resume(Executor* ctx, Job* job) = 0;
  // Called by poll() as soon as epoll_wait returns, before any waiter is resumed.
  virtual void woke() noexcept {}

 private:
  Platform& p_;
  int epfd_ = -1;
  int wakefd_ = -1;
  std::unique_ptr<PlatformMutex> grave_m_;
  std::vector<detail::FdState*> graveyard_;  // guarded by grave_m_
  std::vector<detail::FdState*> dead_;       // the poller's own
};

// One reactor thread; completions are posted to the context each caller captured.
class EpollReactor final : public Reactor {
 public:
  explicit EpollReactor(Platform& p = real_platform());
  ~EpollReactor() override;  // stops the thread; every stream and listener must be gone by then
  void stop();

 private:
  void resume(Executor* ctx, Job* job) override;
  void loop();
  std::atomic<bool> stopping_{false};
  std::unique_ptr<PlatformThread> thread_;
};

// Listens on 127.0.0.1:port (0 = any free port); accepted connections are registered
// with `reactor` too.
std::unique_ptr<Listener> tcp_listen(Reactor& reactor, std::uint16_t port, int backlog = 1024);
// Listens through `reactor`; accepted connections are registered with `spread` in turn
// (round robin), so each event loop of a group serves its share of the connections.
std::unique_ptr<Listener> tcp_listen(Reactor& reactor, std::vector<Reactor*> spread, std::uint16_t port,
                                     int backlog = 1024);
// Connects to host:port (a dotted IPv4 address). Throws NetError (ECONNREFUSED, ...).
Task<std::unique_ptr<Stream>> tcp_connect(Reactor& reactor, std::string host, std::uint16_t port,
                                          std::stop_token stop = {});

}  // namespace weft::io
