#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <weft/weft.hpp>

using namespace weft;

TEST_CASE("spawn runs on the pool and join returns the value", "[executor]") {
  ThreadPool pool(4);
  auto h = spawn(pool, []() -> Task<std::thread::id> { co_return std::this_thread::get_id(); }());
  CHECK(h.join() != std::this_thread::get_id());
}

TEST_CASE("many spawned tasks all complete", "[executor]") {
  ThreadPool pool(4);
  std::atomic<int> n{0};
  std::vector<JoinHandle<void>> hs;
  for (int i = 0; i < 10000; ++i)
    hs.push_back(spawn(pool, [](std::atomic<int>& c) -> Task<void> {
      c.fetch_add(1);
      co_return;
    }(n)));
  for (auto& h : hs) h.join();
  CHECK(n == 10000);
}

TEST_CASE("awaiting a JoinHandle resumes on the awaiting executor", "[executor][affinity]") {
  ThreadPool pool(2);
  SerialExecutor ui("ui");
  auto h = spawn(ui, [](ThreadPool& p, SerialExecutor& u) -> Task<bool> {
    bool before = u.running_here();
    co_await spawn(p, []() -> Task<void> { co_return; }());
    co_return before && u.running_here();
  }(pool, ui));
  CHECK(h.join());
}

TEST_CASE("a JoinHandle joined twice is a MisuseError", "[executor][misuse]") {
  ThreadPool pool(1);
  auto h = spawn(pool, []() -> Task<int> { co_return 1; }());
  CHECK(h.join() == 1);
  CHECK_THROWS_AS(h.join(), MisuseError);
}

TEST_CASE("a detached task's exception reaches the unhandled hook with its spawn site", "[executor][lost]") {
  std::atomic<int> lost{0};
  std::string msg;
  unsigned line = 0;
  auto prev = set_unhandled_exception_handler([&](const LostException& e) {
    msg = e.message;
    line = e.where.line();
    lost.fetch_add(1);
  });
  unsigned expected_line = 0;
  {
    ThreadPool pool(2);
    expected_line = __LINE__ + 1;
    spawn_detached(pool, []() -> Task<void> { throw std::runtime_error("update failed"); co_return; }());
  }
  set_unhandled_exception_handler(prev);
  CHECK(lost == 1);
  CHECK(msg == "update failed");
  CHECK(line == expected_line);
}

TEST_CASE("a faulted task whose handle is dropped unjoined is reported lost", "[executor][lost]") {
  std::atomic<int> lost{0};
  auto prev = set_unhandled_exception_handler([&](const LostException&) { lost.fetch_add(1); });
  {
    ThreadPool pool(1);
    auto h = spawn(pool, []() -> Task<int> { throw std::logic_error("x"); co_return 1; }());
    while (!h.done()) std::this_thread::yield();
  }
  set_unhandled_exception_handler(prev);
  CHECK(lost == 1);
}

TEST_CASE("an observed exception is not reported lost", "[executor][lost]") {
  std::atomic<int> lost{0};
  auto prev = set_unhandled_exception_handler([&](const LostException&) { lost.fetch_add(1); });
  {
    ThreadPool pool(1);
    auto h = spawn(pool, []() -> Task<int> { throw std::logic_error("x"); co_return 1; }());
    CHECK_THROWS(h.join());
  }
  set_unhandled_exception_handler(prev);
  CHECK(lost == 0);
}

TEST_CASE("spawn_blocking runs on the blocking pool, growing on demand", "[executor]") {
  BlockingPool blocking(8);
  std::vector<JoinHandle<int>> hs;
  for (int i = 0; i < 4; ++i) hs.push_back(spawn_blocking(blocking, [i] {
    blocking_io(20_ms);
    return i;
  }));
  int sum = 0;
  for (auto& h : hs) sum += h.join();
  CHECK(sum == 6);
  CHECK(blocking.thread_count() >= 2);
}

TEST_CASE("thread injection adds a worker when queued work makes no progress", "[executor]") {
  ThreadPool pool(PoolOptions{"inject", 1, 3, 20_ms, false});
  // The only worker queues a task and then blocks until that task has run: only a second,
  // injected worker can run it.
  std::atomic<bool> released{false};
  auto blocker = spawn(pool, [](ThreadPool& p, std::atomic<bool>& r) -> Task<void> {
    auto releaser = spawn(p, [](std::atomic<bool>& rr) -> Task<void> {
      rr.store(true);
      co_return;
    }(r));
    while (!r.load()) blocking_io(1_ms);
    co_await releaser;
  }(pool, released));
  blocker.join();
  CHECK(released.load());
  CHECK(pool.thread_count() >= 2);
}

TEST_CASE("sleep_for waits at least the duration and is cancellable", "[timer]") {
  ThreadPool pool(2);
  auto t0 = real_platform().now();
  spawn(pool, []() -> Task<void> { co_await sleep_for(20_ms); }()).join();
  CHECK(real_platform().now() - t0 >= 20_ms);

  std::stop_source src;
  auto h = spawn(pool, [](std::stop_token tok) -> Task<bool> {
    try {
      co_await sleep_for(10_s, tok);
    } catch (const OperationCancelled&) {
      co_return true;
    }
    co_return false;
  }(src.get_token()));
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  request_stop(src);
  CHECK(h.join());
  CHECK(real_platform().now() - t0 < 5_s);
}

namespace {
struct ShutdownEnds {
  std::atomic<int> shut_down{0};
  std::atomic<int> woke{0};
};
Task<void> long_sleeper(ShutdownEnds& e) {
  try {
    co_await sleep_for(30_s);
    e.woke.fetch_add(1);
  } catch (const ExecutorShutDown&) {
    e.shut_down.fetch_add(1);
    throw;  // ends the detached task: not a lost exception
  }
}
Task<void> sleeps_again(ShutdownEnds& e) {
  for (int i = 0; i < 3; ++i) {
    try {
      co_await sleep_for(30_s);
      e.woke.fetch_add(1);
    } catch (const OperationCancelled&) {
      e.shut_down.fetch_add(1);  // the pool is closing: each new sleep is refused at once
    }
  }
}
}  // namespace

TEST_CASE("executors destroyed while detached tasks sleep: the sleepers are cancelled and unwind", "[timer][shutdown]") {
  std::atomic<int> lost{0};
  auto prev = set_unhandled_exception_handler([&](const LostException&) { lost.fetch_add(1); });
  ShutdownEnds e;
  for (int round = 0; round < 20; ++round) {
    ThreadPool pool(2);
    SerialExecutor ui("ui");
    for (int i = 0; i < 8; ++i) spawn_detached(pool, long_sleeper(e));
    spawn_detached(pool, sleeps_again(e));
    spawn_detached(ui, long_sleeper(e));
    // Until all ten are asleep (or about to be): the pending timers are what is tested.
    while (pool.queued() > 0) std::this_thread::yield();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }  // ~SerialExecutor, ~ThreadPool: well before 30 s
  CHECK(e.woke.load() == 0);
  CHECK(e.shut_down.load() == 20 * (8 + 3 + 1));
  CHECK(lost.load() == 0);
  set_unhandled_exception_handler(prev);
}
