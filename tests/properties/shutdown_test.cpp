// Safe shutdown in simulation: an executor destroyed while work is still pending on it.
// A detached task sleeping on a destroyed pool is cancelled (ExecutorShutDown) and unwinds:
// the execution completes, with no lost exception and no crash. A body that returns while a
// task still waits for something nobody will do is a `hang` finding naming that task.
#include "properties/harness.hpp"

using namespace weft;
using weft::test::explore;

namespace {

struct Ends {
  int shut_down = 0;
  int woke = 0;
};
Ends g_ends;  // one simulation at a time, on this thread

Task<void> refresher(Nanos period) {
  try {
    for (;;) co_await sleep_for(period);
  } catch (const ExecutorShutDown&) {
    ++g_ends.shut_down;
    throw;  // escapes the detached task: the shutdown, not a lost exception
  }
}

// Catches the cancellation and sleeps again: refused at once, the pool is closing.
Task<void> stubborn() {
  for (int i = 0; i < 3; ++i) {
    try {
      co_await sleep_for(1_s);
      ++g_ends.woke;
    } catch (const OperationCancelled&) {
      ++g_ends.shut_down;
    }
  }
}

void pool_dies_with_sleepers() {
  ThreadPool pool(2, "pool");
  spawn_detached(pool, refresher(10_ms));
  spawn_detached(pool, stubborn());
  SerialExecutor ui("ui");
  spawn_detached(ui, refresher(5_ms));
  // 1 ms of the body's own work: everyone is asleep by then (settle() would wait for the
  // timers). Then both executors are destroyed with the timers pending.
  blocking_io(1_ms);
}

Task<void> wait_for(Event& ev) { co_await ev.wait(); }

void body_ends_with_waiter() {
  Event ev;  // nobody sets it; the waiter stays suspended, never resumed into freed memory
  ThreadPool pool(2, "pool");
  spawn_detached(pool, wait_for(ev));
  sim::settle();
}

}  // namespace

TEST_CASE("shutdown: a pool destroyed while detached tasks sleep cancels them, every seed, no finding",
          "[properties][shutdown]") {
  g_ends = {};
  auto t = explore(pool_dies_with_sleepers, ViolationKind::hang, weft::test::options(), {}, 200);
  INFO(t.first_other);
  CHECK(t.runs == 200);
  CHECK(t.any_violation == 0);
  // Each run: two refreshers cancelled once, the stubborn task three times; nobody woke.
  CHECK(g_ends.shut_down == 200 * 5);
  CHECK(g_ends.woke == 0);
}

TEST_CASE("shutdown: a body that returns with a task waiting forever is a hang naming it", "[properties][shutdown]") {
  auto t = explore(body_ends_with_waiter, ViolationKind::hang, weft::test::options(), {}, 50);
  CHECK(t.flagged == t.runs);
  REQUIRE(!t.first.empty());
  CHECK(t.first.front().message == "hang: 1 task(s) never completed although the world went idle");
  CHECK(t.first.front().locations.front().find("shutdown_test.cpp:55") != std::string::npos);
}
