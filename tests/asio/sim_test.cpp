// weft::asio inside the simulator: asio coroutines, strands and timers on virtual threads
// and virtual time; same seed, same trace; different seeds, different interleavings; and
// the general properties read what asio code does (tasks, blocks, lost exceptions).
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <weft/asio.hpp>
#include <weft/model/check.hpp>
#include <weft/properties/property.hpp>
#include <weft/shared.hpp>
#include <weft/asio/sim_network.hpp>
#include <weft/sim/net.hpp>
#include <weft/sim/sim.hpp>

namespace net = weft::asio;
using namespace std::chrono_literals;
using namespace weft;

namespace {

// One context per thread (a common asio layout): three single-thread pools, a coroutine
// on each sleeping and appending to a shared log through a strand. The log's order is the
// interleaving: equal deadlines wake the three threads together.
void ticker_program(std::string* out, Nanos* end_time) {
  net::thread_pool a(1), b(1), c(1);
  auto s = net::make_strand(a);
  std::string log;
  auto worker = [](net::strand<net::io_context::executor_type> s, std::string& log, char name) -> net::awaitable<void> {
    net::steady_timer t(co_await net::this_coro::executor);
    for (int i = 0; i < 3; ++i) {
      t.expires_after(std::chrono::milliseconds(10 * (i + 1)));
      co_await t.async_wait(net::use_awaitable);
      co_await net::post(s, net::use_awaitable);  // onto the strand: appends never overlap
      log += name;
      co_await net::post(co_await net::this_coro::executor, net::use_awaitable);  // and back
    }
  };
  net::co_spawn(a, worker(s, log, 'a'), net::detached);
  net::co_spawn(b, worker(s, log, 'b'), net::detached);
  net::co_spawn(c, worker(s, log, 'c'), net::detached);
  a.join();
  b.join();
  c.join();
  *out = log;
  *end_time = current_platform().now();
}

}  // namespace

TEST_CASE("an asio program in the simulator: virtual time, all interleavings of equal deadlines, replayable") {
  sim::SimPlatform sp;
  std::set<std::string> logs;
  std::set<std::uint64_t> hashes;
  for (std::uint64_t seed = 0; seed < 1000; ++seed) {
    std::string log;
    Nanos end = 0;
    sim::RandomSource a(seed), b(seed);
    auto r1 = sp.run([&] { ticker_program(&log, &end); }, a);
    REQUIRE(r1.outcome == sim::Outcome::completed);
    std::string log2;
    Nanos end2 = 0;
    auto r2 = sp.run([&] { ticker_program(&log2, &end2); }, b);
    REQUIRE(r1.trace_hash == r2.trace_hash);  // same seed, same trace
    REQUIRE(log == log2);
    REQUIRE(log.size() == 9);
    CHECK(end == 60_ms);  // 10 + 20 + 30 ms of virtual time
    logs.insert(log);
    hashes.insert(r1.trace_hash);
  }
  INFO("distinct logs over 1000 seeds: " << logs.size());
  CHECK(logs.size() >= 20);  // the three workers' equal deadlines are explored in many orders
  CHECK(hashes.size() >= logs.size());
}

TEST_CASE("co_spawned coroutines are tasks in the trace: spawn site, completion, the exception of a detached one") {
  model::ExploreOptions o;
  o.name = "asio-detached";
  o.iterations = 50;
  auto report = weft::check(o, [] {
    net::io_context ctx;
    net::co_spawn(
        ctx, []() -> net::awaitable<void> {
          net::steady_timer t(co_await net::this_coro::executor, 5ms);
          co_await t.async_wait(net::use_awaitable);
          throw std::runtime_error("refresh failed");
        },
        net::detached);
    ctx.run();
  });
  REQUIRE(report.findings.size() == 1);
  CHECK(report.findings[0].violation.kind == ViolationKind::lost_exception);
  CHECK(report.findings[0].violation.message.find("refresh failed") != std::string::npos);
  CHECK(report.findings[0].violation.message.find("sim_test.cpp") != std::string::npos);  // the co_spawn site
}

TEST_CASE("use_future().get() inside a handler of a one-thread context is a deadlock with its cycle") {
  model::ExploreOptions o;
  o.name = "asio-future";
  o.iterations = 20;
  auto report = weft::check(o, [] {
    net::io_context ctx;
    net::post(ctx, [&ctx] {
      auto f = net::co_spawn(ctx, []() -> net::awaitable<int> { co_return 42; }, net::use_future);
      (void)f.get();
    });
    ctx.run();
  });
  REQUIRE(!report.findings.empty());
  const auto& v = report.findings[0].violation;
  INFO(v.message);
  INFO(report.findings[0].trace.dump());
  CHECK(v.kind == ViolationKind::deadlock);
  CHECK(v.message.find("queued on io_context") != std::string::npos);
}

