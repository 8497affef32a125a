// Sockets beyond 127.0.0.1: the HTTP service listening on ::1 and on 127.0.0.1 (one port),
// clients connecting by name (`localhost`, resolved on the blocking pool) and by literal.
#include <catch2/catch.hpp>

#include <string>

#include <weft/http/service.hpp>
#include <weft/io/epoll.hpp>
#include <weft/io/loop.hpp>
#include <weft/weft.hpp>

#include "common/stream_io.hpp"

using namespace weft;
using weft::testing::kBound;
using weft::testing::read_some;
using weft::testing::write_all;

namespace {
// GET /hello over a fresh connection to host:port; the whole response.
Task<std::string> get_hello(io::EpollReactor& r, std::string host, std::uint16_t port) {
  auto c = io::tcp_connect(r, std::move(host), port, io::ConnectOptions{.timeout = kBound});
  auto s = co_await std::move(c);
  auto w = write_all(*s, "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  co_await std::move(w);
  std::string out;
  char buf[1024];
  for (;;) {
    auto rd = read_some(*s, buf);
    std::size_t n = co_await std::move(rd);
    if (n == 0) break;
    out.append(buf, n);
  }
  s->close();
  co_return out;
}
}  // namespace

TEST_CASE("http on ::1 and 127.0.0.1, a client connecting to localhost", "[io][ipv6]") {
  io::EpollReactor reactor;
  io::EventLoops loops(2, "dual-loop");
  ThreadPool pool(2, "http");
  std::unique_ptr<io::Listener> v6;
  try {
    v6 = io::tcp_listen(loops, "::1", 0);
  } catch (const io::NetError& e) {
    WARN("skipped: this machine has no IPv6 loopback (" << e.what() << ")");
    return;
  }
  auto v4 = io::tcp_listen(loops, "127.0.0.1", v6->port());  // the same port on both families
  REQUIRE(v4->port() == v6->port());
  http::ServiceOptions options;  // outlives the services (they keep a reference)
  http::ServiceStats stats;
  std::stop_source stop;
  auto serve6 = spawn(loops[0], http::serve(*v6, pool, options, stop.get_token(), &stats));
  auto serve4 = spawn(loops[1], http::serve(*v4, pool, options, stop.get_token(), &stats));
  for (const char* host : {"localhost", "::1", "[::1]", "127.0.0.1"}) {
    INFO(host);
    std::string reply = spawn(pool, get_hello(reactor, host, v6->port())).join();
    CHECK(reply.starts_with("HTTP/1.1 200"));
    CHECK(reply.ends_with("hello"));
  }
  CHECK(stats.requests == 4);
  auto names = block_on(io::resolve(io::default_resolver(), "localhost"));
  CHECK(!names.empty());
  request_stop(stop);
  serve6.join();
  serve4.join();
  v6->close();
  v4->close();
}

TEST_CASE("sockets: bad addresses, unknown names, SO_REUSEPORT", "[io]") {
  io::EpollReactor reactor;
  CHECK_THROWS_AS(io::tcp_listen(reactor, "not-an-address", 0), io::NetError);
  auto a = io::tcp_listen(reactor, "127.0.0.1", 0, io::ListenOptions{.reuse_port = true});
  auto b = io::tcp_listen(reactor, "127.0.0.1", a->port(), io::ListenOptions{.reuse_port = true});
  CHECK(b->port() == a->port());
  CHECK_THROWS_AS(io::tcp_listen(reactor, "127.0.0.1", a->port()), io::NetError);  // without the option
  CHECK_THROWS_AS(block_on(io::resolve(io::default_resolver(), "no-such-host.invalid")), io::NetError);
  a->close();
  b->close();
}
