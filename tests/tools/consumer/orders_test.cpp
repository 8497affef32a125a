// A user's own test: an order service with a cache behind one mutex and a stock table behind
// another, taken in opposite orders by two paths. weft::check finds the deadlock; the test
// fails with a replay line, and the artefact directory lands in $WEFT_OUT/orders/.
#include <catch2/catch.hpp>
#include <weft/model/check.hpp>
#include <weft/weft.hpp>

using namespace weft;

namespace {
struct Orders {
  Mutex cache, stock;
  int reserved = 0;
};

Task<void> place(Orders* o) {  // stock, then cache
  auto s = co_await o->stock.lock();
  co_await sleep_for(1_ms);
  auto c = co_await o->cache.lock();
  ++o->reserved;
}

Task<void> refresh(Orders* o) {  // cache, then stock: the inversion
  auto c = co_await o->cache.lock();
  co_await sleep_for(1_ms);
  auto s = co_await o->stock.lock();
}
}  // namespace

TEST_CASE("orders never deadlock") {
  model::ExploreOptions options;
  options.name = "orders";
  options.strategy = "pct:3";
  options.iterations = 2000;
  auto report = weft::check(options, [] {
    ThreadPool pool(2);
    Orders orders;
    auto a = spawn(pool, place(&orders));
    auto b = spawn(pool, refresh(&orders));
    a.join();
    b.join();
  });
  REQUIRE_NO_VIOLATION(report);
}

// The fixed twin: both paths take stock before cache. It passes, and weft::invariant (from
// <weft/model/check.hpp>, nothing else included) checks the reservation on every execution.
TEST_CASE("orders in one lock order") {
  model::ExploreOptions options;
  options.name = "orders_fixed";
  options.iterations = 500;
  auto report = weft::check(options, [] {
    ThreadPool pool(2);
    Orders orders;
    auto a = spawn(pool, place(&orders));
    auto b = spawn(pool, [](Orders* o) -> Task<void> {
      auto s = co_await o->stock.lock();
      co_await sleep_for(1_ms);
      auto c = co_await o->cache.lock();
    }(&orders));
    a.join();
    b.join();
    weft::invariant("one reservation", orders.reserved == 1);
  });
  REQUIRE_NO_VIOLATION(report);
}