// asio's scheduler has one FIFO queue: a handler's own posts join its back, behind every
// handler queued before them (threads that run() the context all take from its head). A
// pool worker's private queue, served first, would run the continuation before them.
TEST_CASE("an io_context of several threads queues handlers as asio does: one FIFO, a handler's posts at its back") {
  sim::SimPlatform sp;
  for (std::uint64_t seed = 0; seed < 300; ++seed) {
    INFO("seed " << seed);
    std::vector<char> started;
    sim::RandomSource rs(seed);
    auto r = sp.run(
        [&] {
          net::io_context ctx(2);
          net::post(ctx, [&] {
            started.push_back('a');
            net::post(ctx, [&] { started.push_back('z'); });  // queued behind b, c and d
          });
          for (char c : {'b', 'c', 'd'}) net::post(ctx, [&started, c] { started.push_back(c); });
          ctx.run();
        },
        rs);
    REQUIRE(r.outcome == sim::Outcome::completed);
    REQUIRE(started.size() == 5);
    // z is taken after b, c and d; the thread that takes it started its previous handler,
    // the other may hold one handler it took and has not started: three start before z.
    auto z = std::find(started.begin(), started.end(), 'z') - started.begin();
    CHECK(z >= 3);
  }
}

namespace {
// K logins, each in two steps with a post between (reserve a slot; fill it), and an auditor
// that takes one snapshot. On asio's FIFO queue the auditor, queued behind the logins and
// in front of their continuations, can see every login half-done (real asio with three
// threads does, nearly every run); a twin whose logins are one step never shows it.
void logins_program(int k, bool one_step) {
  net::io_context ctx(3);
  Shared<int> reserved{0, "reserved"}, filled{0, "filled"};
  auto login = [&](bool atomic) -> net::awaitable<void> {
    reserved.store(reserved.load() + 1);
    if (!atomic) co_await net::post(co_await net::this_coro::executor, net::use_awaitable);
    filled.store(filled.load() + 1);
  };
  auto audit = [&]() -> net::awaitable<void> {
    weft::invariant("not every login caught half-done", !(reserved.load() == k && filled.load() == 0));
    co_return;
  };
  for (int i = 0; i < k; ++i) net::co_spawn(ctx, login(one_step), net::detached);
  net::co_spawn(ctx, audit(), net::detached);
  ctx.run();
}
}  // namespace

TEST_CASE("a snapshot between the two steps of every handler chain is reachable, as on asio") {
  for (std::uint64_t seed = 0; seed < 5; ++seed) {
    INFO("seed " << seed);
    model::ExploreOptions o;
    o.name = "asio-logins";
    o.seed = seed;
    o.iterations = 200;
    o.shrink = false;
    auto bug = model::explore(o, [] { logins_program(4, false); });
    REQUIRE(bug.executions_to_first_bug.has_value());
    CHECK(bug.findings.front().violation.kind == ViolationKind::invariant);
  }
  model::ExploreOptions o;
  o.name = "asio-logins-twin";
  o.iterations = 1000;
  auto twin = model::explore(o, [] { logins_program(4, true); });
  CHECK(twin.findings.empty());
}

namespace {
// The two checks below that turn a simulator option on: an exploration without shrinking,
// and the finding it must make (an invariant, within `within` executions).
model::ExploreOptions unshrunk(const char* name, std::uint64_t iterations) {
  model::ExploreOptions o;
  o.name = name;
  o.iterations = iterations;
  o.shrink = false;
  return o;
}
void check_invariant_within(const model::ExploreReport& found, std::uint64_t within) {
  REQUIRE_FALSE(found.findings.empty());
  CHECK(found.findings.front().violation.kind == ViolationKind::invariant);
  CHECK(*found.executions_to_first_bug <= within);
}
}  // namespace

namespace {
// asio's cancel() does not abort a wait whose timer already expired: its handler is queued
// with success. A reply (a timer, standing in for a read) cancels the request's deadline,
// due 1 us later; the deadline's handler takes success for a timeout. Real asio, one thread:
// the reactor wakes late, finds both expired and queues both handlers, the reply's first:
// replied and timed out in every run. On exact virtual time the reply always cancels first.
void deadline_race(bool fixed) {
  net::io_context ctx;
  net::steady_timer deadline(ctx), reply(ctx);
  Shared<int> replied{0, "replied"}, timed_out{0, "timed_out"};
  deadline.expires_after(std::chrono::microseconds(10001));
  reply.expires_after(std::chrono::milliseconds(10));
  deadline.async_wait([&](std::error_code ec) {
    if (ec) return;                           // cancelled in time
    if (fixed && replied.load()) return;      // the reply won: not a timeout
    timed_out.store(1);
  });
  reply.async_wait([&](std::error_code) {
    if (timed_out.load()) return;             // too late
    replied.store(1);
    deadline.cancel();
  });
  ctx.run();
  weft::invariant("a replied request is never also timed out", !(replied.load() && timed_out.load()));
}
}  // namespace

