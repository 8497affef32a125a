#include <catch2/catch.hpp>
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <cstdlib>
#include <set>
#include <stdexcept>
#include <weft/sim/sim.hpp>
#include <weft/weft.hpp>

using namespace weft;

namespace {
Task<int> db_call_async(Nanos latency) {
  co_await sleep_for(latency);
  co_return 1;
}
Task<int> db_call_blocking(Nanos latency) {
  blocking_io(latency);
  co_return 1;
}

// One workload, written once, run on both platforms: when_all over a pool + a serial executor.
long workload() {
  ThreadPool pool(3, "pool");
  SerialExecutor ui("ui");
  auto h = spawn(ui, [](ThreadPool& p) -> Task<long> {
    std::vector<Task<int>> parts;
    for (int i = 0; i < 20; ++i) parts.push_back([](ThreadPool& pp, int v) -> Task<int> {
      co_await sleep_for(1_ms);
      co_return co_await spawn(pp, [](int x) -> Task<int> { co_return x * x; }(v));
    }(p, i));
    auto rs = co_await when_all(std::move(parts));
    long s = 0;
    for (int r : rs) s += r;
    co_return s;
  }(pool));
  return h.join();
}
}  // namespace

TEST_CASE("the field's numbers: 10 workers, 2 s service, 11 blocking requests -> the 11th at 4 s", "[sim]") {
  sim::SimPlatform sp;
  sim::RandomSource rs(1);
  Nanos last = 0;
  auto r = sp.run([&] {
    ThreadPool pool(10);
    std::vector<JoinHandle<int>> hs;
    for (int i = 0; i < 11; ++i) hs.push_back(spawn(pool, db_call_blocking(2_s)));
    for (auto& h : hs) h.join();
    last = current_platform().now();
  }, rs);
  CHECK(r.outcome == sim::Outcome::completed);
  CHECK(last == 4_s);
}

TEST_CASE("the field's numbers: 10,000 awaiting requests all complete at 2 s", "[sim]") {
  sim::SimPlatform sp;
  sim::RandomSource rs(2);
  Nanos last = 0;
  auto r = sp.run([&] {
    ThreadPool pool(10);
    std::vector<JoinHandle<int>> hs;
    for (int i = 0; i < 10000; ++i) hs.push_back(spawn(pool, db_call_async(2_s)));
    long n = 0;
    for (auto& h : hs) n += h.join();
    last = current_platform().now();
    CHECK(n == 10000);
  }, rs);
  CHECK(r.outcome == sim::Outcome::completed);
  CHECK(last == 2_s);
}

TEST_CASE("the same workload gives the same result on real threads and in simulation", "[sim]") {
  long real = workload();
  sim::SimPlatform sp;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    sim::RandomSource rs(seed);
    long simulated = 0;
    auto r = sp.run([&] { simulated = workload(); }, rs);
    REQUIRE(r.outcome == sim::Outcome::completed);
    CHECK(simulated == real);
  }
  CHECK(real == 2470);
}

TEST_CASE("a run where nothing can run and nothing is pending ends cleanly and says who waits", "[sim]") {
  sim::SimPlatform sp;
  sim::RandomSource rs(3);
  auto r = sp.run([] {
    SerialExecutor ui("ui");
    auto h = spawn(ui, []() -> Task<void> {
      block_on(db_call_async(10_ms));  // continuation captured back to the blocked ui thread
      co_return;
    }());
    h.join();
  }, rs);
  CHECK(r.outcome == sim::Outcome::deadlock);
  REQUIRE(r.waiting.size() == 2);
  CHECK(r.message.find("ui waits on task") != std::string::npos);
  CHECK(r.message.find("main waits on task") != std::string::npos);
  // The simulator is reusable after an abandoned execution.
  auto r2 = sp.run([] { CHECK(block_on(db_call_async(1_ms)) == 1); }, rs);
  CHECK(r2.outcome == sim::Outcome::completed);
}

TEST_CASE("limits end an execution with an explanation", "[sim]") {
  sim::Options o;
  o.limits.steps_max = 1000;
  sim::SimPlatform sp(o);
  sim::RandomSource rs(4);
  auto r = sp.run([] {
    ThreadPool pool(2);
    spawn(pool, [](ThreadPool& p) -> Task<void> {
      for (;;) co_await spawn(p, []() -> Task<void> { co_return; }());  // a busy loop of hops
    }(pool)).join();
  }, rs);
  CHECK((r.outcome == sim::Outcome::step_limit || r.outcome == sim::Outcome::time_limit));
  sim::Options o2;
  o2.limits.time_max = 10_s;
  sim::SimPlatform sp2(o2);
  auto r2 = sp2.run([] {
    ThreadPool pool(1);
    spawn(pool, []() -> Task<void> {
      for (;;) co_await sleep_for(1_s);
    }()).join();
  }, rs);
  CHECK(r2.outcome == sim::Outcome::time_limit);
  CHECK(r2.message.find("virtual time") != std::string::npos);
}

