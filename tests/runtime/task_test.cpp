#include <catch2/catch.hpp>

#include <weft/weft.hpp>

using namespace weft;

namespace {
Task<int> answer() { co_return 42; }
Task<int> add(int a, int b) { co_return a + co_await answer() - 42 + b; }
Task<void> thrower() {
  throw std::runtime_error("boom");
  co_return;
}
Task<int> chain(int depth) {
  if (depth == 0) co_return 0;
  co_return 1 + co_await chain(depth - 1);
}
}  // namespace

TEST_CASE("a lazy task runs only when awaited and returns its value", "[task]") {
  bool ran = false;
  auto t = [](bool& r) -> Task<int> {  // coroutine lambdas take state as parameters, never captures
    r = true;
    co_return 7;
  }(ran);
  CHECK_FALSE(ran);
  CHECK(block_on(std::move(t)) == 7);
  CHECK(ran);
  CHECK(block_on(add(2, 3)) == 5);
}

TEST_CASE("exceptions reach the awaiter", "[task]") {
  auto outer = []() -> Task<std::string> {
    try {
      co_await thrower();
    } catch (const std::runtime_error& e) {
      co_return e.what();
    }
    co_return "none";
  };
  CHECK(block_on(outer()) == "boom");
  CHECK_THROWS_WITH(block_on(thrower()), "boom");
}

TEST_CASE("deep await chains use symmetric transfer, not stack", "[task]") {
  CHECK(block_on(chain(200000)) == 200000);
}

TEST_CASE("a Task awaited twice is a MisuseError, never UB", "[task][misuse]") {
  auto twice = []() -> Task<int> {
    auto t = answer();
    int a = co_await std::move(t);
    int b = co_await std::move(t);
    co_return a + b;
  };
  CHECK_THROWS_AS(block_on(twice()), MisuseError);
}
