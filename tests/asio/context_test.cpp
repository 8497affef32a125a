// weft::asio on real threads: the executor satisfies asio's concepts, and asio's own
// co_spawn, post, dispatch, awaitable, work guards, strands and timers run on it.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <weft/asio.hpp>

namespace net = weft::asio;
using namespace std::chrono_literals;

static_assert(asio::execution::is_executor<net::io_context::executor_type>::value);
static_assert(asio::execution::is_executor<net::strand<net::io_context::executor_type>>::value);
static_assert(std::is_convertible_v<net::io_context::executor_type, asio::any_io_executor>);
static_assert(std::is_convertible_v<net::strand<net::io_context::executor_type>, asio::any_io_executor>);

TEST_CASE("post runs handlers only once the context runs, and run returns when the work is done") {
  net::io_context ctx;
  std::vector<int> order;
  for (int i = 0; i < 5; ++i) net::post(ctx, [&order, i] { order.push_back(i); });
  CHECK(order.empty());  // nobody runs the context yet: held, as asio holds them
  CHECK(ctx.run() == 5);
  CHECK(order == std::vector<int>{0, 1, 2, 3, 4});
  CHECK(ctx.run() == 0);  // no work: returns at once
}

TEST_CASE("executors compare equal per context, and a work guard keeps run() going until reset") {
  net::io_context a, b;
  CHECK(a.get_executor() == a.get_executor());
  CHECK(a.get_executor() != b.get_executor());
  asio::any_io_executor any = a.get_executor();
  CHECK(any == asio::any_io_executor(a.get_executor()));
  auto guard = net::make_work_guard(a);
  std::atomic<int> n{0};
  net::thread_pool helper(1);
  net::post(helper, [&] {
    net::post(a, [&] { ++n; });
    net::post(a, [&guard] { guard.reset(); });
  });
  a.run();
  CHECK(n == 1);
  helper.join();
}

TEST_CASE("co_spawn with use_awaitable, this_coro::executor, and a value back through use_future") {
  net::io_context ctx;
  auto add = [](int x, int y) -> net::awaitable<int> {
    auto ex = co_await net::this_coro::executor;
    co_await net::post(ex, net::use_awaitable);
    co_return x + y;
  };
  auto outer = [add]() -> net::awaitable<int> {
    int a = co_await add(1, 2);
    int b = co_await add(a, 10);
    co_return b;
  };
  auto fut = net::co_spawn(ctx, outer(), net::use_future);
  ctx.run();
  CHECK(fut.get() == 13);
}

TEST_CASE("an exception escaping a handler comes out of run(), and the context can run again") {
  net::io_context ctx;
  net::post(ctx, [] { throw std::runtime_error("boom"); });
  CHECK_THROWS_WITH(ctx.run(), "boom");
  int after = 0;
  net::post(ctx, [&] { ++after; });
  ctx.run();
  CHECK(after == 1);
}

TEST_CASE("stop() ends run() and holds queued handlers until restart() and run()") {
  net::io_context ctx;
  int ran = 0;
  net::post(ctx, [&] {
    ++ran;
    ctx.stop();
  });
  ctx.run();
  net::post(ctx, [&] { ++ran; });
  CHECK(ctx.stopped());
  CHECK(ctx.run() == 0);
  CHECK(ran == 1);
  ctx.restart();
  ctx.run();
  CHECK(ran == 2);
}

TEST_CASE("a one-thread context runs its handlers on the thread that calls run(), run_one(), poll(), poll_one()") {
  net::io_context ctx;
  auto ex = ctx.get_executor();
  std::vector<int> order;
  int elsewhere = 0;
  auto record = [&](int i) {
    return [&, i] {
      if (!ex.running_in_this_thread()) ++elsewhere;
      order.push_back(i);
      if (i == 1) net::post(ctx, [&] { order.push_back(9); });  // ready during poll(): runs in it
    };
  };
  for (int i = 0; i < 4; ++i) net::post(ctx, record(i));
  CHECK_FALSE(ex.running_in_this_thread());
  CHECK(ctx.poll_one() == 1);
  CHECK(order == std::vector<int>{0});
  CHECK(ctx.run_one() == 1);
  CHECK(ctx.poll() == 3);
  CHECK(order == std::vector<int>{0, 1, 2, 3, 9});
  CHECK(elsewhere == 0);
  CHECK(ctx.poll() == 0);
  // run_one() waits for a handler that is not ready yet (a timer's), poll_one() does not.
  net::steady_timer t(ctx, 200ms);  // long enough not to expire before poll_one() on a busy machine
  bool fired = false;
  t.async_wait([&](std::error_code ec) { fired = !ec && ex.running_in_this_thread(); });
  CHECK(ctx.poll_one() == 0);
  CHECK(ctx.run_one() == 1);
  CHECK(fired);
  CHECK(ctx.run() == 0);
}

TEST_CASE("several threads may run a one-thread context together, each handler runs once") {
  net::io_context ctx;
  auto guard = net::make_work_guard(ctx);
  std::atomic<int> ran{0};
  std::atomic<std::size_t> counted{0};
  std::vector<std::thread> runners;
  for (int i = 0; i < 3; ++i) runners.emplace_back([&] { counted += ctx.run(); });
  constexpr int kHandlers = 3000;
  for (int i = 0; i < kHandlers; ++i) net::post(ctx, [&] { ++ran; });
  net::post(ctx, [&guard] { guard.reset(); });
  for (auto& r : runners) r.join();
  CHECK(ran == kHandlers);
  CHECK(counted == kHandlers + 1);
}

