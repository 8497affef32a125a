#include <catch2/catch.hpp>

#include <mutex>
#include <thread>
#include <weft/weft.hpp>

using namespace weft;

TEST_CASE("the async mutex gives mutual exclusion across workers", "[sync]") {
  ThreadPool pool(4);
  Mutex m;
  long counter = 0;
  std::vector<JoinHandle<void>> hs;
  for (int i = 0; i < 8; ++i)
    hs.push_back(spawn(pool, [](Mutex& mu, long& c) -> Task<void> {
      for (int k = 0; k < 2000; ++k) {
        auto g = co_await mu.lock();
        long v = c;
        c = v + 1;
      }
    }(m, counter)));
  for (auto& h : hs) h.join();
  CHECK(counter == 16000);
}

TEST_CASE("semaphore bounds concurrency", "[sync]") {
  ThreadPool pool(4);
  Semaphore sem(2);
  std::atomic<int> inside{0}, peak{0};
  std::vector<JoinHandle<void>> hs;
  for (int i = 0; i < 16; ++i)
    hs.push_back(spawn(pool, [](Semaphore& s, std::atomic<int>& in, std::atomic<int>& pk) -> Task<void> {
      co_await s.acquire();
      int now = ++in;
      int p = pk.load();
      while (now > p && !pk.compare_exchange_weak(p, now)) {
      }
      co_await sleep_for(1_ms);
      --in;
      s.release();
    }(sem, inside, peak)));
  for (auto& h : hs) h.join();
  CHECK(peak.load() <= 2);
  CHECK(peak.load() >= 1);
}

TEST_CASE("event wakes every waiter", "[sync]") {
  ThreadPool pool(2);
  Event ev;
  std::atomic<int> woke{0};
  std::vector<JoinHandle<void>> hs;
  for (int i = 0; i < 5; ++i)
    hs.push_back(spawn(pool, [](Event& e, std::atomic<int>& w) -> Task<void> {
      co_await e.wait();
      ++w;
    }(ev, woke)));
  ev.set();
  for (auto& h : hs) h.join();
  CHECK(woke == 5);
}

TEST_CASE("channel delivers every value once, in order per producer, and closes", "[sync]") {
  ThreadPool pool(3);
  Channel<int> ch(4);
  auto producer = spawn(pool, [](Channel<int>& c) -> Task<void> {
    for (int i = 0; i < 1000; ++i) co_await c.send(i);
    c.close();
  }(ch));
  auto consumer = spawn(pool, [](Channel<int>& c) -> Task<long> {
    long sum = 0;
    int last = -1;
    while (auto v = co_await c.receive()) {
      if (*v != last + 1) throw std::runtime_error("out of order");
      last = *v;
      sum += *v;
    }
    co_return sum;
  }(ch));
  producer.join();
  CHECK(consumer.join() == 499500);
}

TEST_CASE("channel try_receive takes what is buffered and never waits, and a sender waiting on a full channel gets in after it", "[sync]") {
  ThreadPool pool(2);
  Channel<int> ch(1);
  CHECK_FALSE(ch.try_receive().has_value());  // empty: nothing, at once
  REQUIRE(ch.try_send(1));
  auto sender = spawn(pool, [](Channel<int>& c) -> Task<void> { co_await c.send(2); }(ch));  // blocks: full
  CHECK(ch.try_receive() == std::optional<int>(1));
  sender.join();  // blocked or not when try_receive ran, its value is now buffered
  CHECK(ch.try_receive() == std::optional<int>(2));
  REQUIRE(ch.try_send(3));
  ch.close();
  CHECK(ch.try_receive() == std::optional<int>(3));  // closed: what was buffered still drains
  CHECK_FALSE(ch.try_receive().has_value());
}

TEST_CASE("channel receive is cancellable", "[sync]") {
  ThreadPool pool(2);
  Channel<int> ch;
  std::stop_source src;
  auto h = spawn(pool, [](Channel<int>& c, std::stop_token t) -> Task<bool> {
    try {
      co_await c.receive(t);
    } catch (const OperationCancelled&) {
      co_return true;
    }
    co_return false;
  }(ch, src.get_token()));
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  request_stop(src);
  CHECK(h.join());
}

TEST_CASE("a blocking mutex protects a counter across real threads", "[sync]") {
  BlockingMutex m(real_platform());
  long c = 0;
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) {
        std::lock_guard g(m);
        ++c;
      }
    });
  for (auto& t : ts) t.join();
  CHECK(c == 80000);
}
