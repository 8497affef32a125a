// Cancellable and timed waits in simulation: each overload on virtual time, and the
// cancel-vs-grant races explored over 10,000 executions with an invariant.
#include <catch2/catch.hpp>

#include <string>
#include <weft/sim/sim.hpp>
#include <weft/weft.hpp>

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
