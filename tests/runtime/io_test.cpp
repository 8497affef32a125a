// The epoll backend and the HTTP service on real loopback sockets. Every wait is bounded
// (with_timeout) so a bug fails a check instead of hanging the suite.
#include <catch2/catch.hpp>

#include <cerrno>
#include <string>

#include <weft/io/epoll.hpp>
#include <weft/io/loop.hpp>
#include <weft/weft.hpp>

#include "common/stream_io.hpp"

#include <weft/http/service.hpp>

using namespace weft;
using weft::testing::read_some;
using weft::testing::write_all;
using weft::testing::kBound;

namespace {


struct Reply {
  int status = 0;  // 0: the connection closed before a whole response
  std::string body;
  bool connection_close = false;
};

// Reads one response; `buf` keeps bytes of the next one.
Task<Reply> read_reply(io::Stream& s, std::string& buf, Nanos timeout = kBound) {
  char tmp[4096];
  for (;;) {
    auto end = buf.find("\r\n\r\n");
    if (end != std::string::npos) {
      Reply r;
      r.status = std::stoi(buf.substr(9, 3));
      std::string head = buf.substr(0, end);
      r.connection_close = head.find("Connection: close") != std::string::npos;
      std::size_t length = 0;
      auto cl = head.find("Content-Length: ");
      if (cl != std::string::npos) length = std::stoul(head.substr(cl + 16));
      while (buf.size() < end + 4 + length) {
        auto rd = read_some(s, tmp, timeout);
        std::size_t n = co_await std::move(rd);
        if (n == 0) co_return Reply{};
        buf.append(tmp, n);
      }
      r.body = buf.substr(end + 4, length);
      buf.erase(0, end + 4 + length);
      co_return r;
    }
    auto rd = read_some(s, tmp, timeout);
    std::size_t n = co_await std::move(rd);
    if (n == 0) co_return Reply{};
    buf.append(tmp, n);
  }
}

// Reads until the peer closes; true if it did within the bound.
Task<bool> closed_by_peer(io::Stream& s) {
  char tmp[256];
  for (;;) {
    std::size_t n = 0;
    try {
      auto rd = read_some(s, tmp);
      n = co_await std::move(rd);
    } catch (const io::NetError&) {
      co_return true;  // reset counts as closed
    }
    if (n == 0) co_return true;
  }
}

// Where the service's connections live: behind one reactor thread, or on event loops.
enum class Backend { reactor, loops };

// A running service on an ephemeral port; stops and joins everything on destruction.
// Clients connect through `reactor` either way.
struct Service {
  explicit Service(http::ServiceOptions o = {}, Backend b = Backend::reactor) : options(o) {
    if (b == Backend::loops) {
      loops = std::make_unique<io::EventLoops>(2, "http-loop");
      listener = io::tcp_listen(*loops, 0);
    } else {
      listener = io::tcp_listen(reactor, 0);
    }
    Executor& acceptor = loops ? static_cast<Executor&>((*loops)[0]) : pool;
    served = spawn(acceptor, http::serve(*listener, pool, options, stop.get_token(), &stats));
  }
  ~Service() {
    request_stop(stop);
    served.join();
    listener->close();
  }
  std::uint16_t port() const { return listener->port(); }

  io::EpollReactor reactor;
  std::unique_ptr<io::EventLoops> loops;
  ThreadPool pool{2, "http"};
  http::ServiceOptions options;
  http::ServiceStats stats;
  std::stop_source stop;
  std::unique_ptr<io::Listener> listener;
  JoinHandle<void> served;
};

Task<std::unique_ptr<io::Stream>> connect_to(io::EpollReactor& r, std::uint16_t port) {
  auto c = io::tcp_connect(r, "127.0.0.1", port);
  co_return co_await std::move(c);
}

}  // namespace

