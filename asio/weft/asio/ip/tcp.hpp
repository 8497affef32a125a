// weft::asio::ip::tcp: socket, acceptor, resolver and endpoint, the common subset of
// asio's members, on weft::io streams. The socket models asio's AsyncReadStream and
// AsyncWriteStream, so asio::async_read, async_write and async_read_until compose on it
// unchanged. Each operation runs as a weft task on the socket's context and completes the
// handler on its associated executor with asio's error codes (eof, operation_aborted,
// connection_refused...). cancel(), close() and a cancellation slot (the `||` of
// awaitable_operators) stop it.
#pragma once

#include <asio/associated_cancellation_slot.hpp>
#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/buffer.hpp>
#include <asio/error.hpp>
#include <asio/ip/address.hpp>
#include <asio/ip/tcp.hpp>

#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <system_error>
#include <vector>

#include "weft/asio/io_context.hpp"
#include "weft/asio/network.hpp"
#include "weft/spawn.hpp"

namespace weft::asio {

namespace detail {

std::error_code to_error_code(const std::exception_ptr& e) noexcept;

struct socket_state {
  explicit socket_state(io_context& c) : ctx(&c), m(c.platform().make_mutex()) {}
  io_context* ctx;
  std::unique_ptr<PlatformMutex> m;
  std::unique_ptr<io::Stream> stream;  // set once connected / accepted
  std::stop_source cancel;             // guarded by m: replaced after each cancel()
  int pending = 0;                     // guarded by m
  bool closing = false;                // guarded by m
  ::asio::ip::tcp::endpoint remote, local;

  std::stop_token begin() {
    m->lock();
    ++pending;
    auto t = cancel.get_token();
    m->unlock();
    return t;
  }
  void end() {
    m->lock();
    bool close_now = --pending == 0 && closing;
    m->unlock();
    if (close_now && stream) stream->close();
  }
  void cancel_all() {
    m->lock();
    std::stop_source old = std::exchange(cancel, std::stop_source{});
    m->unlock();
    old.request_stop();
  }
  void close() {
    m->lock();
    closing = true;
    bool close_now = pending == 0;
    std::stop_source old = std::exchange(cancel, std::stop_source{});
    m->unlock();
    old.request_stop();
    if (close_now && stream) stream->close();
  }
};

// The stop of one operation: the socket's cancel(), or its handler's cancellation slot.
struct op_stop {
  std::stop_source source;
};
struct slot_canceller {
  std::shared_ptr<op_stop> stop;
  void operator()(::asio::cancellation_type_t) const { stop->source.request_stop(); }
};

template <class Handler, class IoEx>
struct op_handler {
  using executor_type = std::decay_t<decltype(::asio::get_associated_executor(std::declval<Handler&>(),
                                                                              std::declval<const IoEx&>()))>;
  using work_type = std::decay_t<
      typename ::asio::prefer_result<const executor_type&, ::asio::execution::outstanding_work_t::tracked_t>::type>;
  op_handler(Handler&& h, const IoEx& io)
      : handler(std::move(h)),
        work(::asio::prefer(::asio::get_associated_executor(handler, io), ::asio::execution::outstanding_work.tracked)) {}
  Handler handler;
  work_type work;

  std::shared_ptr<op_stop> watch() {
    auto s = std::make_shared<op_stop>();
    auto slot = ::asio::get_associated_cancellation_slot(handler);
    if (slot.is_connected()) slot.template emplace<slot_canceller>(slot_canceller{s});
    return s;
  }
  // Posts handler(args...) to its executor (never inline), continuing task `task`.
  template <class... Args>
  void complete(TaskId task, Args... args) {
    task_scope scope(task);
    executor_type ex = ::asio::get_associated_executor(handler, work);
    ::asio::execution::execute(::asio::prefer(ex, ::asio::execution::blocking.never),
                               [h = std::move(handler), w = std::move(work), ... args = std::move(args)]() mutable {
                                 auto slot = ::asio::get_associated_cancellation_slot(h);
                                 if (slot.is_connected()) slot.clear();
                                 std::move(h)(std::move(args)...);
                               });
  }
};

template <class Buffers>
auto first_buffer(const Buffers& b) {
  auto it = ::asio::buffer_sequence_begin(b);
  auto end = ::asio::buffer_sequence_end(b);
  for (; it != end; ++it)
    if (it->size() != 0) return *it;
  return typename std::iterator_traits<decltype(it)>::value_type();
}

}  // namespace detail

namespace ip {

using ::asio::ip::address;
using ::asio::ip::address_v4;
using ::asio::ip::make_address;

class tcp {
 public:
  using endpoint = ::asio::ip::tcp::endpoint;
  static ::asio::ip::tcp v4() noexcept { return ::asio::ip::tcp::v4(); }
  static ::asio::ip::tcp v6() noexcept { return ::asio::ip::tcp::v6(); }
  using no_delay = ::asio::ip::tcp::no_delay;
  class socket;
  class acceptor;
  class resolver;
};

class tcp::socket {
 public:
  using executor_type = ::asio::any_io_executor;
  using protocol_type = ::asio::ip::tcp;
  using endpoint_type = tcp::endpoint;
  template <class Other>
  struct rebind_executor {
    using other = socket;
  };

