#include "weft/io/epoll.hpp"

#include "weft/thread_pool.hpp"

#include <arpa/inet.h>
#include <netdb.h>
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

// An IPv4 or IPv6 literal ("[::1]" allowed) and a port as a socket address.
struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t size = 0;
  int family() const noexcept { return storage.ss_family; }
  sockaddr* get() noexcept { return reinterpret_cast<sockaddr*>(&storage); }
};

std::optional<SocketAddress> parse_address(std::string_view text, std::uint16_t port) {
  std::string host(text);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  SocketAddress a;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&a.storage);
  if (::inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    a.size = sizeof(sockaddr_in);
    return a;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&a.storage);
  if (::inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    a.size = sizeof(sockaddr_in6);
    return a;
  }
  return std::nullopt;
}

std::uint16_t port_of(const sockaddr_storage& s) noexcept {
  if (s.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&s)->sin6_port);
  return ntohs(reinterpret_cast<const sockaddr_in*>(&s)->sin_port);
}

// Connects to one address; the stream once the peer accepted.
Task<std::unique_ptr<Stream>> connect_to(Reactor& reactor, SocketAddress a, std::stop_token stop) {
  int fd = ::socket(a.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw_errno(errno, "socket");
  set_nodelay(fd);
  int rc = ::connect(fd, a.get(), a.size);
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
    sockaddr_storage peer{};
    socklen_t plen = sizeof peer;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &plen) == 0) break;
    detail::WaitReady w(s, detail::kWrite, seen, stop);
    co_await w;
  }
  co_return stream;
}

Task<std::unique_ptr<Stream>> connect_any(Reactor& reactor, std::string host, std::uint16_t port, Executor* resolver,
                                          std::stop_token stop) {
  std::vector<std::string> addresses;
  if (parse_address(host, port)) {
    addresses.push_back(host);
  } else {
    auto r = resolve(resolver ? *resolver : default_resolver(), host);
    addresses = co_await std::move(r);
  }
  std::exception_ptr last;
  for (const auto& literal : addresses) {
    auto a = parse_address(literal, port);
    if (!a) continue;
    try {
      auto c = connect_to(reactor, *a, stop);
      co_return co_await std::move(c);
    } catch (const NetError&) {
      if (stop.stop_requested()) throw;
      last = std::current_exception();  // try the next address
    }
  }
  if (last) std::rethrow_exception(last);
  throw NetError(EHOSTUNREACH, "connect: no address for " + host);
}

}  // namespace

std::unique_ptr<Listener> tcp_listen(Reactor& reactor, std::uint16_t port, int backlog) {
  return tcp_listen(reactor, std::vector<Reactor*>{}, "127.0.0.1", port, ListenOptions{backlog, false});
}

std::unique_ptr<Listener> tcp_listen(Reactor& reactor, std::string_view address, std::uint16_t port,
                                     ListenOptions options) {
  return tcp_listen(reactor, std::vector<Reactor*>{}, address, port, options);
}

std::unique_ptr<Listener> tcp_listen(Reactor& reactor, std::vector<Reactor*> spread, std::uint16_t port,
                                     int backlog) {
  return tcp_listen(reactor, std::move(spread), "127.0.0.1", port, ListenOptions{backlog, false});
}

std::unique_ptr<Listener> tcp_listen(Reactor& reactor, std::vector<Reactor*> spread, std::string_view address,
                                     std::uint16_t port, ListenOptions options) {
  auto a = parse_address(address, port);
  if (!a) throw NetError(EINVAL, "listen: not an IPv4 or IPv6 address: " + std::string(address));
  int fd = ::socket(a->family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw_errno(errno, "socket");
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (options.reuse_port) ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  // An IPv6 listener takes IPv6 only, so "::1" and "127.0.0.1" may share a port.
  if (a->family() == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (::bind(fd, a->get(), a->size) != 0 || ::listen(fd, options.backlog) != 0) {
    int err = errno;
    ::close(fd);
    throw_errno(err, ("listen on " + std::string(address)).c_str());
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  return std::make_unique<EpollListener>(reactor, reactor.adopt(fd), port_of(bound), std::move(spread));
}

Executor& default_resolver() {
  // Never destroyed: resolutions may still be under way while the process exits.
  static BlockingPool* pool = new BlockingPool(4, "resolver", real_platform());
  return *pool;
}

Task<std::vector<std::string>> resolve(Executor& resolver, std::string host) {
  if (parse_address(host, 0)) co_return std::vector<std::string>{host};
  auto lookup = spawn_blocking(resolver, [host]() -> std::vector<std::string> {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &found);
    if (rc != 0) throw NetError(EHOSTUNREACH, "resolve " + host + ": " + ::gai_strerror(rc));
    std::vector<std::string> out;
    for (addrinfo* i = found; i; i = i->ai_next) {
      char text[INET6_ADDRSTRLEN] = {};
      const void* raw = i->ai_family == AF_INET6
                            ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(i->ai_addr)->sin6_addr)
                            : static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(i->ai_addr)->sin_addr);
      if (::inet_ntop(i->ai_family, raw, text, sizeof text)) {
        std::string t(text);
        bool seen = false;
        for (auto& o : out) seen = seen || o == t;
        if (!seen) out.push_back(t);
      }
    }
    ::freeaddrinfo(found);
    return out;
  });
  co_return co_await std::move(lookup);
}

Task<std::unique_ptr<Stream>> tcp_connect(Reactor& reactor, std::string host, std::uint16_t port,
                                          std::stop_token stop) {
  return connect_any(reactor, std::move(host), port, nullptr, std::move(stop));
}

Task<std::unique_ptr<Stream>> tcp_connect(Reactor& reactor, std::string host, std::uint16_t port,
                                          ConnectOptions options, std::stop_token stop) {
  if (options.timeout == no_deadline) return connect_any(reactor, std::move(host), port, options.resolver, std::move(stop));
  return with_timeout(options.timeout, std::move(stop),
                      [&reactor, host = std::move(host), port, resolver = options.resolver](std::stop_token t) {
                        return connect_any(reactor, host, port, resolver, std::move(t));
                      });
}

}  // namespace weft::io