TEST_CASE("epoll: echo over loopback, several rounds on one connection", "[io]") {
  io::EpollReactor reactor;
  ThreadPool pool(2, "io-test");
  auto listener = io::tcp_listen(reactor, 0);
  REQUIRE(listener->port() != 0);
  auto server = spawn(pool, [](io::Listener& l) -> Task<int> {
    auto a = l.accept();
    auto s = co_await std::move(a);
    char buf[64];
    int echoed = 0;
    for (;;) {
      auto rd = read_some(*s, buf);
      std::size_t n = co_await std::move(rd);
      if (n == 0) break;
      auto w = write_all(*s, std::string_view(buf, n));
      co_await std::move(w);
      echoed += int(n);
    }
    s->close();
    co_return echoed;
  }(*listener));
  auto client = spawn(pool, [](io::EpollReactor& r, std::uint16_t port) -> Task<std::string> {
    auto c = connect_to(r, port);
    auto s = co_await std::move(c);
    std::string got;
    for (std::string word : {"alpha", "beta", "gamma"}) {
      auto w = write_all(*s, word);
      co_await std::move(w);
      std::string reply;
      char buf[64];
      while (reply.size() < word.size()) {
        auto rd = read_some(*s, buf);
        std::size_t n = co_await std::move(rd);
        if (n == 0) break;
        reply.append(buf, n);
      }
      got += reply + ";";
    }
    s->close();
    co_return got;
  }(reactor, listener->port()));
  CHECK(client.join() == "alpha;beta;gamma;");
  CHECK(server.join() == 14);
  listener->close();
}

TEST_CASE("epoll: connecting to a closed port is refused with ECONNREFUSED", "[io]") {
  io::EpollReactor reactor;
  ThreadPool pool(1, "io-test");
  auto listener = io::tcp_listen(reactor, 0);
  auto port = listener->port();
  listener->close();
  auto h = spawn(pool, [](io::EpollReactor& r, std::uint16_t p) -> Task<int> {
    try {
      auto c = connect_to(r, p);
      auto s = co_await std::move(c);
    } catch (const io::NetError& e) {
      co_return e.code();
    }
    co_return 0;
  }(reactor, port));
  CHECK(h.join() == ECONNREFUSED);
}

TEST_CASE("epoll: a pending read is cancelled by its stop token, and a read times out", "[io]") {
  io::EpollReactor reactor;
  ThreadPool pool(2, "io-test");
  auto listener = io::tcp_listen(reactor, 0);
  // The server accepts and then says nothing until the client is done.
  Event client_done;
  auto server = spawn(pool, [](io::Listener& l, Event& done) -> Task<void> {
    auto a = l.accept();
    auto s = co_await std::move(a);
    co_await done.wait();
    s->close();
  }(*listener, client_done));
  std::stop_source stop;
  auto client = spawn(pool, [](io::EpollReactor& r, std::uint16_t port, std::stop_token token) -> Task<std::string> {
    auto c = connect_to(r, port);
    auto s = co_await std::move(c);
    std::string outcome;
    char buf[16];
    Nanos started = current_platform().now();
    try {
      auto rd = s->read(buf, token);  // stopped by the test thread after ~50 ms
      co_await std::move(rd);
      outcome += "read returned;";
    } catch (const OperationCancelled&) {
      outcome += "cancelled;";
    }
    Nanos cancel_ms = (current_platform().now() - started) / 1_ms;
    if (cancel_ms > 2000) outcome += "slow cancel;";
    try {
      auto rd = read_some(*s, buf, 100_ms);
      co_await std::move(rd);
      outcome += "read returned;";
    } catch (const TimedOut&) {
      outcome += "timed out;";
    }
    // The stream still works after both: a write goes through.
    auto w = write_all(*s, "x");
    co_await std::move(w);
    s->close();
    co_return outcome;
  }(reactor, listener->port(), stop.get_token()));
  block_on([]() -> Task<void> { co_await sleep_for(50_ms); }());
  request_stop(stop);
  CHECK(client.join() == "cancelled;timed out;");
  client_done.set();
  server.join();
  listener->close();
}

