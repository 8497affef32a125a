// sim/src/heap.cpp: an execution that ends in deadlock or at a limit gives back everything
// its code allocated, so a campaign's memory stays flat however many executions it runs.
#include <malloc.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <vector>

#include "weft/model/explorer.hpp"
#include "weft/sim/sim.hpp"
#include "weft/weft.hpp"

using namespace weft;

namespace {

Task<void> wait_forever(Event* e, std::vector<int>* scratch) {
  scratch->assign(256, 1);  // heap the abandoned execution owns
  co_await e->wait();
}

// Deadlocks every time: main joins a task that waits on an event nobody sets.
void deadlocking_body() {
  ThreadPool pool(2);
  Event never;
  std::vector<int> scratch;
  auto h = spawn(pool, wait_forever(&never, &scratch));
  h.join();
}

Task<void> bump(Mutex* m, int* n) {
  auto g = co_await m->lock();
  ++*n;
}

void clean_body() {
  ThreadPool pool(2);
  Mutex m;
  int n = 0;
  auto a = spawn(pool, bump(&m, &n));
  auto b = spawn(pool, bump(&m, &n));
  a.join();
  b.join();
}

std::size_t heap_in_use() { return mallinfo2().uordblks; }

std::size_t rss_bytes() {
  long pages = 0, resident = 0;
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
  std::fclose(f);
  return static_cast<std::size_t>(resident) * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

// Heap in use after `n` more executions of `body`.
std::size_t heap_after(sim::SimPlatform& sim, const std::function<void()>& body, int n, sim::Outcome expect) {
  for (int i = 0; i < n; ++i) {
    sim::RandomSource src(static_cast<std::uint64_t>(i));
    sim::RunResult r = sim.run(body, src);
    REQUIRE(r.outcome == expect);
  }
  return heap_in_use();
}

}  // namespace

TEST_CASE("an abandoned execution gives its heap back") {
  sim::SimPlatform sim;
  std::function<void()> body = deadlocking_body;
  std::size_t warm = heap_after(sim, body, 1000, sim::Outcome::deadlock);
  std::size_t later = heap_after(sim, body, 10000, sim::Outcome::deadlock);
  INFO("heap in use after 1000 executions: " << warm << " B, after 11000: " << later << " B");
  CHECK(later <= warm + 64 * 1024);
}

TEST_CASE("without reclaiming, the same executions leak (the measurement can fail)") {
  sim::Options o;
  o.reclaim_abandoned = false;
  sim::SimPlatform sim(o);
  std::function<void()> body = deadlocking_body;
  std::size_t warm = heap_after(sim, body, 100, sim::Outcome::deadlock);
  std::size_t later = heap_after(sim, body, 1000, sim::Outcome::deadlock);
  INFO("heap in use after 100 executions: " << warm << " B, after 1100: " << later << " B");
  CHECK(later > warm + 1000 * 1024);
}

TEST_CASE("a completed execution keeps what it handed to the caller") {
  sim::SimPlatform sim;
  std::vector<std::vector<int>> kept;
  for (int i = 0; i < 100; ++i) {
    sim::RandomSource src(static_cast<std::uint64_t>(i));
    auto r = sim.run([&] { kept.push_back(std::vector<int>(100, i)); clean_body(); }, src);
    REQUIRE(r.outcome == sim::Outcome::completed);
  }
  REQUIRE(kept.size() == 100);
  for (int i = 0; i < 100; ++i) CHECK(kept[static_cast<std::size_t>(i)][99] == i);
}

TEST_CASE("clean and deadlocking executions interleaved: the heap stays flat") {
  sim::SimPlatform sim;
  std::function<void()> bad = deadlocking_body, good = clean_body;
  auto round = [&](int n) {
    for (int i = 0; i < n; ++i) {
      heap_after(sim, bad, 1, sim::Outcome::deadlock);
      heap_after(sim, good, 1, sim::Outcome::completed);
    }
    return heap_in_use();
  };
  std::size_t warm = round(500);
  std::size_t later = round(5000);
  INFO("heap in use: " << warm << " B, then " << later << " B");
  CHECK(later <= warm + 64 * 1024);
}

TEST_CASE("a weft::check loop over 10^5 deadlocking executions: RSS within 1.2x of 10^4") {
  auto run = [](std::uint64_t iterations) {
    model::ExploreOptions o;
    o.name = "heap";
    o.iterations = iterations;
    o.stop_at_first = false;
    o.shrink = false;
    auto checker = [](const sim::Trace&, const sim::RunResult& r) {
      std::vector<Violation> v;
      if (r.outcome == sim::Outcome::deadlock) {
        Violation x;
        x.kind = ViolationKind::deadlock;
        x.message = "deadlock";
        v.push_back(x);
      }
      return v;
    };
    auto report = model::explore(o, deadlocking_body, checker);
    REQUIRE(report.executions == iterations);
    REQUIRE(report.findings.size() == 1);
    return rss_bytes();
  };
  std::size_t at_1e4 = run(10000);
  std::size_t at_1e5 = run(100000);
  double ratio = double(at_1e5) / double(at_1e4);
  INFO("RSS after 10^4: " << at_1e4 / 1024 << " KiB, after 10^5 more: " << at_1e5 / 1024 << " KiB, ratio " << ratio);
  CHECK(ratio <= 1.2);
}
