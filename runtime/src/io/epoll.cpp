#include "weft/io/epoll.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

namespace weft::io {

namespace {
[[noreturn]] void throw_errno(int err, const char* what) {
  throw NetError(err, std::string(what) + ": " + std::strerror(err));
}
}  // namespace

namespace detail {

// A waiting operation. `state`: 0 armed, 1 fired (reactor), 2 cancelled (stop or release).
struct IoWaiter : Job {
  std::coroutine_handle<> handle;
  Executor* ctx = nullptr;
  std::atomic<int> state{0};
  IoWaiter() { run = [](Job* j) { static_cast<IoWaiter*>(j)->handle.resume(); }; }
};

enum Dir { kRead = 0, kWrite = 1 };

struct FdState {
  int fd = -1;
  std::unique_ptr<PlatformMutex> m;
  // Readiness edges seen per direction. Written under m; read without it before a syscall.
  std::atomic<std::uint64_t> seq[2] = {0, 0};
  // The peer hung up or the socket failed: a read may return 0 or an error even right
  // after a short read (written before the read edge it came with).
  std::atomic<bool> hangup{false};
  IoWaiter* waiter[2] = {nullptr, nullptr};  // guarded by m
  bool closed = false;                       // guarded by m

  // Takes the waiter of `d` if it is still armed. Lock held.
  IoWaiter* take_locked(int d) noexcept {
    IoWaiter* w = std::exchange(waiter[d], nullptr);
    if (!w) return nullptr;
    int armed = 0;
    return w->state.compare_exchange_strong(armed, 1, std::memory_order_acq_rel) ? w : nullptr;
  }
};

// Waits until direction `dir` of `s` has seen an edge after `seen`, or until stopped.
struct WaitReady : IoWaiter {
  WaitReady(FdState* st, int d, std::uint64_t seen_seq, const std::stop_token& t)
      : s(st), dir(d), seen(seen_seq), token(t) {}
  FdState* s;
  int dir;
  std::uint64_t seen;
  std::stop_token token;
  bool cancelled = false;
  struct OnStop {
    WaitReady* self;
    void operator()() const noexcept {
      auto* w = self;
      w->s->m->lock();
      int armed = 0;
      bool mine = w->state.compare_exchange_strong(armed, 2, std::memory_order_acq_rel);
      bool was_armed = mine && w->s->waiter[w->dir] == w;
      if (was_armed) w->s->waiter[w->dir] = nullptr;
      w->s->m->unlock();
      if (was_armed) weft::detail::resume_in(w->ctx, w);
    }
  };
  std::optional<std::stop_callback<OnStop>> on_stop;

  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) {
    handle = h;
    task = current_task();
    ctx = current_context();
    if (token.stop_requested()) {
      cancelled = true;
      return false;
    }
    // Register first: a stop racing with the registration below is settled under the lock.
    if (token.stop_possible()) on_stop.emplace(token, OnStop{this});
    s->m->lock();
    if (state.load(std::memory_order_acquire) != 0 || s->closed ||
        s->seq[dir].load(std::memory_order_relaxed) != seen) {
      s->m->unlock();
      return false;
    }
    s->waiter[dir] = this;
    s->m->unlock();
    return true;
  }
  void await_resume() {
    on_stop.reset();
    if (cancelled || state.load(std::memory_order_acquire) == 2) weft::detail::throw_cancelled();
  }
};

}  // namespace detail

using detail::FdState;

Reactor::Reactor(Platform& p) : p_(p), grave_m_(p.make_mutex()) {
  epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epfd_ < 0) throw_errno(errno, "epoll_create1");
  wakefd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wakefd_ < 0) {
    int err = errno;
    ::close(epfd_);
    throw_errno(err, "eventfd");
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = nullptr;  // null marks the wake fd
  ::epoll_ctl(epfd_, EPOLL_CTL_ADD, wakefd_, &ev);
}

Reactor::~Reactor() {
  for (auto* s : graveyard_) delete s;
  ::close(wakefd_);
  ::close(epfd_);
}

void Reactor::wake() noexcept {
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wakefd_, &one, sizeof one);
}

FdState* Reactor::adopt(int fd) {
  auto* s = new FdState;
  s->fd = fd;
  s->m = p_.make_mutex();
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.ptr = s;
  if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    int err = errno;
    ::close(fd);
    delete s;
    throw_errno(err, "epoll_ctl");
  }
  return s;
}

