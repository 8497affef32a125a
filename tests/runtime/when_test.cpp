#include <catch2/catch.hpp>

#include <weft/weft.hpp>

using namespace weft;

namespace {
Task<int> after(Nanos d, int v) {
  co_await sleep_for(d);
  co_return v;
}
Task<int> fail_after(Nanos d, std::string what) {
  co_await sleep_for(d);
  throw std::runtime_error(what);
}
Task<int> cancellable(Nanos d, int v, std::stop_token t) {
  co_await sleep_for(d, t);
  co_return v;
}
}  // namespace

TEST_CASE("when_all returns every result, running children concurrently", "[when]") {
  ThreadPool pool(2);
  auto t0 = real_platform().now();
  auto r = spawn(pool, []() -> Task<std::vector<int>> {
    std::vector<Task<int>> ts;
    for (int i = 0; i < 10; ++i) ts.push_back(after(30_ms, i));
    co_return co_await when_all(std::move(ts));
  }()).join();
  CHECK(r == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  CHECK(real_platform().now() - t0 < 250_ms);
}

TEST_CASE("when_all keeps every exception", "[when]") {
  ThreadPool pool(2);
  auto n = spawn(pool, []() -> Task<std::size_t> {
    std::vector<Task<int>> ts;
    ts.push_back(fail_after(1_ms, "a"));
    ts.push_back(after(1_ms, 1));
    ts.push_back(fail_after(2_ms, "b"));
    try {
      co_await when_all(std::move(ts));
    } catch (const AggregateError& e) {
      co_return e.exceptions().size();
    }
    co_return 0;
  }()).join();
  CHECK(n == 2);
}

TEST_CASE("when_all errors nobody looked at are reported lost (strict observation)", "[when][lost]") {
  std::atomic<int> lost{0};
  auto prev = set_unhandled_exception_handler([&](const LostException&) { ++lost; });
  auto policy = AggregateError::set_observation(AggregateObservation::strict);
  {
    ThreadPool pool(2);
    spawn(pool, []() -> Task<void> {
      std::vector<Task<int>> ts;
      ts.push_back(fail_after(1_ms, "a"));
      ts.push_back(fail_after(2_ms, "b"));
      ts.push_back(fail_after(3_ms, "c"));
      try {
        co_await when_all(std::move(ts));
      } catch (const std::exception& e) {
        (void)e.what();  // only the first surfaces
      }
    }()).join();
  }
  AggregateError::set_observation(policy);
  set_unhandled_exception_handler(prev);
  CHECK(lost == 2);
}

TEST_CASE("when_any returns the first and cancels the losers", "[when]") {
  ThreadPool pool(2);
  auto t0 = real_platform().now();
  auto r = spawn(pool, []() -> Task<std::size_t> {
    std::stop_source losers;
    std::vector<Task<int>> ts;
    ts.push_back(cancellable(5_s, 0, losers.get_token()));
    ts.push_back(cancellable(5_ms, 1, losers.get_token()));
    ts.push_back(cancellable(5_s, 2, losers.get_token()));
    auto first = co_await when_any(std::move(ts), losers);
    co_return first.index;
  }()).join();
  CHECK(r == 1);
  CHECK(real_platform().now() - t0 < 2_s);
}
