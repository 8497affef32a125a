// 10^6 tasks across 4 workers and 2 serial executors; run under TSan in CI.
#include <catch2/catch.hpp>

#include <atomic>
#include <weft/weft.hpp>

using namespace weft;

namespace {
Task<void> leaf(std::atomic<long>& n) {
  n.fetch_add(1, std::memory_order_relaxed);
  co_return;
}
// Each batch hops between the pool and the serial executors and joins its children.
Task<void> batch(ThreadPool& pool, SerialExecutor& a, SerialExecutor& b, std::atomic<long>& n, int width) {
  std::vector<JoinHandle<void>> hs;
  hs.reserve(width);
  for (int i = 0; i < width; ++i) {
    Executor& ex = (i % 3 == 0) ? static_cast<Executor&>(a) : (i % 3 == 1) ? static_cast<Executor&>(b) : pool;
    hs.push_back(spawn(ex, leaf(n)));
  }
  for (auto& h : hs) co_await h;
}
}  // namespace

TEST_CASE("a million tasks across 4 workers and 2 serial executors all complete", "[stress]") {
  long total = 1000000;
  if (const char* e = std::getenv("WEFT_STRESS_TASKS")) total = std::atol(e);
  ThreadPool pool(4);
  SerialExecutor a("serial-a"), b("serial-b");
  std::atomic<long> n{0};
  const int width = 100;
  const long batches = total / width;
  std::vector<JoinHandle<void>> hs;
  for (long i = 0; i < batches; ++i) {
    hs.push_back(spawn(pool, batch(pool, a, b, n, width)));
    if (hs.size() == 64) {
      for (auto& h : hs) h.join();
      hs.clear();
    }
  }
  for (auto& h : hs) h.join();
  CHECK(n.load() == batches * width);
}
