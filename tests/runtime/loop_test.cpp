// Event loops on real loopback sockets: the loop as an executor, connections spread over
// a group, I/O resumed on the loop thread, cancellation and shutdown. Every client wait is
// bounded (with_timeout), so a bug fails a check instead of hanging the suite.
#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <weft/http/service.hpp>
#include <weft/io/loop.hpp>
#include <weft/weft.hpp>

#include "common/stream_io.hpp"

using namespace weft;
using weft::testing::read_some;
using weft::testing::write_all;
using weft::testing::kBound;

namespace {


Task<std::unique_ptr<io::Stream>> connect_to(io::Reactor& r, std::uint16_t port) {
  auto c = io::tcp_connect(r, "127.0.0.1", port);
  co_return co_await std::move(c);
}

// Echoes until the peer closes; counts the reads that resumed on a thread other than the
// stream's loop (must stay 0: readiness resumes the connection inline).
Task<void> echo(std::unique_ptr<io::Stream> s, std::atomic<int>* off_loop, std::atomic<int>* done) {
  char buf[256];
  for (;;) {
    std::size_t n = 0;
    try {
      auto rd = read_some(*s, buf);
      n = co_await std::move(rd);
    } catch (...) {
      break;
    }
    if (!s->home()->running_here()) off_loop->fetch_add(1);
    if (n == 0) break;
    auto w = write_all(*s, std::string_view(buf, n));
    co_await std::move(w);
  }
  s->close();
  done->fetch_add(1);
}

Task<void> accept_echoes(io::Listener& l, int count, std::atomic<int>* off_loop, std::atomic<int>* done,
                         std::vector<Executor*>* homes) {
  for (int i = 0; i < count; ++i) {
    auto a = l.accept();
    auto s = co_await std::move(a);
    homes->push_back(s->home());
    Executor* home = s->home();
    spawn_detached(*home, echo(std::move(s), off_loop, done));
  }
}

Task<std::string> echo_client(io::Reactor& r, std::uint16_t port, int rounds) {
  auto c = connect_to(r, port);
  auto s = co_await std::move(c);
  std::string log;
  char buf[256];
  for (int i = 0; i < rounds; ++i) {
    std::string word = "m" + std::to_string(i);
    auto w = write_all(*s, word);
    co_await std::move(w);
    std::string got;
    while (got.size() < word.size()) {
      auto rd = read_some(*s, buf);
      std::size_t n = co_await std::move(rd);
      if (n == 0) break;
      got.append(buf, n);
    }
    if (got != word) log += "bad echo " + got + ";";
  }
  s->close();
  co_return log.empty() ? "ok" : log;
}

}  // namespace

TEST_CASE("event loop: runs posted and spawned work on its own thread, from any thread", "[io][loop]") {
  io::EventLoop loop("loop");
  std::atomic<int> ran{0}, elsewhere{0};
  // Jobs from four threads at once, and tasks that spawn onto the loop from the loop.
  auto body = [](io::EventLoop& l, std::atomic<int>& r, std::atomic<int>& e) -> Task<void> {
    if (!l.running_here()) e.fetch_add(1);
    r.fetch_add(1);
    co_return;
  };
  std::vector<std::thread> posters;
  std::vector<std::vector<JoinHandle<void>>> handles(4);
  for (int t = 0; t < 4; ++t)
    posters.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) handles[t].push_back(spawn(loop, body(loop, ran, elsewhere)));
    });
  for (auto& t : posters) t.join();
  for (auto& hs : handles)
    for (auto& h : hs) h.join();
  auto nested = spawn(loop, [](io::EventLoop& l, std::atomic<int>& r, std::atomic<int>& e) -> Task<int> {
    std::vector<JoinHandle<void>> inner;
    for (int i = 0; i < 300; ++i) inner.push_back(spawn(l, [](io::EventLoop& l2, std::atomic<int>& r2,
                                                               std::atomic<int>& e2) -> Task<void> {
      if (!l2.running_here()) e2.fetch_add(1);
      r2.fetch_add(1);
      co_return;
    }(l, r, e)));
    for (auto& h : inner) co_await h;
    co_return l.running_here() ? 1 : 0;  // the awaits came back to the loop
  }(loop, ran, elsewhere));
  CHECK(nested.join() == 1);
  CHECK(ran.load() == 2300);
  CHECK(elsewhere.load() == 0);
  // Timers come back to the loop too.
  auto slept = spawn(loop, [](io::EventLoop& l) -> Task<bool> {
    co_await sleep_for(5_ms);
    co_return l.running_here();
  }(loop));
  CHECK(slept.join());
}