TEST_CASE("the limit knobs the messages name are read from the environment", "[sim]") {
  struct Env {  // sets a variable for the scope of the test, restores its absence after
    const char* name;
    Env(const char* n, const char* v) : name(n) { ::setenv(n, v, 1); }
    ~Env() { ::unsetenv(name); }
  };
  auto ticking = [] {
    ThreadPool pool(1);
    spawn(pool, []() -> Task<void> {
      for (;;) co_await sleep_for(1_s);
    }()).join();
  };
  sim::RandomSource rs(1);
  {
    Env e("WEFT_TIME_MAX_MS", "5000");
    sim::SimPlatform sp(sim::Options{});
    auto r = sp.run(ticking, rs);
    CHECK(r.outcome == sim::Outcome::time_limit);
    CHECK(r.message.find("exceeded 5000 ms of virtual time") != std::string::npos);
  }
  {
    Env e("WEFT_STEPS", "50");
    sim::SimPlatform sp(sim::Options{});
    auto r = sp.run(ticking, rs);
    CHECK(r.outcome == sim::Outcome::step_limit);
    CHECK(r.message.find("exceeded 50 steps") != std::string::npos);
  }
  {
    Env e("WEFT_TASKS_MAX", "3");
    sim::SimPlatform sp(sim::Options{});
    auto r = sp.run([] {
      ThreadPool pool(1);
      std::vector<JoinHandle<void>> hs;
      for (int i = 0; i < 10; ++i) hs.push_back(spawn(pool, []() -> Task<void> { co_await sleep_for(1_s); }()));
      for (auto& h : hs) h.join();
    }, rs);
    CHECK(r.outcome == sim::Outcome::task_limit);
  }
  {
    Env e("WEFT_STEPS", "lots");
    CHECK_THROWS_AS(sim::SimPlatform(sim::Options{}), std::invalid_argument);
  }
}

namespace {
// A random program: a list of ops per request.
struct Op {
  int kind;  // 0 sleep, 1 spawn+await child, 2 blocking, 3 service (random latency), 4 block_on on blocking pool
  int arg;
};
Task<int> run_ops(ThreadPool& pool, BlockingPool& bp, std::vector<Op> ops) {
  int acc = 0;
  for (auto& op : ops) {
    switch (op.kind) {
      case 0: co_await sleep_for(Nanos(op.arg) * 1_ms); break;
      case 1: acc += co_await spawn(pool, [](int v) -> Task<int> { co_return v; }(op.arg)); break;
      case 2: blocking_io(Nanos(op.arg) * 1_ms); break;
      case 3: co_await sleep_for(Nanos(current_platform().random_below(50) + 1) * 1_ms); break;
      default: acc += spawn_blocking(bp, [v = op.arg] { return v; }).join(); break;
    }
  }
  co_return acc;
}
}  // namespace

TEST_CASE("determinism: same seed, same trace hash, different seeds, different interleavings", "[sim][property]") {
  rc::prop("determinism", [] {
    auto programs = *rc::gen::container<std::vector<std::vector<Op>>>(
        *rc::gen::inRange(2, 6), rc::gen::container<std::vector<Op>>(*rc::gen::inRange(1, 5), rc::gen::build<Op>(
            rc::gen::set(&Op::kind, rc::gen::inRange(0, 5)), rc::gen::set(&Op::arg, rc::gen::inRange(0, 30)))));
    auto body = [&] {
      ThreadPool pool(3);
      BlockingPool bp(4);
      std::vector<JoinHandle<int>> hs;
      for (auto& p : programs) hs.push_back(spawn(pool, run_ops(pool, bp, p)));
      for (auto& h : hs) h.join();
    };
    sim::SimPlatform sp;
    std::set<std::uint64_t> distinct;
    for (std::uint64_t seed = 0; seed < 8; ++seed) {
      sim::RandomSource a(seed), b(seed);
      auto r1 = sp.run(body, a);
      std::string d1 = sp.trace().dump();
      auto r2 = sp.run(body, b);
      RC_ASSERT(r1.outcome == sim::Outcome::completed);
      RC_ASSERT(r1.trace_hash == r2.trace_hash);
      RC_ASSERT(d1 == sp.trace().dump());
      distinct.insert(r1.trace_hash);
    }
    RC_TAG(distinct.size() > 1 ? "several interleavings" : "one interleaving");
  });
}

