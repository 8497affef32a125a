// lost exception: fire-and-forget of a failing task, and when_all where only the first of
// several failures is looked at. The neighbours observe every exception.
#include "properties/harness.hpp"

using namespace weft;
using weft::test::explore;

namespace {

Task<int> fails(int code) {
  co_await sleep_for(1_ms);
  throw std::runtime_error("backend error " + std::to_string(code));
}

void fire_and_forget() {
  ThreadPool pool(2, "pool");
  spawn_detached(pool, fails(1));
  sim::settle();
}
void joined() {
  ThreadPool pool(2, "pool");
  auto h = spawn(pool, fails(1));
  try {
    h.join();
  } catch (const std::runtime_error&) {
  }
}

template <bool ReadAll>
void when_all_two_failures() {
  SerialExecutor ui("ui");
  auto h = spawn(ui, []() -> Task<int> {
    std::vector<Task<int>> parts;
    parts.push_back(fails(1));
    parts.push_back(fails(2));
    try {
      co_await when_all(std::move(parts));
    } catch (const AggregateError& e) {
      if constexpr (ReadAll)
        co_return int(e.exceptions().size());
      else
        co_return e.what()[0] != 0;  // looks at the first failure only
    }
    co_return 0;
  }());
  h.join();
}

}  // namespace

TEST_CASE("lost exception: a detached task's exception, with its spawn site, every seed", "[properties][lost-exception]") {
  auto t = explore(fire_and_forget, ViolationKind::lost_exception);
  CHECK(t.flagged == t.runs);
  REQUIRE(!t.first.empty());
  CHECK(t.first.front().message.find("backend error 1") != std::string::npos);
  CHECK(t.first.front().locations.front().find("lost_exception_test.cpp:17") != std::string::npos);
}

TEST_CASE("lost exception: a joined task's exception is observed, never flagged", "[properties][lost-exception]") {
  auto t = explore(joined, ViolationKind::lost_exception);
  INFO(t.first_other);
  CHECK(t.any_violation == 0);
}

TEST_CASE("lost exception: when_all's second failure nobody read (strict observation), every seed",
          "[properties][lost-exception]") {
  auto policy = AggregateError::set_observation(AggregateObservation::strict);
  auto t = explore(when_all_two_failures<false>, ViolationKind::lost_exception);
  AggregateError::set_observation(policy);
  CHECK(t.flagged == t.runs);
  REQUIRE(!t.first.empty());
  CHECK(t.first.front().message.find("backend error 2") != std::string::npos);
}

TEST_CASE("lost exception: reading AggregateError::exceptions() observes them all", "[properties][lost-exception]") {
  auto t = explore(when_all_two_failures<true>, ViolationKind::lost_exception);
  INFO(t.first_other);
  CHECK(t.any_violation == 0);
}

TEST_CASE("lost exception: what() observes the whole AggregateError by default", "[properties][lost-exception]") {
  auto t = explore(when_all_two_failures<false>, ViolationKind::lost_exception);
  INFO(t.first_other);
  CHECK(t.any_violation == 0);
}
