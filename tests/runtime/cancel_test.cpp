// Cancellable and timed waits on real threads: every overload cancelled, timed out and
// succeeded, and the cancel-vs-grant race that must never lose a permit or a lock.
#include <catch2/catch.hpp>

#include <string>
#include <thread>
#include <weft/weft.hpp>

#include "runtime/wait_outcome.hpp"

using namespace weft;

namespace {
// "ok", "cancelled" or "timed out": how awaiting what `make()` returns ended.
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

void pause_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }
}  // namespace

TEST_CASE("Mutex::lock: cancelled, timed out, succeeded, a cancelled waiter never owns it", "[cancel]") {
  ThreadPool pool(2);
  Mutex m{"cache"};
  REQUIRE(m.try_lock());
  std::stop_source src;
  auto cancelled = spawn(pool, outcome_of([&] { return m.lock(src.get_token()); }));
  auto timed = spawn(pool, outcome_of([&] { return m.lock(10_ms); }));
  CHECK(timed.join() == "timed out");
  request_stop(src);
  CHECK(cancelled.join() == "cancelled");
  m.unlock();
  REQUIRE(m.try_lock());  // nobody was handed the lock
  auto later = spawn(pool, outcome_of([&] { return m.lock(10_s); }));
  pause_ms(5);
  m.unlock();
  CHECK(later.join() == "ok");
  CHECK(m.try_lock());  // the guard let go
  m.unlock();
  std::stop_source stopped;
  stopped.request_stop();
  CHECK(block_on(outcome_of([&] { return m.lock(stopped.get_token()); })) == "cancelled");
}

TEST_CASE("Semaphore: acquire and permit cancelled, timed out, succeeded, Permit is RAII", "[cancel]") {
  ThreadPool pool(2);
  Semaphore db{1, "db"};
  REQUIRE(db.try_acquire());
  std::stop_source src;
  auto cancelled = spawn(pool, outcome_of([&] { return db.acquire(src.get_token()); }));
  auto timed = spawn(pool, outcome_of([&] { return db.permit(10_ms); }));
  auto timed_acquire = spawn(pool, outcome_of([&] { return db.acquire(10_ms); }));
  CHECK(timed.join() == "timed out");
  CHECK(timed_acquire.join() == "timed out");
  request_stop(src);
  CHECK(cancelled.join() == "cancelled");
  CHECK(db.available() == 0);
  db.release();
  CHECK(db.available() == 1);
  auto ok = spawn(pool, outcome_of([&] { return db.permit(10_s); }));
  CHECK(ok.join() == "ok");
  CHECK(db.available() == 1);  // the permit went back when it was dropped

  // The exception path gives the permit back.
  auto failing = spawn(pool, [](Semaphore& s) -> Task<void> {
    auto permit = co_await s.permit();
    CHECK(s.available() == 0);
    throw std::runtime_error("query failed");
  }(db));
  CHECK_THROWS_AS(failing.join(), std::runtime_error);
  CHECK(db.available() == 1);

  // Moving a permit moves the duty to release it.
  auto moved = block_on([](Semaphore& s) -> Task<std::int64_t> {
    Semaphore::Permit a = co_await s.permit();
    Semaphore::Permit b = std::move(a);
    CHECK(!a);
    CHECK(b);
    std::int64_t inside = s.available();
    b.release();
    CHECK(!b);
    co_return inside;
  }(db));
  CHECK(moved == 0);
  CHECK(db.available() == 1);
}

TEST_CASE("Event::wait: cancelled, timed out, succeeded", "[cancel]") {
  ThreadPool pool(2);
  Event ready{"ready"};
  std::stop_source src;
  auto cancelled = spawn(pool, outcome_of([&] { return ready.wait(src.get_token()); }));
  auto timed = spawn(pool, outcome_of([&] { return ready.wait(10_ms); }));
  auto ok = spawn(pool, outcome_of([&] { return ready.wait(10_s); }));
  CHECK(timed.join() == "timed out");
  request_stop(src);
  CHECK(cancelled.join() == "cancelled");
  ready.set();
  CHECK(ok.join() == "ok");
}

TEST_CASE("Channel::send and receive: cancelled, timed out, succeeded", "[cancel]") {
  ThreadPool pool(2);
  Channel<int> jobs{1, "jobs"};
  REQUIRE(jobs.try_send(1));  // full
  std::stop_source src;
  auto cancelled = spawn(pool, outcome_of([&] { return jobs.send(2, src.get_token()); }));
  auto timed = spawn(pool, outcome_of([&] { return jobs.send(3, 10_ms); }));
  CHECK(timed.join() == "timed out");
  request_stop(src);
  CHECK(cancelled.join() == "cancelled");
  auto sent = spawn(pool, outcome_of([&] { return jobs.send(4, 10_s); }));
  CHECK(block_on(jobs.receive(10_s)) == 1);
  CHECK(sent.join() == "ok");
  CHECK(block_on(jobs.receive(10_s)) == 4);  // neither cancelled value got in
  CHECK(block_on(outcome_of([&] { return jobs.receive(10_ms); })) == "timed out");
}