void Reactor::release(FdState* s) {
  ::epoll_ctl(epfd_, EPOLL_CTL_DEL, s->fd, nullptr);
  s->m->lock();
  s->closed = true;
  detail::IoWaiter* pending[2] = {nullptr, nullptr};
  for (int d = 0; d < 2; ++d) {
    detail::IoWaiter* w = std::exchange(s->waiter[d], nullptr);
    int armed = 0;
    if (w && w->state.compare_exchange_strong(armed, 2, std::memory_order_acq_rel)) pending[d] = w;
  }
  s->m->unlock();
  ::close(s->fd);
  for (auto* w : pending)
    if (w) weft::detail::resume_in(w->ctx, w);
  grave_m_->lock();
  graveyard_.push_back(s);
  grave_m_->unlock();
}

void Reactor::poll(int timeout_ms) {
  constexpr int kBatch = 256;
  epoll_event events[kBatch];
  int n = ::epoll_wait(epfd_, events, kBatch, timeout_ms);
  woke();
  for (int i = 0; i < n; ++i) {
    auto* s = static_cast<FdState*>(events[i].data.ptr);
    if (!s) {
      std::uint64_t v;
      [[maybe_unused]] auto r = ::read(wakefd_, &v, sizeof v);
      continue;
    }
    std::uint32_t e = events[i].events;
    detail::IoWaiter* ready[2] = {nullptr, nullptr};
    s->m->lock();
    if (e & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)) {
      if (e & (EPOLLRDHUP | EPOLLERR | EPOLLHUP)) s->hangup.store(true, std::memory_order_relaxed);
      s->seq[detail::kRead].fetch_add(1, std::memory_order_release);
      ready[0] = s->take_locked(detail::kRead);
    }
    if (e & (EPOLLOUT | EPOLLERR | EPOLLHUP)) {
      s->seq[detail::kWrite].fetch_add(1, std::memory_order_release);
      ready[1] = s->take_locked(detail::kWrite);
    }
    s->m->unlock();
    for (auto* w : ready)
      if (w) resume(w->ctx, w);
  }
  // Whatever was released before or during this batch can no longer show up in an event
  // (resume() may have released more; those are in the graveyard too).
  grave_m_->lock();
  dead_.swap(graveyard_);
  grave_m_->unlock();
  for (auto* s : dead_) delete s;
  dead_.clear();
}

EpollReactor::EpollReactor(Platform& p) : Reactor(p) {
  thread_ = p.start_thread("io", [this] { loop(); });
}

EpollReactor::~EpollReactor() { stop(); }

void EpollReactor::stop() {
  if (!thread_) return;
  stopping_.store(true, std::memory_order_release);
  wake();
  thread_->join();
  thread_.reset();
}

void EpollReactor::resume(Executor* ctx, Job* job) { weft::detail::resume_in(ctx, job); }

void EpollReactor::loop() {
  // A bounded wait: shutdown is signalled through the eventfd, the bound is a safety net.
  while (!stopping_.load(std::memory_order_acquire)) poll(1000);
}

