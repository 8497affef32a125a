// Cancellable and timed waits in simulation: each overload on virtual time, and the
// cancel-vs-grant races explored over 10,000 executions with an invariant.
#include <catch2/catch.hpp>

#include <string>
#include <weft/sim/sim.hpp>
#include <weft/weft.hpp>

#include "runtime/wait_outcome.hpp"

using namespace weft;

namespace {
template <class Make>
Task<std::string> outcome_of(Make make) {
  try {
    using R = detail::awaited_result_t<decltype(make())>;
    if constexpr (std::is_void_v<R>) {
      co_await make();
    } else {
      [[maybe_unused]] R result = co_await make();  // a Guard or a Permit: let go at once
    }
    co_return "ok";
  } catch (const TimedOut&) {
    co_return "timed out";
  } catch (const OperationCancelled&) {
    co_return "cancelled";
  }
}

// The racers run on threads of their own, ready at the same virtual instant: which one
// goes first is the explorer's choice.
Task<void> stop_at_1ms(std::stop_source& s) {
  co_await sleep_for(1_ms);
  request_stop(s);
}

std::size_t count(const sim::Trace& tr, EventKind k) {
  std::size_t n = 0;
  for (const auto& r : tr.records) n += r.kind == k;
  return n;
}
}  // namespace

TEST_CASE("sim: every timed wait times out at its deadline on the virtual clock", "[cancel][sim]") {
  sim::SimPlatform sp;
  sim::RandomSource rs(3);
  auto r = sp.run([] {
    ThreadPool pool(2, "pool");
    Mutex m{"cache"};
    Semaphore db{0, "db"};
    Event ready{"ready"};
    Channel<int> jobs{1, "jobs"};
    REQUIRE(m.try_lock());
    REQUIRE(jobs.try_send(0));
    Platform& p = current_platform();
    auto timed = [&](auto make) {
      Nanos start = p.now();
      std::string out = spawn(pool, outcome_of(make)).join();
      CHECK(p.now() - start == 7_ms);
      return out;
    };
    CHECK(timed([&] { return m.lock(7_ms); }) == "timed out");
    CHECK(timed([&] { return db.acquire(7_ms); }) == "timed out");
    CHECK(timed([&] { return db.permit(7_ms); }) == "timed out");
    CHECK(timed([&] { return ready.wait(7_ms); }) == "timed out");
    CHECK(timed([&] { return jobs.send(1, 7_ms); }) == "timed out");
    Channel<int> empty{0, "empty"};
    CHECK(timed([&] { return empty.receive(7_ms); }) == "timed out");
    m.unlock();
    CHECK(db.available() == 0);
  }, rs);
  REQUIRE(r.outcome == sim::Outcome::completed);
  CHECK(count(sp.trace(), EventKind::cancelled) == 6);  // each timed-out wait recorded
}

TEST_CASE("sim: cancelled and succeeded waits, in the trace", "[cancel][sim]") {
  sim::SimPlatform sp;
  sim::RandomSource rs(4);
  auto r = sp.run([] {
    ThreadPool pool(2, "pool");
    Mutex m{"cache"};
    Event ready{"ready"};
    REQUIRE(m.try_lock());
    std::stop_source src;
    auto a = spawn(pool, outcome_of([&] { return m.lock(src.get_token()); }));
    auto b = spawn(pool, outcome_of([&] { return ready.wait(src.get_token()); }));
    auto c = spawn(pool, outcome_of([&] { return ready.wait(1_s); }));
    spawn(pool, [](std::stop_source& s) -> Task<void> {
      co_await sleep_for(2_ms);
      request_stop(s);
    }(src)).join();
    CHECK(a.join() == "cancelled");
    CHECK(b.join() == "cancelled");
    ready.set();
    CHECK(c.join() == "ok");
    m.unlock();
    CHECK(m.try_lock());
  }, rs);
  REQUIRE(r.outcome == sim::Outcome::completed);
  CHECK(count(sp.trace(), EventKind::cancelled) == 2);
  CHECK(count(sp.trace(), EventKind::cancel_request) == 1);
}

TEST_CASE("sim: cancel vs release at the same instant, 10,000 executions: either outcome, no permit lost",
          "[cancel][sim]") {
  sim::SimPlatform sp;
  int granted = 0, cancelled = 0, violations = 0;
  for (std::uint64_t seed = 0; seed < 10000; ++seed) {
    sim::RandomSource rs(seed);
    std::string out;
    std::int64_t left = -1;
    auto r = sp.run([&] {
      ThreadPool pool(1, "pool");
      SerialExecutor a("a"), b("b");
      Semaphore db{0, "db"};
      std::stop_source src;
      auto waiter = spawn(pool, outcome_of([&] { return db.permit(src.get_token()); }));
      auto stopper = spawn(a, stop_at_1ms(src));
      auto releaser = spawn(b, [](Semaphore& s) -> Task<void> {
        co_await sleep_for(1_ms);
        s.release();
      }(db));
      stopper.join();
      releaser.join();
      out = waiter.join();
      left = db.available();
    }, rs);
    REQUIRE(r.outcome == sim::Outcome::completed);
    if (left != 1) ++violations;  // granted: the Permit gave it back; cancelled: never taken
    (out == "ok" ? granted : cancelled)++;
  }
  CHECK(violations == 0);
  CHECK(granted > 0);
  CHECK(cancelled > 0);
  CHECK(granted + cancelled == 10000);
}