TEST_CASE("event loops: connections are spread over the loops and resumed on their own loop", "[io][loop]") {
  io::EventLoops loops(3, "echo-loop");
  io::EpollReactor client_reactor;
  ThreadPool clients(2, "clients");
  auto listener = io::tcp_listen(loops, 0);
  constexpr int kClients = 12;
  constexpr int kRounds = 50;
  std::atomic<int> off_loop{0}, done{0};
  std::vector<Executor*> homes;
  auto acceptor = spawn(loops[0], accept_echoes(*listener, kClients, &off_loop, &done, &homes));
  std::vector<JoinHandle<std::string>> hs;
  for (int i = 0; i < kClients; ++i) hs.push_back(spawn(clients, echo_client(client_reactor, listener->port(), kRounds)));
  for (auto& h : hs) CHECK(h.join() == "ok");
  acceptor.join();
  block_on([](std::atomic<int>& d) -> Task<void> {  // the servers see the clients' close
    for (int i = 0; i < 500 && d.load() < kClients; ++i) co_await sleep_for(10_ms);
  }(done));
  CHECK(done.load() == kClients);
  CHECK(off_loop.load() == 0);
  REQUIRE(homes.size() == std::size_t(kClients));
  for (std::uint32_t l = 0; l < loops.size(); ++l)  // round robin: 4 each
    CHECK(std::count(homes.begin(), homes.end(), static_cast<Executor*>(&loops[l])) == kClients / 3);
  listener->close();
}

TEST_CASE("event loop: a pending read is cancelled from another thread, and times out", "[io][loop]") {
  io::EventLoop loop("loop");
  io::EpollReactor client_reactor;
  auto listener = io::tcp_listen(loop, 0);
  // The client connects and says nothing; the server side reads on the loop.
  auto client = spawn(loop, connect_to(client_reactor, listener->port()));
  auto accepted = spawn(loop, [](io::Listener& l) -> Task<std::unique_ptr<io::Stream>> {
    auto a = l.accept();
    co_return co_await std::move(a);
  }(*listener));
  auto server_side = accepted.join();
  auto client_side = client.join();
  std::stop_source stop;
  auto reader = spawn(loop, [](io::Stream& s, io::EventLoop& l, std::stop_token token) -> Task<std::string> {
    std::string outcome;
    char buf[16];
    try {
      auto rd = s.read(buf, token);
      co_await std::move(rd);
      outcome += "read returned;";
    } catch (const OperationCancelled&) {
      outcome += "cancelled;";
    }
    if (!l.running_here()) outcome += "off loop;";
    try {
      auto rd = read_some(s, buf, 50_ms);
      co_await std::move(rd);
      outcome += "read returned;";
    } catch (const TimedOut&) {
      outcome += "timed out;";
    }
    if (!l.running_here()) outcome += "off loop;";
    co_return outcome;
  }(*server_side, loop, stop.get_token()));
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  request_stop(stop);
  CHECK(reader.join() == "cancelled;timed out;");
  server_side->close();
  client_side->close();
  listener->close();
}

TEST_CASE("event loops: the http service stops promptly with idle and busy keep-alive connections", "[io][loop][http]") {
  io::EventLoops loops(2, "http-loop");
  io::EpollReactor client_reactor;
  ThreadPool pool(2, "http");
  ThreadPool clients(2, "clients");
  auto listener = io::tcp_listen(loops, 0);
  http::ServiceOptions o;
  o.affinity = http::Affinity::io;
  o.db_latency = 20_ms;
  http::ServiceStats stats;
  std::stop_source stop;
  auto served = spawn(loops[0], http::serve(*listener, pool, o, stop.get_token(), &stats));
  // Six clients: each sends /hello and /db, reads both answers, then stays connected and idle.
  std::atomic<int> answered{0};
  std::vector<JoinHandle<std::string>> hs;
  for (int i = 0; i < 6; ++i)
    hs.push_back(spawn(clients, [](io::Reactor& r, std::uint16_t port, std::atomic<int>& ok) -> Task<std::string> {
      auto c = connect_to(r, port);
      auto s = co_await std::move(c);
      auto w = write_all(*s, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /db HTTP/1.1\r\nHost: x\r\n\r\n");
      co_await std::move(w);
      std::string got;
      char buf[512];
      while (got.find("\r\n\r\ndb") == std::string::npos) {
        auto rd = read_some(*s, buf);
        std::size_t n = co_await std::move(rd);
        if (n == 0) break;
        got.append(buf, n);
      }
      ok.fetch_add(1);
      // Idle until the server closes the connection at shutdown.
      for (;;) {
        auto rd = read_some(*s, buf);
        std::size_t n = 0;
        try {
          n = co_await std::move(rd);
        } catch (const io::NetError&) {
        }
        if (n == 0) break;
      }
      s->close();
      co_return got.substr(0, 15);
    }(client_reactor, listener->port(), answered)));
  block_on([](std::atomic<int>& ok) -> Task<void> {
    for (int i = 0; i < 500 && ok.load() < 6; ++i) co_await sleep_for(10_ms);
  }(answered));
  REQUIRE(answered.load() == 6);
  Nanos started = real_platform().now();
  request_stop(stop);
  served.join();
  CHECK((real_platform().now() - started) < 2_s);  // not the 30 s idle timeout
  for (auto& h : hs) CHECK(h.join() == "HTTP/1.1 200 OK");
  CHECK(stats.connections.load() == 6);
  CHECK(stats.requests.load() == 12);
  listener->close();
}