  explicit socket(const executor_type& ex) : ex_(ex), st_(std::make_shared<detail::socket_state>(context_of(ex))) {}
  template <class Context, class = std::enable_if_t<std::is_convertible_v<Context&, ::asio::execution_context&>>>
  explicit socket(Context& ctx) : socket(executor_type(ctx.get_executor())) {}
  socket(socket&&) noexcept = default;
  socket& operator=(socket&& o) noexcept {
    if (this != &o) {
      close();
      ex_ = std::move(o.ex_);
      st_ = std::move(o.st_);
    }
    return *this;
  }
  ~socket() { close(); }

  executor_type get_executor() noexcept { return ex_; }
  bool is_open() const noexcept { return st_ && st_->stream && !st_->closing; }
  void close() {
    if (st_) st_->close();
  }
  void close(std::error_code& ec) {
    close();
    ec.clear();
  }
  void cancel() {
    if (st_) st_->cancel_all();
  }
  void shutdown(::asio::socket_base::shutdown_type, std::error_code& ec) { ec.clear(); }
  template <class Option>
  void set_option(const Option&) {}  // no_delay and friends: no effect on weft::io streams
  template <class Option>
  void set_option(const Option&, std::error_code& ec) {
    ec.clear();
  }
  endpoint_type remote_endpoint() const { return st_->remote; }
  endpoint_type remote_endpoint(std::error_code& ec) const {
    ec.clear();
    return st_->remote;
  }
  endpoint_type local_endpoint() const { return st_->local; }

  // The weft::io stream behind it (null before connect / accept).
  io::Stream* stream() const noexcept { return st_ ? st_->stream.get() : nullptr; }

  template <class Token>
  auto async_connect(const endpoint_type& to, Token&& token) {
    return ::asio::async_initiate<Token, void(std::error_code)>(
        [this](auto&& h, endpoint_type ep) {
          using H = std::decay_t<decltype(h)>;
          auto op = std::make_shared<detail::op_handler<H, executor_type>>(H(std::move(h)), ex_);
          st_->remote = ep;
          spawn_detached(st_->ctx->weft_executor(), connect_op(op, st_, ep, current_task()));
        },
        token, to);
  }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return ::asio::async_initiate<Token, void(std::error_code, std::size_t)>(
        [this](auto&& h, ::asio::mutable_buffer b) {
          using H = std::decay_t<decltype(h)>;
          auto op = std::make_shared<detail::op_handler<H, executor_type>>(H(std::move(h)), ex_);
          spawn_detached(st_->ctx->weft_executor(), transfer_op<true>(op, st_, b.data(), b.size(), current_task()));
        },
        token, ::asio::mutable_buffer(detail::first_buffer(buffers)));
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return ::asio::async_initiate<Token, void(std::error_code, std::size_t)>(
        [this](auto&& h, ::asio::const_buffer b) {
          using H = std::decay_t<decltype(h)>;
          auto op = std::make_shared<detail::op_handler<H, executor_type>>(H(std::move(h)), ex_);
          spawn_detached(st_->ctx->weft_executor(),
                         transfer_op<false>(op, st_, const_cast<void*>(b.data()), b.size(), current_task()));
        },
        token, ::asio::const_buffer(detail::first_buffer(buffers)));
  }

 private:
  friend class tcp::acceptor;
  static io_context& context_of(const executor_type& ex) {
    io_context* c = weft_context_of(ex);
    if (!c) throw std::invalid_argument("weft::asio socket: its executor does not belong to a weft::asio context");
    return *c;
  }

