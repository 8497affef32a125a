// weft::asio (real mode) against asio's own io_context, side by side in one binary: the
// same code through a namespace alias, on a context run by one thread.
//   post:      10,000 handlers posted from outside, then run() until they are done
//   co_spawn:  1,000 coroutines co_spawned with a completion handler, run() joins them
//   timer:     one coroutine waiting 1,000 times on an expired timer (completion posted
//              at once by both)
//   timer_1us: one coroutine waiting 200 times for 1 us (a round trip through the timer
//              machinery: asio's reactor, weft's timer thread)
// Run: build/asio/bench/weft_asio_bench (reports ns per handler / coroutine / wait).
#include <benchmark/benchmark.h>

#include <chrono>

#include <asio.hpp>

#include <weft/asio.hpp>

namespace {

template <class Ctx, class Post>
void post_many(benchmark::State& state, Post post) {
  constexpr int kHandlers = 10'000;
  for (auto _ : state) {
    Ctx ctx;
    int n = 0;
    for (int i = 0; i < kHandlers; ++i) post(ctx, [&n] { ++n; });
    ctx.run();
    if (n != kHandlers) state.SkipWithError("lost handlers");
  }
  state.SetItemsProcessed(state.iterations() * kHandlers);
}

void BM_post_asio(benchmark::State& s) {
  post_many<asio::io_context>(s, [](auto& c, auto f) { asio::post(c, f); });
}
void BM_post_weft(benchmark::State& s) {
  post_many<weft::asio::io_context>(s, [](auto& c, auto f) { weft::asio::post(c, f); });
}

asio::awaitable<int> leaf_asio(int i) { co_return i; }
weft::asio::awaitable<int> leaf_weft(int i) { co_return i; }

void BM_co_spawn_asio(benchmark::State& state) {
  constexpr int kTasks = 1'000;
  for (auto _ : state) {
    asio::io_context ctx;
    long sum = 0;
    for (int i = 0; i < kTasks; ++i) asio::co_spawn(ctx, leaf_asio(i), [&sum](std::exception_ptr, int v) { sum += v; });
    ctx.run();
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * kTasks);
}
void BM_co_spawn_weft(benchmark::State& state) {
  constexpr int kTasks = 1'000;
  for (auto _ : state) {
    weft::asio::io_context ctx;
    long sum = 0;
    for (int i = 0; i < kTasks; ++i)
      weft::asio::co_spawn(ctx, leaf_weft(i), [&sum](std::exception_ptr, int v) { sum += v; });
    ctx.run();
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * kTasks);
}

constexpr int kWaits = 1'000;

asio::awaitable<void> waits_asio() {
  asio::steady_timer t(co_await asio::this_coro::executor);
  for (int i = 0; i < kWaits; ++i) {
    t.expires_after(std::chrono::nanoseconds(0));
    co_await t.async_wait(asio::use_awaitable);
  }
}
weft::asio::awaitable<void> waits_weft() {
  weft::asio::steady_timer t(co_await weft::asio::this_coro::executor);
  for (int i = 0; i < kWaits; ++i) {
    t.expires_after(std::chrono::nanoseconds(0));
    co_await t.async_wait(weft::asio::use_awaitable);
  }
}

constexpr int kShortWaits = 200;

asio::awaitable<void> short_waits_asio() {
  asio::steady_timer t(co_await asio::this_coro::executor);
  for (int i = 0; i < kShortWaits; ++i) {
    t.expires_after(std::chrono::microseconds(1));
    co_await t.async_wait(asio::use_awaitable);
  }
}
weft::asio::awaitable<void> short_waits_weft() {
  weft::asio::steady_timer t(co_await weft::asio::this_coro::executor);
  for (int i = 0; i < kShortWaits; ++i) {
    t.expires_after(std::chrono::microseconds(1));
    co_await t.async_wait(weft::asio::use_awaitable);
  }
}

void BM_timer_1us_asio(benchmark::State& state) {
  for (auto _ : state) {
    asio::io_context ctx;
    asio::co_spawn(ctx, short_waits_asio(), asio::detached);
    ctx.run();
  }
  state.SetItemsProcessed(state.iterations() * kShortWaits);
}
void BM_timer_1us_weft(benchmark::State& state) {
  for (auto _ : state) {
    weft::asio::io_context ctx;
    weft::asio::co_spawn(ctx, short_waits_weft(), weft::asio::detached);
    ctx.run();
  }
  state.SetItemsProcessed(state.iterations() * kShortWaits);
}

void BM_timer_asio(benchmark::State& state) {
  for (auto _ : state) {
    asio::io_context ctx;
    asio::co_spawn(ctx, waits_asio(), asio::detached);
    ctx.run();
  }
  state.SetItemsProcessed(state.iterations() * kWaits);
}
void BM_timer_weft(benchmark::State& state) {
  for (auto _ : state) {
    weft::asio::io_context ctx;
    weft::asio::co_spawn(ctx, waits_weft(), weft::asio::detached);
    ctx.run();
  }
  state.SetItemsProcessed(state.iterations() * kWaits);
}

}  // namespace

BENCHMARK(BM_post_asio)->UseRealTime();
BENCHMARK(BM_post_weft)->UseRealTime();
BENCHMARK(BM_co_spawn_asio)->UseRealTime();
BENCHMARK(BM_co_spawn_weft)->UseRealTime();
BENCHMARK(BM_timer_asio)->UseRealTime();
BENCHMARK(BM_timer_weft)->UseRealTime();
BENCHMARK(BM_timer_1us_asio)->UseRealTime();
BENCHMARK(BM_timer_1us_weft)->UseRealTime();
BENCHMARK_MAIN();
