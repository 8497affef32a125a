// invariant: a lost update across an await breaks "counter == 2"; a liveness monitor stays
// hot longer than its threshold. The neighbours hold an async mutex / answer in time.
#include <weft/properties/invariant.hpp>

#include "properties/harness.hpp"

using namespace weft;
using weft::test::explore;

namespace {

template <bool Locked>
Task<void> increment(int& counter, Mutex& m) {
  Mutex::Guard g;
  if constexpr (Locked) g = co_await m.lock();
  int seen = counter;
  co_await sleep_for(1_ms);  // the read-modify-write spans an await
  counter = seen + 1;
}

template <bool Locked>
void two_increments() {
  ThreadPool pool(2, "pool");
  int counter = 0;
  Mutex m;
  auto a = spawn(pool, increment<Locked>(counter, m));
  auto b = spawn(pool, increment<Locked>(counter, m));
  a.join();
  b.join();
  invariant("counter == 2", [&] { return counter == 2; });
}

Task<void> answer(Monitor& pending, Nanos latency) {
  pending.hot();
  co_await sleep_for(latency);
  pending.cold();
}

template <Nanos Latency>
void monitored_request() {
  ThreadPool pool(2, "pool");
  Monitor pending("request answered", 1_s);
  auto h = spawn(pool, answer(pending, Latency));
  h.join();
}

void never_answered() {
  ThreadPool pool(2, "pool");
  Monitor pending("request answered", 1_s);
  pending.hot();
}

}  // namespace

TEST_CASE("invariant: a lost update breaks the user's invariant, every seed", "[properties][invariant]") {
  auto t = explore(two_increments<false>, ViolationKind::invariant);
  CHECK(t.flagged == t.runs);
  REQUIRE(!t.first.empty());
  CHECK(t.first.front().message == "invariant violated: counter == 2");
  CHECK(t.first.front().locations.front().find("invariant_test.cpp:30") != std::string::npos);
}

TEST_CASE("invariant: the increments under an async mutex are never flagged", "[properties][invariant]") {
  auto t = explore(two_increments<true>, ViolationKind::invariant);
  INFO(t.first_other);
  CHECK(t.any_violation == 0);
}

TEST_CASE("invariant: a monitor hot longer than its threshold, or hot at the end", "[properties][invariant]") {
  auto t = explore(monitored_request<3_s>, ViolationKind::invariant);
  CHECK(t.flagged == t.runs);
  REQUIRE(!t.first.empty());
  CHECK(t.first.front().message.find("liveness: monitor 'request answered' hot for 3000.000 ms") == 0);
  auto end = explore(never_answered, ViolationKind::invariant, test::options(), {}, 50);
  CHECK(end.flagged == end.runs);
  REQUIRE(!end.first.empty());
  CHECK(end.first.front().message.find("still hot when the execution ended") != std::string::npos);
}

TEST_CASE("invariant: a monitor cooled within its threshold is never flagged", "[properties][invariant]") {
  auto t = explore(monitored_request<10_ms>, ViolationKind::invariant);
  INFO(t.first_other);
  CHECK(t.any_violation == 0);
}

namespace {
void annotations_that_look_like_records() {
  annotate("monitor request answered hot");  // an annotation, whatever its words
  annotate("invariant violated: counter == 2");
  annotate("fault db fired");
}
}  // namespace

TEST_CASE("invariant: annotations are never read as monitors or invariants", "[properties][invariant]") {
  auto t = explore(annotations_that_look_like_records, ViolationKind::invariant, test::options(), {}, 20);
  INFO(t.first_other);
  CHECK(t.any_violation == 0);
}