TEST_CASE("a strand serialises handlers on a four-thread context, in submission order") {
  net::io_context ctx(4);
  auto s = net::make_strand(ctx);
  int inside = 0, overlaps = 0, count = 0;
  std::vector<int> seen;
  for (int i = 0; i < 2000; ++i)
    net::post(s, [&, i] {
      if (inside++) ++overlaps;
      seen.push_back(i);
      ++count;
      --inside;
    });
  ctx.run();
  CHECK(overlaps == 0);
  REQUIRE(count == 2000);
  bool ordered = true;
  for (int i = 0; i < 2000; ++i) ordered = ordered && seen[i] == i;
  CHECK(ordered);
}

TEST_CASE("dispatch on a strand runs inline when already inside it") {
  net::io_context ctx(2);
  auto s = net::make_strand(ctx);
  std::vector<int> order;
  net::post(s, [&] {
    order.push_back(1);
    net::dispatch(s, [&] { order.push_back(2); });  // inline
    net::post(s, [&] { order.push_back(4); });      // queued
    order.push_back(3);
  });
  ctx.run();
  CHECK(order == std::vector<int>{1, 2, 3, 4});
}

TEST_CASE("steady_timer: callbacks, use_awaitable, deferred, use_future, detached, cancel aborts") {
  net::io_context ctx;
  std::vector<std::string> log;
  // t1's 300 ms count from its construction. Real time: the coroutine's two waits (20 ms,
  // then 1 ms) must end before t1 even when a loaded machine wakes the context late (with
  // 30 ms, a Debug build on a busy machine logged t1 before "deferred:ok").
  auto start = std::chrono::steady_clock::now();
  net::steady_timer t1(ctx, 300ms);
  t1.async_wait([&](std::error_code ec) { log.push_back("t1:" + std::string(ec ? "aborted" : "ok")); });
  net::steady_timer t2(ctx, 10s);
  t2.async_wait([&](std::error_code ec) { log.push_back("t2:" + std::string(ec == net::error::operation_aborted ? "aborted" : "ok")); });
  net::steady_timer t3(ctx, 5ms);
  t3.async_wait([&](std::error_code) { CHECK(t2.cancel() == 1); });
  net::steady_timer t4(ctx, 1ms);
  auto fut = t4.async_wait(net::use_future);
  net::steady_timer t5(ctx, 1ms);
  t5.async_wait(net::detached);
  auto waiter = [](net::steady_timer& t, std::vector<std::string>& out) -> net::awaitable<void> {
    t.expires_after(20ms);
    co_await t.async_wait(net::use_awaitable);
    out.push_back("co:ok");
    t.expires_after(1ms);
    auto op = t.async_wait(net::experimental::deferred);
    co_await std::move(op)(net::use_awaitable);
    out.push_back("deferred:ok");
  };
  net::steady_timer t6(ctx);
  net::co_spawn(ctx, waiter(t6, log), net::detached);
  ctx.run();
  auto took = std::chrono::steady_clock::now() - start;
  fut.get();
  CHECK(log == std::vector<std::string>{"t2:aborted", "co:ok", "deferred:ok", "t1:ok"});
  CHECK(took >= 300ms);
  CHECK(took < 5s);
}

TEST_CASE("awaitable_operators: a timeout with || cancels the slow side") {
  using namespace asio::experimental::awaitable_operators;
  net::io_context ctx;
  auto sleep = [](std::chrono::milliseconds d) -> net::awaitable<int> {
    net::steady_timer t(co_await net::this_coro::executor, d);
    co_await t.async_wait(net::use_awaitable);
    co_return int(d.count());
  };
  auto race = [sleep]() -> net::awaitable<std::string> {
    auto r = co_await (sleep(5000ms) || sleep(10ms));
    co_return r.index() == 1 ? "timeout after " + std::to_string(std::get<1>(r)) + " ms" : "slow won";
  };
  auto fut = net::co_spawn(ctx, race(), net::use_future);
  auto start = std::chrono::steady_clock::now();
  ctx.run();
  CHECK(fut.get() == "timeout after 10 ms");
  CHECK(std::chrono::steady_clock::now() - start < 2s);  // the 5 s timer was cancelled
}

TEST_CASE("co_spawn on a strand and a thread_pool, detached with a handler for the exception") {
  net::thread_pool pool(3);
  auto s = net::make_strand(pool);
  std::atomic<int> done{0};
  std::exception_ptr seen;
  for (int i = 0; i < 50; ++i)
    net::co_spawn(
        s,
        [&done]() -> net::awaitable<void> {
          co_await net::post(co_await net::this_coro::executor, net::use_awaitable);
          ++done;
        },
        net::detached);
  net::co_spawn(
      pool, []() -> net::awaitable<void> { throw std::logic_error("bad"); co_return; },
      [&seen](std::exception_ptr e) { seen = e; });
  pool.join();
  CHECK(done == 50);
  CHECK(seen != nullptr);
}
