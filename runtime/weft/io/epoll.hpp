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
#include <string_view>
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

struct ListenOptions {
  int backlog = 1024;
  // SO_REUSEPORT: several listeners (threads or processes) bind the same address and port
  // and the kernel spreads the connections between them.
  bool reuse_port = false;
};

// Listens on address:port. `address` is an IPv4 or IPv6 literal: "127.0.0.1", "::1",
// "[::1]", "0.0.0.0", "::" (port 0 = any free port). Accepted connections are registered
// with `reactor` too. Throws NetError (EINVAL for a bad address, EADDRINUSE, ...).
std::unique_ptr<Listener> tcp_listen(Reactor& reactor, std::string_view address, std::uint16_t port,
                                     ListenOptions options = {});
// Listens on 127.0.0.1:port.
std::unique_ptr<Listener> tcp_listen(Reactor& reactor, std::uint16_t port, int backlog = 1024);
// Listens through `reactor`; accepted connections are registered with `spread` in turn
// (round robin), so each event loop of a group serves its share of the connections.
std::unique_ptr<Listener> tcp_listen(Reactor& reactor, std::vector<Reactor*> spread, std::uint16_t port,
                                     int backlog = 1024);
std::unique_ptr<Listener> tcp_listen(Reactor& reactor, std::vector<Reactor*> spread, std::string_view address,
                                     std::uint16_t port, ListenOptions options = {});

// The addresses a host name (or literal) stands for, in getaddrinfo's order, as literals
// ("::1", "127.0.0.1"). getaddrinfo blocks, so it runs on `resolver` (a BlockingPool);
// literals are returned as they are without it. Throws NetError (EHOSTUNREACH: unknown name).
Task<std::vector<std::string>> resolve(Executor& resolver, std::string host);
// A small process-wide BlockingPool for name resolution (started on first use).
Executor& default_resolver();

struct ConnectOptions {
  Nanos timeout = no_deadline;       // for resolving and connecting together: TimedOut
  Executor* resolver = nullptr;      // where getaddrinfo runs (null: default_resolver())
};

// Connects to host:port: a literal (IPv4 or IPv6) or a name resolved through the resolver;
// the addresses are tried in order until one accepts. Throws NetError (ECONNREFUSED, ...).
Task<std::unique_ptr<Stream>> tcp_connect(Reactor& reactor, std::string host, std::uint16_t port,
                                          std::stop_token stop = {});
Task<std::unique_ptr<Stream>> tcp_connect(Reactor& reactor, std::string host, std::uint16_t port,
                                          ConnectOptions options, std::stop_token stop = {});

}  // namespace weft::io
