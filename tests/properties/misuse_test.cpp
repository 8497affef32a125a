// misuse: a JoinHandle awaited twice (error); a pool task that only forwards to another pool
// task (redundant hop, warning). The neighbours await once and call directly.
#include "properties/harness.hpp"

using namespace weft;
using weft::test::explore;

namespace {

Task<int> work() {
  co_await sleep_for(1_ms);
  co_return 7;
}

template <bool Twice>
Task<int> await_handle(ThreadPool& pool) {
  auto h = spawn(pool, work());
  co_await sleep_for(1_ms);  // some work of its own: not a mere forwarder
  int v = co_await h;
  if constexpr (Twice) {
    try {
      v += co_await h;
    } catch (const MisuseError&) {
    }
  }
  co_return v;
}

template <bool Twice>
void double_await() {
  ThreadPool pool(2, "pool");
  auto h = spawn(pool, await_handle<Twice>(pool));
  h.join();
}

Task<int> hop(ThreadPool& pool) { co_return co_await spawn(pool, work()); }

template <bool Hop>
void wrapped() {
  ThreadPool pool(2, "pool");
  auto h = Hop ? spawn(pool, hop(pool)) : spawn(pool, work());
  h.join();
}

}  // namespace

TEST_CASE("misuse: a JoinHandle awaited twice is an error, every seed", "[properties][misuse]") {
  auto t = explore(double_await<true>, ViolationKind::misuse);
  CHECK(t.flagged == t.runs);
  REQUIRE(!t.first.empty());
  CHECK(t.first.front().severity == Severity::error);
  CHECK(t.first.front().message == "misuse: a JoinHandle awaited twice (single-use result)");
}

TEST_CASE("misuse: awaiting a handle once is never flagged", "[properties][misuse]") {
  auto t = explore(double_await<false>, ViolationKind::misuse);
  INFO(t.first_other);
  CHECK(t.any_violation == 0);
}

TEST_CASE("misuse: a pool task that only awaits another pool task is a redundant hop", "[properties][misuse]") {
  auto t = explore(wrapped<true>, ViolationKind::misuse);
  CHECK(t.flagged == t.runs);
  REQUIRE(!t.first.empty());
  CHECK(t.first.front().severity == Severity::warning);
  CHECK(t.first.front().message.find("redundant hop") == 0);
  properties::Config quiet;
  quiet.report_warnings = false;
  CHECK(explore(wrapped<true>, ViolationKind::misuse, test::options(), quiet, 10).any_violation == 0);
}

TEST_CASE("misuse: spawning the work directly is never flagged", "[properties][misuse]") {
  auto t = explore(wrapped<false>, ViolationKind::misuse);
  INFO(t.first_other);
  CHECK(t.any_violation == 0);
}