TEST_CASE("with_timeout and with_stop on a task built with a stop source's token", "[cancel]") {
  ThreadPool pool(2);
  auto slow = [](std::stop_token t) -> Task<int> {
    co_await sleep_for(10_s, t);
    co_return 1;
  };
  {
    std::stop_source src;
    auto r = block_on(outcome_of([&] { return with_timeout(slow(src.get_token()), 10_ms, src); }));
    CHECK(r == "timed out");
  }
  {
    std::stop_source src, outer;
    auto h = spawn(pool, outcome_of([&] { return with_stop(slow(src.get_token()), outer.get_token(), src); }));
    pause_ms(5);
    request_stop(outer);
    CHECK(h.join() == "cancelled");
  }
  {
    auto fast = [](std::stop_token t) -> Task<int> {
      co_await sleep_for(1_ms, t);
      co_return 7;
    };
    std::stop_source src;
    CHECK(block_on(with_timeout(fast(src.get_token()), 10_s, src)) == 7);
    CHECK(block_on(with_timeout(10_s, [&](std::stop_token t) { return fast(t); })) == 7);
  }
}

TEST_CASE("cancel racing with release on real threads never loses a permit", "[cancel]") {
  ThreadPool pool(3);
  Semaphore sem{0, "race"};
  int granted = 0, cancelled = 0;
  for (int i = 0; i < 300; ++i) {
    std::stop_source src;
    auto waiter = spawn(pool, outcome_of([&] { return sem.permit(src.get_token()); }));
    auto stopper = spawn(pool, [](std::stop_source& s) -> Task<void> {
      s.request_stop();
      co_return;
    }(src));
    sem.release();
    stopper.join();
    std::string r = waiter.join();
    (r == "ok" ? granted : cancelled)++;
    REQUIRE(sem.available() == 1);  // granted: the permit came back; cancelled: never taken
    REQUIRE(sem.try_acquire());
  }
  CHECK(granted + cancelled == 300);
}