TEST_CASE("sim: cancel vs unlock, 2,000 executions: the mutex is never left owned by a cancelled waiter",
          "[cancel][sim]") {
  sim::SimPlatform sp;
  int granted = 0, cancelled = 0;
  for (std::uint64_t seed = 0; seed < 2000; ++seed) {
    sim::RandomSource rs(seed);
    std::string out;
    bool free_at_end = false;
    auto r = sp.run([&] {
      ThreadPool pool(1, "pool");
      SerialExecutor a("a"), b("b");
      Mutex m{"cache"};
      REQUIRE(m.try_lock());
      std::stop_source src;
      auto waiter = spawn(pool, outcome_of([&] { return m.lock(src.get_token()); }));
      auto stopper = spawn(a, stop_at_1ms(src));
      auto unlocker = spawn(b, [](Mutex& mu) -> Task<void> {
        co_await sleep_for(1_ms);
        mu.unlock();
      }(m));
      stopper.join();
      unlocker.join();
      out = waiter.join();
      free_at_end = m.try_lock();
    }, rs);
    REQUIRE(r.outcome == sim::Outcome::completed);
    REQUIRE(free_at_end);
    (out == "ok" ? granted : cancelled)++;
  }
  CHECK(granted > 0);
  CHECK(cancelled > 0);
}

namespace {
Task<void> sleep_counting_end(std::atomic<int>& n, std::stop_token t) {
  struct Count {
    std::atomic<int>& n;
    ~Count() { ++n; }
  } count{n};
  co_await sleep_for(10_s, t);
}
Task<void> leave_early(ThreadPool& p, std::atomic<int>& ended) {
  TaskGroup group{"scope"};
  for (int i = 0; i < 3; ++i) group.spawn(p, sleep_counting_end(ended, group.token()));
  co_await sleep_for(1_ms);
  throw std::runtime_error("gave up");  // leaves the scope without join()
}
}  // namespace

TEST_CASE("sim: a TaskGroup left early cancels and joins its sleeping children, 500 executions", "[group][sim]") {
  sim::SimPlatform sp;
  for (std::uint64_t seed = 0; seed < 500; ++seed) {
    sim::RandomSource rs(seed);
    std::atomic<int> ended{0};
    bool threw = false;
    Nanos at = 0;
    auto r = sp.run([&] {
      ThreadPool pool(2, "pool");
      auto h = spawn(pool, leave_early(pool, ended));
      try {
        h.join();
      } catch (const std::runtime_error&) {
        threw = true;
      }
      at = current_platform().now();
    }, rs);
    REQUIRE(r.outcome == sim::Outcome::completed);
    REQUIRE(threw);
    REQUIRE(ended == 3);
    REQUIRE(at == 1_ms);  // nobody slept the 10 s
    REQUIRE(count(sp.trace(), EventKind::exception_dropped) == 0);
  }
}

namespace {
using weft::test::value_of;
using weft::test::gated;
Task<int> after_1ms(int v) {
  co_await sleep_for(1_ms);
  co_return v;
}
// Busy on its thread until 1 ms: that thread and the timer thread both become ready at the
// instant, and which runs first is the explorer's choice. (Two timers due together fire one
// after the other on the timer thread, so a worker woken by its own timer would always lose.)
Task<int> working_1ms(int v) {
  cpu_work(1_ms);
  co_return v;
}
std::size_t count(const sim::Trace& tr, EventKind k, TaskId other) {
  std::size_t n = 0;
  for (const auto& r : tr.records) n += r.kind == k && r.other == other;
  return n;
}
}  // namespace