TEST_CASE("http service: GET with keep-alive serves several requests on one connection", "[io][http]") {
  http::ServiceOptions o;
  o.db_latency = 5_ms;
  o.affinity = GENERATE(http::Affinity::pool, http::Affinity::io);
  o.handlers = GENERATE(http::Handlers::async, http::Handlers::blocking);
  auto backend = GENERATE(Backend::reactor, Backend::loops);
  Service svc(o, backend);
  ThreadPool clients(1, "clients");
  auto h = spawn(clients, [](io::EpollReactor& r, std::uint16_t port) -> Task<std::string> {
    auto c = connect_to(r, port);
    auto s = co_await std::move(c);
    std::string buf, log;
    const char* targets[] = {"/hello", "/db", "/hello", "/nope", "/db"};
    for (const char* t : targets) {
      std::string req = std::string("GET ") + t + " HTTP/1.1\r\nHost: x\r\n\r\n";
      auto w = write_all(*s, req);
      co_await std::move(w);
      auto rr = read_reply(*s, buf);
      Reply reply = co_await std::move(rr);
      log += std::to_string(reply.status) + ":" + reply.body + (reply.connection_close ? "(close)" : "") + ";";
    }
    // Two pipelined requests in one write, the last one asking to close.
    auto w = write_all(*s, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    co_await std::move(w);
    for (int i = 0; i < 2; ++i) {
      auto rr = read_reply(*s, buf);
      Reply reply = co_await std::move(rr);
      log += std::to_string(reply.status) + (reply.connection_close ? "(close)" : "") + ";";
    }
    auto cl = closed_by_peer(*s);
    bool closed = co_await std::move(cl);
    log += closed ? "eof" : "open";
    s->close();
    co_return log;
  }(svc.reactor, svc.port()));
  CHECK(h.join() == "200:hello;200:db;200:hello;404:not found\n;200:db;200;200(close);eof");
  CHECK(svc.stats.connections.load() == 1);
  CHECK(svc.stats.requests.load() == 7);
}

TEST_CASE("http service: blocking handlers answer the same", "[io][http]") {
  http::ServiceOptions o;
  o.handlers = http::Handlers::blocking;
  o.db_latency = 5_ms;
  o.affinity = GENERATE(http::Affinity::pool, http::Affinity::io);
  Service svc(o, GENERATE(Backend::reactor, Backend::loops));
  ThreadPool clients(1, "clients");
  auto h = spawn(clients, [](io::EpollReactor& r, std::uint16_t port) -> Task<int> {
    auto c = connect_to(r, port);
    auto s = co_await std::move(c);
    std::string buf;
    auto w = write_all(*s, "GET /db HTTP/1.1\r\nHost: x\r\n\r\n");
    co_await std::move(w);
    auto rr = read_reply(*s, buf);
    Reply reply = co_await std::move(rr);
    s->close();
    co_return reply.status;
  }(svc.reactor, svc.port()));
  CHECK(h.join() == 200);
}

TEST_CASE("http service: a malformed request gets 400 and the server keeps serving others", "[io][http]") {
  http::ServiceOptions o;
  o.affinity = http::Affinity::io;
  Service svc(o, GENERATE(Backend::reactor, Backend::loops));
  ThreadPool clients(1, "clients");
  auto bad = spawn(clients, [](io::EpollReactor& r, std::uint16_t port) -> Task<std::string> {
    auto c = connect_to(r, port);
    auto s = co_await std::move(c);
    std::string buf;
    auto w = write_all(*s, "GARBAGE\x01\x02 / HTTP/1.1\r\n\r\n");
    co_await std::move(w);
    auto rr = read_reply(*s, buf);
    Reply reply = co_await std::move(rr);
    auto cl = closed_by_peer(*s);
    bool closed = co_await std::move(cl);
    s->close();
    co_return std::to_string(reply.status) + (reply.connection_close ? " close" : "") + (closed ? " eof" : "");
  }(svc.reactor, svc.port()));
  CHECK(bad.join() == "400 close eof");
  auto good = spawn(clients, [](io::EpollReactor& r, std::uint16_t port) -> Task<std::string> {
    auto c = connect_to(r, port);
    auto s = co_await std::move(c);
    std::string buf;
    auto w = write_all(*s, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    co_await std::move(w);
    auto rr = read_reply(*s, buf);
    Reply reply = co_await std::move(rr);
    s->close();
    co_return std::to_string(reply.status) + ":" + reply.body;
  }(svc.reactor, svc.port()));
  CHECK(good.join() == "200:hello");
  CHECK(svc.stats.rejected.load() == 1);
}

TEST_CASE("http service: oversized headers get 431", "[io][http]") {
  http::ServiceOptions o;
  o.affinity = http::Affinity::io;
  Service svc(o, GENERATE(Backend::reactor, Backend::loops));
  ThreadPool clients(1, "clients");
  auto h = spawn(clients, [](io::EpollReactor& r, std::uint16_t port) -> Task<int> {
    auto c = connect_to(r, port);
    auto s = co_await std::move(c);
    std::string req = "GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(10000, 'a') + "\r\n\r\n";
    std::string buf;
    int status = 0;
    try {
      auto w = write_all(*s, req);
      co_await std::move(w);
    } catch (const io::NetError&) {
      // the server may close while the rest is still being sent
    }
    auto rr = read_reply(*s, buf);
    Reply reply = co_await std::move(rr);
    status = reply.status;
    s->close();
    co_return status;
  }(svc.reactor, svc.port()));
  CHECK(h.join() == 431);
}

TEST_CASE("http service: a client dribbling bytes gets 408 while another is served", "[io][http]") {
  http::ServiceOptions o;
  o.affinity = GENERATE(http::Affinity::pool, http::Affinity::io);
  o.request_timeout = 300_ms;
  auto backend = GENERATE(Backend::reactor, Backend::loops);
  Service svc(o, backend);
  ThreadPool clients(2, "clients");
  auto slow = spawn(clients, [](io::EpollReactor& r, std::uint16_t port) -> Task<std::string> {
    auto c = connect_to(r, port);
    auto s = co_await std::move(c);
    std::string request = "GET /hello HTTP/1.1\r\nHost: x\r\nX-Slow: " + std::string(200, 'z') + "\r\n\r\n";
    std::string got;
    char buf[512];
    // One byte every 20 ms, never finishing within 300 ms; listen between bytes.
    for (std::size_t i = 0; i < request.size(); ++i) {
      try {
        auto w = write_all(*s, std::string_view(request).substr(i, 1));
        co_await std::move(w);
      } catch (const io::NetError&) {
        break;
      }
      std::size_t n = 0;
      try {
        auto rd = read_some(*s, buf, 20_ms);
        n = co_await std::move(rd);
      } catch (const TimedOut&) {
        continue;
      } catch (const io::NetError&) {
        break;
      }
      if (n == 0) break;
      got.append(buf, n);
      break;
    }
    s->close();
    co_return got.substr(0, 12);
  }(svc.reactor, svc.port()));
  auto fast = spawn(clients, [](io::EpollReactor& r, std::uint16_t port) -> Task<std::string> {
    co_await sleep_for(50_ms);  // while the slow client is dribbling
    auto c = connect_to(r, port);
    auto s = co_await std::move(c);
    std::string buf, log;
    for (int i = 0; i < 3; ++i) {
      auto w = write_all(*s, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
      co_await std::move(w);
      auto rr = read_reply(*s, buf);
      Reply reply = co_await std::move(rr);
      log += std::to_string(reply.status) + ";";
    }
    s->close();
    co_return log;
  }(svc.reactor, svc.port()));
  CHECK(fast.join() == "200;200;200;");
  CHECK(slow.join() == "HTTP/1.1 408");
  CHECK(svc.stats.timed_out.load() == 1);
}

TEST_CASE("http service: a client that pipelines and never reads is closed after the write timeout", "[io][http]") {
  http::ServiceOptions o;
  o.affinity = GENERATE(http::Affinity::pool, http::Affinity::io);
  o.write_timeout = 200_ms;
  auto backend = GENERATE(Backend::reactor, Backend::loops);
  Service svc(o, backend);
  ThreadPool clients(2, "clients");
  // Requests by the thousand, answers never read: the service's writes stall once the
  // socket buffers are full. Our own writes stall too then; each is bounded.
  auto greedy = spawn(clients, [](io::EpollReactor& r, std::uint16_t port, http::ServiceStats& stats) -> Task<int> {
    auto c = connect_to(r, port);
    auto s = co_await std::move(c);
    std::string burst;
    for (int i = 0; i < 2000; ++i) burst += "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n";
    int bursts = 0;
    io::Stream* p = s.get();
    for (; bursts < 200; ++bursts) {
      try {
        std::string_view view(burst);
        auto w = io::with_timeout(500_ms, {}, [p, view](std::stop_token t) { return p->write(view, std::move(t)); });
        co_await std::move(w);
      } catch (...) {
        break;  // stalled (the service stopped reading) or reset (it closed)
      }
    }
    // Still not reading: the service must give up on its side by itself (it may still be
    // working through what it received; the bound is for a loaded machine).
    for (int i = 0; i < 200 && stats.timed_out.load() == 0; ++i) co_await sleep_for(50_ms);
    s->close();
    co_return bursts;
  }(svc.reactor, svc.port(), svc.stats));
  int bursts = greedy.join();
  CHECK(bursts > 0);
  CHECK(svc.stats.timed_out.load() == 1);
  // The service goes on serving others.
  auto polite = spawn(clients, [](io::EpollReactor& r, std::uint16_t port) -> Task<int> {
    auto c = connect_to(r, port);
    auto s = co_await std::move(c);
    auto w = write_all(*s, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    co_await std::move(w);
    std::string buf;
    auto rr = read_reply(*s, buf);
    Reply reply = co_await std::move(rr);
    s->close();
    co_return reply.status;
  }(svc.reactor, svc.port()));
  CHECK(polite.join() == 200);
}
