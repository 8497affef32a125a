// weft::asio inside the simulator: asio coroutines, strands and timers on virtual threads
// and virtual time; same seed, same trace; different seeds, different interleavings; and
// the general properties read what asio code does (tasks, blocks, lost exceptions).
#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

#include <weft/asio.hpp>
#include <weft/model/check.hpp>
#include <weft/properties/property.hpp>
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