  template <class Op>
  static Task<void> connect_op(std::shared_ptr<Op> op, std::shared_ptr<detail::socket_state> st, endpoint_type to,
                               TaskId parent) {
    auto stop = op->watch();
    std::stop_callback<io::detail::ForwardStop> link(st->begin(), io::detail::ForwardStop{&stop->source});
    std::error_code ec;
    try {
      auto c = network_of(*st->ctx).connect(to, stop->source.get_token());
      st->stream = co_await std::move(c);
      st->closing = false;
    } catch (...) {
      ec = detail::to_error_code(std::current_exception());
    }
    st->end();
    op->complete(parent, ec);
  }

  template <bool Read, class Op>
  static Task<void> transfer_op(std::shared_ptr<Op> op, std::shared_ptr<detail::socket_state> st, void* data,
                                std::size_t size, TaskId parent) {
    std::error_code ec;
    std::size_t n = 0;
    if (!st->stream || st->closing) {
      op->complete(parent, std::error_code(::asio::error::bad_descriptor), n);
      co_return;
    }
    if (size == 0) {
      op->complete(parent, ec, n);
      co_return;
    }
    auto stop = op->watch();
    std::stop_callback<io::detail::ForwardStop> link(st->begin(), io::detail::ForwardStop{&stop->source});
    try {
      if constexpr (Read) {
        auto r = st->stream->read(std::span<char>(static_cast<char*>(data), size), stop->source.get_token());
        n = co_await std::move(r);
        if (n == 0) ec = ::asio::error::eof;
      } else {
        auto w = st->stream->write(std::string_view(static_cast<const char*>(data), size), stop->source.get_token());
        co_await std::move(w);
        n = size;
      }
    } catch (...) {
      ec = detail::to_error_code(std::current_exception());
    }
    st->end();
    op->complete(parent, ec, n);
  }

  executor_type ex_;
  std::shared_ptr<detail::socket_state> st_;
};

class tcp::acceptor {
 public:
  using executor_type = ::asio::any_io_executor;
  using endpoint_type = tcp::endpoint;

  acceptor(const executor_type& ex, const endpoint_type& at) : ex_(ex), st_(std::make_shared<state>()) {
    st_->ctx = &socket::context_of(ex);
    st_->m = st_->ctx->platform().make_mutex();
    st_->listener = network_of(*st_->ctx).listen(at);
    st_->local = endpoint_type(at.address(), st_->listener->port());
  }
  template <class Context, class = std::enable_if_t<std::is_convertible_v<Context&, ::asio::execution_context&>>>
  acceptor(Context& ctx, const endpoint_type& at) : acceptor(executor_type(ctx.get_executor()), at) {}
  ~acceptor() { close(); }
  acceptor(acceptor&&) noexcept = default;

  executor_type get_executor() noexcept { return ex_; }
  endpoint_type local_endpoint() const { return st_->local; }
  bool is_open() const noexcept { return st_ && !st_->closing; }
  void cancel() {
    if (st_) st_->cancel_all();
  }
  // Cancels a pending accept; the listener closes once it has completed.
  void close() {
    if (!st_) return;
    st_->m->lock();
    bool was = std::exchange(st_->closing, true);
    st_->m->unlock();
    if (!was) st_->cancel_all();
    st_->maybe_close();
  }

  // Completes with (error_code, socket): the new connection on this acceptor's executor.
  template <class Token>
  auto async_accept(Token&& token) {
    return ::asio::async_initiate<Token, void(std::error_code, socket)>(
        [this](auto&& h) {
          using H = std::decay_t<decltype(h)>;
          auto op = std::make_shared<detail::op_handler<H, executor_type>>(H(std::move(h)), ex_);
          spawn_detached(st_->ctx->weft_executor(), accept_op(op, st_, ex_, current_task()));
        },
        token);
  }

 private:
  struct state {
    io_context* ctx = nullptr;
    std::unique_ptr<PlatformMutex> m;
    std::unique_ptr<io::Listener> listener;
    endpoint_type local;
    std::stop_source cancel;  // guarded by m
    int pending = 0;          // guarded by m
    bool closing = false;     // guarded by m
    bool closed = false;      // guarded by m

    std::stop_token begin() {
      m->lock();
      ++pending;
      auto t = cancel.get_token();
      m->unlock();
      return t;
    }
    void end() {
      m->lock();
      --pending;
      m->unlock();
      maybe_close();
    }
    void cancel_all() {
      m->lock();
      std::stop_source old = std::exchange(cancel, std::stop_source{});
      m->unlock();
      old.request_stop();
    }
    void maybe_close() {
      m->lock();
      bool now = closing && pending == 0 && !closed;
      if (now) closed = true;
      m->unlock();
      if (now) listener->close();
    }
  };