TEST_CASE("different seeds explore different interleavings", "[sim]") {
  sim::SimPlatform sp;
  std::set<std::uint64_t> distinct;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    sim::RandomSource rs(seed);
    auto r = sp.run([] {
      ThreadPool pool(3);
      std::vector<JoinHandle<int>> hs;
      for (int i = 0; i < 4; ++i) hs.push_back(spawn(pool, [](int v) -> Task<int> {
        co_await sleep_for(0);
        co_return v;
      }(i)));
      for (auto& h : hs) h.join();
    }, rs);
    REQUIRE(r.outcome == sim::Outcome::completed);
    distinct.insert(r.trace_hash);
  }
  INFO("distinct traces over 200 seeds: " << distinct.size());
  CHECK(distinct.size() >= 20);
}

namespace {
// Two threads, each taking two blocking mutexes; `inverted` takes them in opposite orders.
sim::RunResult two_lockers(sim::SimPlatform& sp, std::uint64_t seed, bool inverted, int* total) {
  sim::RandomSource rs(seed);
  return sp.run([inverted, total] {
    Platform& p = current_platform();
    BlockingMutex a, b;
    int c = 0;
    auto first = p.start_thread("first", [&] {
      std::lock_guard ga(a);
      std::lock_guard gb(b);
      ++c;
    });
    auto second = p.start_thread("second", [&] {
      BlockingMutex& x = inverted ? b : a;
      BlockingMutex& y = inverted ? a : b;
      std::lock_guard gx(x);
      std::lock_guard gy(y);
      ++c;
    });
    first->join();
    second->join();
    *total = c;
  }, rs);
}
}  // namespace

TEST_CASE("a blocking mutex: every lock is a scheduling point, inversions deadlock, the counter is exact",
          "[sim]") {
  sim::Options o;
  o.trace = false;
  sim::SimPlatform sp(o);
  int deadlocks = 0;
  std::set<std::uint64_t> schedules;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    int total = -1;
    auto r = two_lockers(sp, seed, false, &total);
    REQUIRE(r.outcome == sim::Outcome::completed);
    CHECK(total == 2);
    schedules.insert(r.trace_hash);
    auto inv = two_lockers(sp, seed, true, &total);
    if (inv.outcome == sim::Outcome::deadlock) {
      ++deadlocks;
      CHECK(inv.message.find("waits on a lock") != std::string::npos);
    } else {
      CHECK(inv.outcome == sim::Outcome::completed);
    }
  }
  CHECK(schedules.size() > 1);  // the lock points are choices
  CHECK(deadlocks > 0);         // some interleavings of the inverted order deadlock...
  CHECK(deadlocks < 200);       // ...and some do not
}

TEST_CASE("fine granularity: the scheduler's own locks become choices, and the runtime stays correct", "[sim]") {
  sim::Options coarse_o, fine_o;
  coarse_o.trace = false;
  fine_o.trace = false;
  fine_o.granularity = sim::Granularity::fine;
  sim::SimPlatform coarse(coarse_o), fine(fine_o);
  std::set<std::uint64_t> coarse_schedules, fine_schedules;
  std::uint64_t coarse_steps = 0, fine_steps = 0;
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    long a = 0, b = 0;
    sim::RandomSource r1(seed), r2(seed), r3(seed);
    auto rc = coarse.run([&] { a = workload(); }, r1);
    auto rf = fine.run([&] { b = workload(); }, r2);
    REQUIRE(rc.outcome == sim::Outcome::completed);
    REQUIRE(rf.outcome == sim::Outcome::completed);
    CHECK(a == 2470);
    CHECK(b == 2470);
    coarse_steps += rc.steps;
    fine_steps += rf.steps;
    coarse_schedules.insert(rc.trace_hash);
    fine_schedules.insert(rf.trace_hash);
    // Fine executions are as deterministic as coarse ones.
    long again = 0;
    auto rf2 = fine.run([&] { again = workload(); }, r3);
    CHECK(rf2.trace_hash == rf.trace_hash);
  }
  CHECK(fine_steps > coarse_steps);  // every internal lock is a scheduling point too
  CHECK(fine_schedules.size() >= coarse_schedules.size());
}