namespace {

void set_nodelay(int fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

class EpollStream final : public Stream {
 public:
  EpollStream(Reactor& r, FdState* s) : r_(r), s_(s) {}
  ~EpollStream() override { close(); }

  Task<std::size_t> read(std::span<char> buf, std::stop_token stop) override {
    for (;;) {
      if (!s_) throw NetError(EBADF, "read: stream closed");
      auto seen = s_->seq[detail::kRead].load(std::memory_order_acquire);
      if (seen != drained_at_ || s_->hangup.load(std::memory_order_relaxed)) {
        ssize_t n = ::recv(s_->fd, buf.data(), buf.size(), 0);
        if (n > 0) {
          // A short read emptied the socket: until the next edge, another recv would only
          // say EAGAIN (a request/response exchange would pay one syscall more per turn),
          // unless the peer has hung up (the 0 after the data).
          if (std::size_t(n) < buf.size()) drained_at_ = seen;
          co_return std::size_t(n);
        }
        if (n == 0) co_return 0;
        int err = errno;
        if (err == EINTR) continue;
        if (err != EAGAIN && err != EWOULDBLOCK) throw_errno(err, "read");
        drained_at_ = seen;
      }
      detail::WaitReady w(s_, detail::kRead, seen, stop);
      co_await w;
    }
  }

  Task<void> write(std::string_view data, std::stop_token stop) override {
    while (!data.empty()) {
      if (!s_) throw NetError(EBADF, "write: stream closed");
      auto seen = s_->seq[detail::kWrite].load(std::memory_order_acquire);
      ssize_t n = ::send(s_->fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n >= 0) {
        data.remove_prefix(std::size_t(n));
        continue;
      }
      int err = errno;
      if (err == EINTR) continue;
      if (err != EAGAIN && err != EWOULDBLOCK) throw_errno(err, "write");
      detail::WaitReady w(s_, detail::kWrite, seen, stop);
      co_await w;
    }
  }

  void close() override {
    if (s_) r_.release(std::exchange(s_, nullptr));
  }
  Executor* home() const noexcept override { return r_.home(); }

 private:
  Reactor& r_;
  FdState* s_;
  // The read edge count at which the socket was last seen empty (no read runs concurrently).
  std::uint64_t drained_at_ = ~std::uint64_t(0);
};

class EpollListener final : public Listener {
 public:
  EpollListener(Reactor& r, FdState* s, std::uint16_t port, std::vector<Reactor*> spread)
      : r_(r), s_(s), port_(port), spread_(std::move(spread)) {
    if (spread_.empty()) spread_.push_back(&r_);
  }
  ~EpollListener() override { close(); }

  Task<std::unique_ptr<Stream>> accept(std::stop_token stop) override {
    for (;;) {
      if (!s_) throw NetError(EBADF, "accept: listener closed");
      auto seen = s_->seq[detail::kRead].load(std::memory_order_acquire);
      int fd = ::accept4(s_->fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd >= 0) {
        set_nodelay(fd);
        Reactor& to = *spread_[next_.fetch_add(1, std::memory_order_relaxed) % spread_.size()];
        co_return std::make_unique<EpollStream>(to, to.adopt(fd));
      }
      int err = errno;
      if (err == EINTR || err == ECONNABORTED) continue;
      if (err == EMFILE || err == ENFILE) {
        // Out of descriptors: back off instead of spinning on a ready listener.
        auto pause = sleep_for(1_ms, stop);
        co_await pause;
        continue;
      }
      if (err != EAGAIN && err != EWOULDBLOCK) throw_errno(err, "accept");
      detail::WaitReady w(s_, detail::kRead, seen, stop);
      co_await w;
    }
  }
  std::uint16_t port() const override { return port_; }
  void close() override {
    if (s_) r_.release(std::exchange(s_, nullptr));
  }

 private:
  Reactor& r_;
  FdState* s_;
  std::uint16_t port_;
  std::vector<Reactor*> spread_;  // where accepted connections go, in turn
  std::atomic<std::size_t> next_{0};
};

sockaddr_in loopback_address(const std::string& host, std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &a.sin_addr) != 1) throw NetError(EINVAL, "bad IPv4 address: " + host);
  return a;
}

}  // namespace

std::unique_ptr<Listener> tcp_listen(Reactor& reactor, std::uint16_t port, int backlog) {
  return tcp_listen(reactor, {}, port, backlog);
}

std::unique_ptr<Listener> tcp_listen(Reactor& reactor, std::vector<Reactor*> spread, std::uint16_t port,
                                     int backlog) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw_errno(errno, "socket");
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  auto a = loopback_address("127.0.0.1", port);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, backlog) != 0) {
    int err = errno;
    ::close(fd);
    throw_errno(err, "listen on 127.0.0.1");
  }
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return std::make_unique<EpollListener>(reactor, reactor.adopt(fd), ntohs(a.sin_port), std::move(spread));
}

Task<std::unique_ptr<Stream>> tcp_connect(Reactor& reactor, std::string host, std::uint16_t port,
                                          std::stop_token stop) {
  auto a = loopback_address(host, port);
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw_errno(errno, "socket");
  set_nodelay(fd);
  int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  if (rc != 0 && errno != EINPROGRESS) {
    int err = errno;
    ::close(fd);
    throw_errno(err, "connect");
  }
  auto* s = reactor.adopt(fd);
  auto stream = std::make_unique<EpollStream>(reactor, s);  // closes fd on every exit
  // Writable edges may be stale (a fresh socket reports HUP): connected means a peer name.
  for (;;) {
    auto seen = s->seq[detail::kWrite].load(std::memory_order_acquire);
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) throw_errno(err, "connect");
    sockaddr_in peer{};
    socklen_t plen = sizeof peer;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &plen) == 0) break;
    detail::WaitReady w(s, detail::kWrite, seen, stop);
    co_await w;
  }
  co_return stream;
}

}  // namespace weft::io