TEST_CASE("sim: JoinHandle waits, joins and block_on time out, cancel and succeed on the virtual clock",
          "[cancel][join][sim]") {
  sim::SimPlatform sp;
  sim::RandomSource rs(5);
  TaskId worker_id = 0;
  auto r = sp.run([&] {
    ThreadPool pool(2, "pool");
    Event go{"go"};
    auto worker = spawn(pool, gated(go, 42), "worker");
    worker_id = worker.id();
    Platform& p = current_platform();
    Nanos start = p.now();
    CHECK(spawn(pool, value_of([&] { return worker.wait(7_ms); })).join() == "timed out");
    CHECK(p.now() - start == 7_ms);
    start = p.now();
    CHECK_THROWS_AS(worker.join(7_ms), TimedOut);
    CHECK_THROWS_AS(block_on(worker, 7_ms), TimedOut);
    CHECK(p.now() - start == 14_ms);
    std::stop_source src;
    spawn_detached(pool, stop_at_1ms(src));
    start = p.now();
    CHECK(spawn(pool, value_of([&] { return worker.wait(src.get_token()); })).join() == "cancelled");
    CHECK(p.now() - start == 1_ms);
    std::stop_source src2;
    spawn_detached(pool, stop_at_1ms(src2));
    CHECK_THROWS_AS(block_on(worker, src2.get_token()), OperationCancelled);
    CHECK(p.now() - start == 2_ms);
    CHECK(!worker.done());
    go.set();
    CHECK(spawn(pool, value_of([&] { return worker.wait(1_s); })).join() == "42");
    CHECK(p.now() - start == 2_ms);  // no deadline was waited out
    std::stop_source src3;
    std::atomic<int> ended{0};
    auto slow = [](std::stop_token t, std::atomic<int>& n) -> Task<int> {
      struct Count {
        std::atomic<int>& n;
        ~Count() { ++n; }
      } count{n};
      co_await sleep_for(10_s, t);
      co_return 1;
    };
    CHECK_THROWS_AS(block_on(slow(src3.get_token(), ended), 3_ms, src3), TimedOut);
    CHECK(ended == 1);
    CHECK(p.now() - start == 5_ms);
  }, rs);
  REQUIRE(r.outcome == sim::Outcome::completed);
  const sim::Trace& tr = sp.trace();
  // Each withdrawn wait is recorded as the task (or thread) giving up on the worker.
  CHECK(count(tr, EventKind::cancelled, worker_id) == 5);
  CHECK(count(tr, EventKind::join_wait, worker_id) == 3);
  CHECK(count(tr, EventKind::block, worker_id) == 3);
  CHECK(count(tr, EventKind::wake, worker_id) == 3);
}

namespace {
// One execution of a race between the worker's completion (at 1 ms) and the end of a bounded
// wait for it (also at 1 ms). Returns "42" (delivered by the wait) or "withdrawn"; fails the
// test if the result was lost or could be taken twice.
enum class Race { timeout_wait, stop_wait, timeout_join };
std::string race_once(Race race) {
  ThreadPool pool(1, "pool");
  SerialExecutor a("a"), b("b");
  auto worker = spawn(b, race == Race::stop_wait ? after_1ms(42) : working_1ms(42), "worker");
  std::string out;
  if (race == Race::timeout_join) {
    try {
      out = std::to_string(worker.join(1_ms));
    } catch (const TimedOut&) {
      out = "timed out";
    }
  } else if (race == Race::timeout_wait) {
    out = spawn(pool, value_of([&] { return worker.wait(1_ms); })).join();
  } else {
    std::stop_source src;
    auto stopper = spawn(a, stop_at_1ms(src));
    out = spawn(pool, value_of([&] { return worker.wait(src.get_token()); })).join();
    stopper.join();
  }
  if (out == "42") {
    REQUIRE_THROWS_AS(worker.join(), MisuseError);  // delivered once: the handle is used up
    return out;
  }
  REQUIRE(out == (race == Race::stop_wait ? "cancelled" : "timed out"));
  REQUIRE(worker.join() == 42);  // not lost: the handle still holds it
  return "withdrawn";
}
}  // namespace

// The invariant of every bounded join: the result is delivered exactly once, to the wait
// or later from the handle. Each race 10,000 times: an awaited wait(1 ms), an awaited
// wait(token) stopped at 1 ms, a blocking join(1 ms).
TEST_CASE("sim: completion vs timeout or stop at the same instant, 10,000 executions each: delivered once or left in the handle",
          "[cancel][join][sim]") {
  sim::SimPlatform sp;
  for (Race race : {Race::timeout_wait, Race::stop_wait, Race::timeout_join}) {
    int delivered = 0, withdrawn = 0;
    const std::uint64_t runs = 10000;
    for (std::uint64_t seed = 0; seed < runs; ++seed) {
      sim::RandomSource rs(seed);
      std::string out;
      auto r = sp.run([&] { out = race_once(race); }, rs);
      REQUIRE(r.outcome == sim::Outcome::completed);
      (out == "42" ? delivered : withdrawn)++;
    }
    INFO("race " << int(race) << ": delivered " << delivered << ", withdrawn " << withdrawn);
    CHECK(delivered > 0);
    CHECK(withdrawn > 0);
    CHECK(delivered + withdrawn == int(runs));
  }
}
