// Cancellable and timed waits on real threads: every overload cancelled, timed out and
// succeeded, and the cancel-vs-grant race that must never lose a permit or a lock.
#include <catch2/catch.hpp>

#include <string>
#include <thread>
#include <weft/weft.hpp>

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

TEST_CASE("Mutex::lock: cancelled, timed out, succeeded; a cancelled waiter never owns it", "[cancel]") {
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

TEST_CASE("Semaphore: acquire and permit cancelled, timed out, succeeded; Permit is RAII", "[cancel]") {
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