namespace {
using weft::test::value_of;
using weft::test::gated;
Nanos since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

TEST_CASE("JoinHandle::wait: timed out, cancelled, succeeded, giving up leaves the handle usable", "[cancel][join]") {
  ThreadPool pool(2);
  Event go{"go"};
  auto worker = spawn(pool, gated(go, 42));
  auto t0 = std::chrono::steady_clock::now();
  CHECK(spawn(pool, value_of([&] { return worker.wait(10_ms); })).join() == "timed out");
  CHECK(since(t0) >= 10_ms);
  std::stop_source src;
  auto cancelled = spawn(pool, value_of([&] { return worker.wait(src.get_token()); }));
  pause_ms(5);
  request_stop(src);
  CHECK(cancelled.join() == "cancelled");
  // A token stopped before the wait cancels it (the task is not done).
  CHECK(block_on(value_of([&] { return worker.wait(src.get_token()); })) == "cancelled");
  REQUIRE(worker.valid());
  CHECK(!worker.done());  // giving up did not cancel the task
  go.set();
  CHECK(block_on(value_of([&] { return worker.wait(10_s); })) == "42");
  // The result was delivered once: the handle is used up.
  CHECK_THROWS_AS(worker.join(), MisuseError);

  // A wait whose token is never stopped ends with the result; so does a done task's.
  auto quick = spawn(pool, gated(go, 7));
  std::stop_source never;
  CHECK(block_on(value_of([&] { return quick.wait(never.get_token()); })) == "7");
  auto done = spawn(pool, gated(go, 8));
  while (!done.done()) pause_ms(1);
  CHECK(block_on(value_of([&] { return done.wait(src.get_token()); })) == "8");  // stopped, but done
  auto polled = spawn(pool, gated(go, 9));
  while (!polled.done()) pause_ms(1);
  CHECK(block_on(value_of([&] { return polled.wait(0); })) == "9");  // wait(0) polls
  // Giving up, then detaching: the task's exception goes to the unhandled hook, as for any
  // detached task.
  Event late{"late"};
  auto failing = spawn(pool, [](Event& e) -> Task<int> {
    co_await e.wait();
    throw std::runtime_error("late failure");
  }(late));
  CHECK(block_on(value_of([&] { return failing.wait(1_ms); })) == "timed out");
  std::atomic<int> lost{0};
  auto old = set_unhandled_exception_handler([&](const LostException&) { ++lost; });
  failing.detach();
  late.set();
  for (int i = 0; i < 2000 && lost == 0; ++i) pause_ms(1);
  set_unhandled_exception_handler(old);
  CHECK(lost == 1);
}

TEST_CASE("JoinHandle::join and block_on with a timeout or a token: timed out, cancelled, succeeded",
          "[cancel][join]") {
  ThreadPool pool(2);
  Event go{"go"};
  auto worker = spawn(pool, gated(go, 42));
  auto t0 = std::chrono::steady_clock::now();
  CHECK_THROWS_AS(worker.join(10_ms), TimedOut);
  CHECK(since(t0) >= 10_ms);
  CHECK_THROWS_AS(block_on(worker, 10_ms), TimedOut);
  std::stop_source src;
  std::thread stopper([&] {
    pause_ms(5);
    src.request_stop();
  });
  CHECK_THROWS_AS(worker.join(src.get_token()), OperationCancelled);
  stopper.join();
  CHECK_THROWS_AS(block_on(worker, src.get_token()), OperationCancelled);  // stopped before
  CHECK_THROWS_AS(block_on(worker, 10_s, src.get_token()), OperationCancelled);
  CHECK(!worker.done());
  go.set();
  CHECK(block_on(worker, 10_s) == 42);
  CHECK_THROWS_AS(worker.join(10_s), MisuseError);
  CHECK(block_on(spawn(pool, gated(go, 5)), 10_s) == 5);
  auto done = spawn(pool, gated(go, 4));
  while (!done.done()) pause_ms(1);
  CHECK(done.join(src.get_token()) == 4);  // a done task's result wins over a stopped token
  std::stop_source never;
  CHECK(block_on(spawn(pool, gated(go, 6)), never.get_token()) == 6);
}

TEST_CASE("block_on(task, timeout, source) and block_on(task, outer, source) cancel the task and wait for it",
          "[cancel][join]") {
  ThreadPool pool(2);
  std::atomic<int> ended{0};
  auto slow = [](std::stop_token t, std::atomic<int>& n) -> Task<int> {
    struct Count {
      std::atomic<int>& n;
      ~Count() { ++n; }
    } count{n};
    co_await sleep_for(10_s, t);
    co_return 1;
  };
  {
    std::stop_source src;
    auto t0 = std::chrono::steady_clock::now();
    CHECK_THROWS_AS(block_on(slow(src.get_token(), ended), 10_ms, src), TimedOut);
    CHECK(since(t0) < 5_s);
    CHECK(ended == 1);  // the task ended before block_on returned
  }
  {
    std::stop_source src, outer;
    std::thread stopper([&] {
      pause_ms(5);
      outer.request_stop();
    });
    CHECK_THROWS_AS(block_on(slow(src.get_token(), ended), outer.get_token(), src), OperationCancelled);
    stopper.join();
    CHECK(ended == 2);
  }
  {
    std::stop_source src;
    auto fast = [](std::stop_token t) -> Task<int> {
      co_await sleep_for(1_ms, t);
      co_return 7;
    };
    CHECK(block_on(fast(src.get_token()), 10_s, src) == 7);
  }
}

TEST_CASE("a stop racing with the completion on real threads: the result is delivered once or stays in the handle",
          "[cancel][join]") {
  ThreadPool pool(3);
  int delivered = 0, withdrawn = 0;
  for (int i = 0; i < 300; ++i) {
    Event go{"go"};
    auto worker = spawn(pool, gated(go, i));
    std::stop_source src;
    auto waiter = spawn(pool, value_of([&] { return worker.wait(src.get_token()); }));
    auto stopper = spawn(pool, [](std::stop_source& s) -> Task<void> {
      s.request_stop();
      co_return;
    }(src));
    go.set();
    stopper.join();
    std::string r = waiter.join();
    if (r == "cancelled") {
      ++withdrawn;
      REQUIRE(worker.join() == i);  // not lost: still in the handle
    } else {
      ++delivered;
      REQUIRE(r == std::to_string(i));
      REQUIRE_THROWS_AS(worker.join(), MisuseError);  // not delivered twice
    }
  }
  CHECK(delivered + withdrawn == 300);
  // The blocking side: a thread joins with a token while another stops it.
  for (int i = 0; i < 300; ++i) {
    Event go{"go"};
    auto worker = spawn(pool, gated(go, i));
    std::stop_source src;
    std::thread stopper([&] { src.request_stop(); });
    go.set();
    int got = -1;
    try {
      got = worker.join(src.get_token());
    } catch (const OperationCancelled&) {
      got = worker.join();
    }
    stopper.join();
    REQUIRE(got == i);
  }
}