  template <class Op>
  static Task<void> accept_op(std::shared_ptr<Op> op, std::shared_ptr<state> st, executor_type ex, TaskId parent) {
    socket peer(ex);
    std::error_code ec;
    st->m->lock();
    bool closing = st->closing;
    st->m->unlock();
    if (closing) {
      op->complete(parent, std::error_code(::asio::error::bad_descriptor), std::move(peer));
      co_return;
    }
    auto stop = op->watch();
    std::stop_callback<io::detail::ForwardStop> link(st->begin(), io::detail::ForwardStop{&stop->source});
    try {
      auto a = st->listener->accept(stop->source.get_token());
      peer.st_->stream = co_await std::move(a);
      peer.st_->local = st->local;
    } catch (...) {
      ec = detail::to_error_code(std::current_exception());
    }
    st->end();
    op->complete(parent, ec, std::move(peer));
  }

  executor_type ex_;
  std::shared_ptr<state> st_;
};

// Names to endpoints without DNS: numeric addresses and "localhost"; the service is a
// port number. Enough for loopback and for a simulated network's addresses.
class tcp::resolver {
 public:
  using executor_type = ::asio::any_io_executor;
  struct entry {
    tcp::endpoint ep;
    tcp::endpoint endpoint() const { return ep; }
    operator tcp::endpoint() const { return ep; }
  };
  using results_type = std::vector<entry>;

  explicit resolver(const executor_type& ex) : ex_(ex) {}
  template <class Context, class = std::enable_if_t<std::is_convertible_v<Context&, ::asio::execution_context&>>>
  explicit resolver(Context& ctx) : ex_(ctx.get_executor()) {}
  executor_type get_executor() noexcept { return ex_; }

  results_type resolve(const std::string& host, const std::string& service, std::error_code& ec) const {
    results_type out;
    std::string h = host == "localhost" ? "127.0.0.1" : host;
    auto addr = ::asio::ip::make_address(h, ec);
    if (ec) {
      ec = ::asio::error::host_not_found;
      return out;
    }
    unsigned long port = 0;
    try {
      std::size_t used = 0;
      port = std::stoul(service, &used);
      if (used != service.size() || port > 65535) throw std::invalid_argument(service);
    } catch (const std::exception&) {
      ec = ::asio::error::service_not_found;
      return out;
    }
    out.push_back(entry{tcp::endpoint(addr, std::uint16_t(port))});
    return out;
  }
  results_type resolve(const std::string& host, const std::string& service) const {
    std::error_code ec;
    auto r = resolve(host, service, ec);
    if (ec) throw std::system_error(ec);
    return r;
  }
  template <class Token>
  auto async_resolve(const std::string& host, const std::string& service, Token&& token) {
    return ::asio::async_initiate<Token, void(std::error_code, results_type)>(
        [this](auto&& h, std::string host, std::string service) {
          std::error_code ec;
          auto r = resolve(host, service, ec);
          auto ex = ::asio::get_associated_executor(h, ex_);
          ::asio::post(ex, [h = std::move(h), ec, r = std::move(r)]() mutable { std::move(h)(ec, std::move(r)); });
        },
        token, host, service);
  }

 private:
  executor_type ex_;
};

}  // namespace ip

// asio::async_connect over a resolver's results: tries each endpoint in turn.
template <class Results, class Token>
auto async_connect(ip::tcp::socket& s, const Results& endpoints, Token&& token) {
  return ::asio::async_initiate<Token, void(std::error_code, ip::tcp::endpoint)>(
      [&s](auto&& h, std::vector<ip::tcp::endpoint> eps) {
        using H = std::decay_t<decltype(h)>;
        struct state {
          H handler;
          ip::tcp::socket* sock;
          std::vector<ip::tcp::endpoint> eps;
          std::size_t next = 0;
          static void attempt(std::shared_ptr<state> st, std::error_code last) {
            if (st->next == st->eps.size()) {
              std::move(st->handler)(last ? last : std::error_code(::asio::error::not_found), ip::tcp::endpoint());
              return;
            }
            ip::tcp::endpoint ep = st->eps[st->next++];
            st->sock->async_connect(ep, [st, ep](std::error_code ec) {
              if (!ec) {
                std::move(st->handler)(ec, ep);
                return;
              }
              attempt(st, ec);
            });
          }
        };
        auto st = std::make_shared<state>(state{H(std::move(h)), &s, std::move(eps)});
        state::attempt(st, {});
      },
      token, std::vector<ip::tcp::endpoint>(std::begin(endpoints), std::end(endpoints)));
}

}  // namespace weft::asio
