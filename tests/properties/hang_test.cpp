// hang: a task waiting for an event nobody sets when the world goes idle; a when_any loser
// that ignores its stop token and runs on. The neighbours set the event / pass the token.
#include "properties/harness.hpp"

using namespace weft;
using weft::test::explore;

namespace {

Task<void> wait_for(Event& ev) { co_await ev.wait(); }

template <bool Set>
void event_waiter() {
  ThreadPool pool(2, "pool");
  Event ready;
  auto h = spawn(pool, wait_for(ready));
  sim::settle();
  if constexpr (Set) {
    ready.set();
    h.join();
  }
}

Task<int> fast() {
  co_await sleep_for(10_ms);
  co_return 1;
}
template <bool PassToken>
Task<int> slow(std::stop_token token) {
  if constexpr (PassToken)
    co_await sleep_for(2_s, token);
  else
    co_await sleep_for(2_s);
  co_return 2;
}
template <bool PassToken>
Task<int> race() {
  std::stop_source losers;
  std::vector<Task<int>> ts;
  ts.push_back(fast());
  ts.push_back(slow<PassToken>(losers.get_token()));
  auto r = co_await when_any(std::move(ts), losers);
  co_return r.value;
}
template <bool PassToken>
void racer() {
  ThreadPool pool(2, "pool");
  auto h = spawn(pool, race<PassToken>());
  h.join();
  sim::settle();  // the loser may still run
}

}  // namespace

TEST_CASE("hang: a task suspended forever at quiescence, every seed", "[properties][hang]") {
  auto t = explore(event_waiter<false>, ViolationKind::hang);
  CHECK(t.flagged == t.runs);
  REQUIRE(!t.first.empty());
  CHECK(t.first.front().message == "hang: 1 task(s) never completed although the world went idle");
  CHECK(t.first.front().locations.front().find("hang_test.cpp:16") != std::string::npos);
}

TEST_CASE("hang: the event set, nothing is left behind", "[properties][hang]") {
  auto t = explore(event_waiter<true>, ViolationKind::hang);
  INFO(t.first_other);
  CHECK(t.any_violation == 0);
}

TEST_CASE("hang: a when_any loser that ignores cancellation runs on, every seed", "[properties][hang]") {
  auto t = explore(racer<false>, ViolationKind::hang);
  CHECK(t.flagged == t.runs);
  bool loser = false;
  for (auto& v : t.first) loser = loser || v.message.find("never cancelled") != std::string::npos;
  CHECK(loser);
}

TEST_CASE("hang: a when_any loser given the token is cancelled at once, never flagged", "[properties][hang]") {
  auto t = explore(racer<true>, ViolationKind::hang);
  INFO(t.first_other);
  CHECK(t.any_violation == 0);
}
