// TaskGroup, variadic when_all/when_any and AggregateError's observation policy, on real
// threads.
#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <weft/weft.hpp>

using namespace weft;

namespace {
Task<int> value_after(Nanos d, int v, std::stop_token t = {}) {
  co_await sleep_for(d, t);
  co_return v;
}
Task<std::string> text_after(Nanos d, std::string v, std::stop_token t = {}) {
  co_await sleep_for(d, t);
  co_return v;
}
Task<void> fail_after(Nanos d, const char* what, std::stop_token t = {}) {
  co_await sleep_for(d, t);
  throw std::runtime_error(what);
}

// Coroutine lambdas must not capture (the closure dies before the coroutine ends): the
// lambdas given to TaskGroup::spawn call these instead.
Task<void> count_after(Nanos d, std::atomic<int>& n, std::stop_token t) {
  co_await sleep_for(d, t);
  ++n;
}
Task<void> count_cancellation(std::atomic<int>& n, std::stop_token t) {
  try {
    co_await sleep_for(10_s, t);
  } catch (const OperationCancelled&) {
    ++n;
    throw;
  }
}
Task<void> count_end(std::atomic<int>& n, std::stop_token t) {
  struct Count {
    std::atomic<int>& n;
    ~Count() { ++n; }
  } count{n};
  co_await sleep_for(10_s, t);
}

struct LostCounter {
  std::atomic<int> lost{0};
  UnhandledExceptionHandler prev;
  LostCounter() : prev(set_unhandled_exception_handler([this](const LostException&) { ++lost; })) {}
  ~LostCounter() { set_unhandled_exception_handler(prev); }
};
}  // namespace

TEST_CASE("TaskGroup: join waits for every child", "[group]") {
  ThreadPool pool(2);
  std::atomic<int> done{0};
  block_on([](ThreadPool& p, std::atomic<int>& d) -> Task<void> {
    TaskGroup group{"fan-out"};
    for (int i = 0; i < 5; ++i)
      group.spawn(p, [&d, i](std::stop_token t) { return count_after(Nanos(i) * 1_ms, d, t); });
    co_await group.join();
    CHECK(group.running() == 0);
  }(pool, done));
  CHECK(done == 5);
}

TEST_CASE("TaskGroup: the first failure cancels the siblings, every failure in the AggregateError", "[group]") {
  ThreadPool pool(2);
  LostCounter counter;
  std::atomic<int> cancelled{0};
  auto start = real_platform().now();
  std::size_t failures = block_on([](ThreadPool& p, std::atomic<int>& c) -> Task<std::size_t> {
    TaskGroup group{"checkout"};
    group.spawn(p, [](std::stop_token t) { return fail_after(1_ms, "stock down", t); });
    for (int i = 0; i < 3; ++i)
      group.spawn(p, [&c](std::stop_token t) { return count_cancellation(c, t); });
    try {
      co_await group.join();
    } catch (const AggregateError& e) {
      co_return e.exceptions().size();
    }
    co_return 0;
  }(pool, cancelled));
  CHECK(failures == 1);  // the siblings' cancellations are not failures
  CHECK(cancelled == 3);
  CHECK(real_platform().now() - start < 5_s);
  CHECK(counter.lost == 0);
}

TEST_CASE("TaskGroup: cancel_on_failure = false lets the siblings finish", "[group]") {
  ThreadPool pool(2);
  std::atomic<int> finished{0};
  std::size_t failures = block_on([](ThreadPool& p, std::atomic<int>& f) -> Task<std::size_t> {
    TaskGroup group{"best-effort", TaskGroup::Options{.cancel_on_failure = false}};
    group.spawn(p, [](std::stop_token t) { return fail_after(1_ms, "a", t); });
    group.spawn(p, [](std::stop_token t) { return fail_after(2_ms, "b", t); });
    group.spawn(p, [&f](std::stop_token t) { return count_after(5_ms, f, t); });
    try {
      co_await group.join();
    } catch (const AggregateError& e) {
      co_return e.size();
    }
    co_return 0;
  }(pool, finished));
  CHECK(failures == 2);
  CHECK(finished == 1);
}

TEST_CASE("TaskGroup: leaving the scope early cancels and joins sleeping children, nothing lost", "[group]") {
  ThreadPool pool(2);
  LostCounter counter;
  std::atomic<int> ended{0};
  auto start = real_platform().now();
  auto h = spawn(pool, [](ThreadPool& p, std::atomic<int>& e) -> Task<void> {
    TaskGroup group{"scope"};
    for (int i = 0; i < 3; ++i)
      group.spawn(p, count_end(e, group.token()));
    throw std::runtime_error("the handler gave up");  // leaves the scope without join()
    co_return;
  }(pool, ended));
  CHECK_THROWS_WITH(h.join(), "the handler gave up");
  CHECK(ended == 3);  // every child had ended by the time the group was gone
  CHECK(real_platform().now() - start < 5_s);
  CHECK(counter.lost == 0);
}

TEST_CASE("when_all(t1, t2, ...) gives a tuple of different types", "[when]") {
  ThreadPool pool(2);
  auto [n, s, none] = block_on([]() -> Task<std::tuple<int, std::string, std::monostate>> {
    co_return co_await when_all(value_after(2_ms, 7), text_after(1_ms, "orders"), [] () -> Task<void> { co_return; }());
  }());
  CHECK(n == 7);
  CHECK(s == "orders");
  (void)none;
  LostCounter counter;
  std::size_t failures = block_on([]() -> Task<std::size_t> {
    try {
      co_await when_all(value_after(1_ms, 1), fail_after(1_ms, "x"), fail_after(2_ms, "y"));
    } catch (const AggregateError& e) {
      co_return e.size();
    }
    co_return 0;
  }());
  CHECK(failures == 2);
  CHECK(counter.lost == 0);  // observed as a whole (size())
}

TEST_CASE("when_any(t1, t2, ...) gives the winner's index and value and stops the losers", "[when]") {
  ThreadPool pool(2);
  auto start = real_platform().now();
  std::stop_source losers;
  auto r = block_on([](std::stop_source& src) -> Task<AnyOf<int, std::string>> {
    co_return co_await when_any(src, value_after(10_s, 1, src.get_token()), text_after(1_ms, "fast", src.get_token()));
  }(losers));
  CHECK(r.index == 1);
  CHECK(std::get<1>(r.value) == "fast");
  CHECK(losers.stop_requested());
  CHECK(real_platform().now() - start < 5_s);
}

TEST_CASE("AggregateError: observed as a whole by default, strict on request", "[when][lost]") {
  auto two_failures = []() -> Task<void> {
    try {
      co_await when_all(fail_after(1_ms, "a"), fail_after(2_ms, "b"));
    } catch (const std::exception& e) {
      (void)e.what();  // only the first is shown
    }
  };
  {
    LostCounter counter;
    block_on(two_failures());
    CHECK(counter.lost == 0);
  }
  {
    LostCounter counter;
    auto prev = AggregateError::set_observation(AggregateObservation::strict);
    block_on(two_failures());
    AggregateError::set_observation(prev);
    CHECK(counter.lost == 1);
  }
}
