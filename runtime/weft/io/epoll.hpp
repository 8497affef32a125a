// EpollReactor: the real I/O backend. One reactor thread, started through the Platform,
// waits in epoll_wait (edge-triggered; woken for shutdown through an eventfd) and resumes
// each waiting operation as a Job on the context its caller captured.
//
// An operation first tries its syscall; only on EAGAIN does it register as the fd's
// reader or writer. Readiness is a per-direction counter bumped by the reactor, so an
// edge that lands between the failed syscall and the registration is never lost.
// Cancellation follows SleepAwaiter: a waiter's `state` (0 armed, 1 fired, 2 cancelled)
// is settled under the fd's lock, so exactly one of the reactor and the stop callback
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

class EpollReactor {
 public:
  explicit EpollReactor(Platform& p = real_platform());
  ~EpollReactor();  // stops the thread; every stream and listener must be gone by then
  EpollReactor(const EpollReactor&) = delete;
  EpollReactor& operator=(const EpollReactor&) = delete;

  void stop();
  Platform& platform() const noexcept { return p_; }

  // Registers a non-blocking fd (taken over: closed by release()).
  detail::FdState* adopt(int fd);
  // Deregisters and closes; pending waiters are cancelled. Freed after the reactor's
  // current batch, so an event already returned for it is still safe to look at.
  void release(detail::FdState* s);

 private:
  void loop();
  Platform& p_;
  int epfd_ = -1;
  int wakefd_ = -1;
  std::atomic<bool> stopping_{false};
  std::unique_ptr<PlatformMutex> grave_m_;
  std::vector<detail::FdState*> graveyard_;  // guarded by grave_m_
  std::unique_ptr<PlatformThread> thread_;
};

// Listens on 127.0.0.1:port (0 = any free port).
std::unique_ptr<Listener> tcp_listen(EpollReactor& reactor, std::uint16_t port, int backlog = 1024);
// Connects to host:port (a dotted IPv4 address). Throws NetError (ECONNREFUSED, ...).
Task<std::unique_ptr<Stream>> tcp_connect(EpollReactor& reactor, std::string host, std::uint16_t port,
                                          std::stop_token stop = {});

}  // namespace weft::io