TEST_CASE("a timer cancelled after it expired still completes with success once the clock may wake late") {
  model::ExploreOptions o = unshrunk("asio-deadline", 500);
  auto exact = model::explore(o, [] { deadline_race(false); });
  CHECK(exact.findings.empty());
  o.sim.wakeup_lateness = 1'000'000;  // 1 ms
  auto late = model::explore(o, [] { deadline_race(false); });
  check_invariant_within(late, 20);
  auto twin = model::explore(o, [] { deadline_race(true); });
  CHECK(twin.findings.empty());
}

namespace {
// A client that sends `writes` (one async_write each) and a server that runs `serve` on
// the accepted socket, over a simulated network with `options`. The lambdas live on this
// frame while ctx.run() runs them.
template <class Serve>
void asio_client_server(sim::NetOptions options, std::vector<std::string> writes, Serve serve) {
  sim::Network wire(options);
  net::io_context ctx;
  net::use_network(ctx, net::simulated_network(wire));
  net::ip::tcp::acceptor acceptor(ctx, net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), 7000));
  auto to = acceptor.local_endpoint();
  net::co_spawn(ctx, [&]() -> net::awaitable<void> {
    auto s = co_await acceptor.async_accept(net::use_awaitable);
    co_await serve(s);
  }, net::detached);
  net::co_spawn(ctx, [&]() -> net::awaitable<void> {
    net::ip::tcp::socket s(co_await net::this_coro::executor);
    co_await s.async_connect(to, net::use_awaitable);
    for (const std::string& w : writes) co_await net::async_write(s, net::buffer(w), net::use_awaitable);
  }, net::detached);
  ctx.run();
}

// A server that takes one async_read_some for one message, over the simulated network.
void read_once_program(sim::NetOptions options, bool until_newline) {
  std::string got;
  asio_client_server(options, {"PING 42\n"}, [&](net::ip::tcp::socket& s) -> net::awaitable<void> {
    if (until_newline) {
      co_await net::async_read_until(s, net::dynamic_buffer(got), '\n', net::use_awaitable);
    } else {
      char buf[64];
      std::size_t n = co_await s.async_read_some(net::buffer(buf), net::use_awaitable);
      got.assign(buf, n);
    }
  });
  weft::invariant("the server read the whole message", got == "PING 42\n");
}

// The mirror: one async_read_some taken for one command while the client writes two, the
// server busy (a 1 ms timer) before it reads. The twin counts the newlines it read.
void two_commands_program(sim::NetOptions options, bool count_lines) {
  int commands = 0;
  asio_client_server(options, {"PING 1\n", "PING 2\n"}, [&](net::ip::tcp::socket& s) -> net::awaitable<void> {
    net::steady_timer busy(co_await net::this_coro::executor, std::chrono::milliseconds(1));
    co_await busy.async_wait(net::use_awaitable);
    char buf[64];
    try {
      for (;;) {
        std::size_t n = co_await s.async_read_some(net::buffer(buf), net::use_awaitable);
        commands += count_lines ? int(std::count(buf, buf + n, '\n')) : 1;
      }
    } catch (const std::system_error&) {  // end of stream: the client closed
    }
  });
  weft::invariant("the server saw both commands", commands == 2);
}

// A framing bug `on` exposes: clean without it (300 executions), an invariant within 10
// with it, the twin clean with it.
void check_framing_bug(const char* name, void (*program)(sim::NetOptions, bool twin), sim::NetOptions on) {
  model::ExploreOptions o = unshrunk(name, 300);
  auto off = model::explore(o, [&] { program({}, false); });
  INFO(off.summary);
  CHECK(off.findings.empty());
  auto found = model::explore(o, [&] { program(on, false); });
  check_invariant_within(found, 10);
  auto twin = model::explore(o, [&] { program(on, true); });
  INFO(twin.summary);
  CHECK(twin.findings.empty());
}
}  // namespace

TEST_CASE("async_read_some over the simulated network may return part of a write once short reads are on") {
  sim::NetOptions pieces;
  pieces.short_read_per_million = 500'000;
  check_framing_bug("asio-read-once", read_once_program, pieces);
}

TEST_CASE("async_read_some over the simulated network may return two writes at once once coalescing is on") {
  sim::NetOptions together;
  together.coalesce_per_million = 500'000;
  check_framing_bug("asio-two-commands", two_commands_program, together);
}
