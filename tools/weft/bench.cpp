// `weft bench`: the simulator's costs, as ratios measured in this process and this run.
#include <algorithm>
#include <chrono>
#include <coroutine>
#include <cstdio>
#include <fstream>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>

#include "common.hpp"
#include "weft/sim/sim.hpp"
#include "weft/weft.hpp"

namespace weft::cli {

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// A raw coroutine resume+suspend: the unit the simulator's step is compared with.
struct Gen {
  struct promise_type {
    long v = 0;
    Gen get_return_object() { return Gen{std::coroutine_handle<promise_type>::from_promise(*this)}; }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    std::suspend_always yield_value(long x) noexcept {
      v = x;
      return {};
    }
    void return_void() {}
    void unhandled_exception() {}
  };
  std::coroutine_handle<promise_type> h;
  ~Gen() {
    if (h) h.destroy();
  }
};
Gen counter_gen() {
  for (long i = 0;; ++i) co_yield i;
}

double raw_resume_ns(long n) {
  Gen g = counter_gen();
  auto t0 = Clock::now();
  long sum = 0;
  for (long i = 0; i < n; ++i) {
    g.h.resume();
    sum += g.h.promise().v;
  }
  double s = seconds_since(t0);
  if (sum == 42) std::puts("");
  return s * 1e9 / double(n);
}

long read_rss_kb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  return 0;
}

Task<void> hop(ThreadPool& p, int yields) {
  for (int i = 0; i < yields; ++i) co_await spawn(p, []() -> Task<void> { co_return; }());
}

// An execution that did not complete (a check in the body threw, a limit) stops the
// benchmark: its numbers would not mean anything.
const sim::RunResult& completed(const sim::RunResult& r) {
  if (r.outcome != sim::Outcome::completed)
    throw std::runtime_error(std::string("weft bench: an execution ended ") + sim::to_string(r.outcome) + ": " +
                             r.message);
  return r;
}

// Executions of one program, one after another, each with its own seed.
struct Rate {
  std::uint64_t executions = 0;
  std::uint64_t steps = 0;
  double seconds = 0;
};

// Runs `body` in fresh executions (execution i seeded with first_seed + i), `batch` at a
// time, until `seconds` have passed.
Rate measure(sim::SimPlatform& sp, const std::function<void()>& body, double seconds, std::uint64_t first_seed = 0,
             int batch = 1) {
  Rate r;
  auto t0 = Clock::now();
  while (r.seconds < seconds) {
    for (int i = 0; i < batch; ++i) {
      sim::RandomSource rs(first_seed + r.executions);
      r.steps += completed(sp.run(body, rs)).steps;
      ++r.executions;
    }
    r.seconds = seconds_since(t0);
  }
  return r;
}

}  // namespace

int cmd_bench(const std::vector<std::string>& args) {
  Args a = Args::parse(args, {}, {"--json"});
  if (!a.positional.empty()) throw UsageError{"usage: weft bench [--json]"};
  sim::Options quiet;
  quiet.trace = false;
  sim::SimPlatform sp(quiet);

  // (a) one simulated step vs one raw coroutine resume: two virtual threads at scheduling
  // points; each step is a recorded random decision and, half the time, a switch. The two
  // are measured in alternating rounds and the best round of each is kept, so that a
  // noisy neighbour slows both alike or neither.
  double raw_ns = 1e9, step_ns = 1e9;
  const std::function<void()> two_threads = [] {
    Platform& p = current_platform();
    auto body = [&p] {
      for (int i = 0; i < 20000; ++i) p.yield_point();
    };
    auto t1 = p.start_thread("a", body);
    auto t2 = p.start_thread("b", body);
    t1->join();
    t2->join();
  };
  for (std::uint64_t round = 0, seed = 0; round < 7; ++round) {
    raw_ns = std::min(raw_ns, raw_resume_ns(5'000'000));
    Rate r = measure(sp, two_threads, 0.1, seed);
    seed += r.executions;
    step_ns = std::min(step_ns, r.seconds * 1e9 / double(r.steps));
  }

  // (a2) a runtime job under simulation: spawn a task on a one-worker pool and await it
  // (two jobs, two steps), against the same code on real threads.
  constexpr int kHops = 20000;
  Rate hop_rate = measure(sp, [] {
    ThreadPool pool(1);
    block_on(hop(pool, kHops));
  }, 1.0);
  double sim_hop_ns = hop_rate.seconds * 1e9 / double(hop_rate.executions * kHops);
  std::uint64_t hops = 0;
  auto t0 = Clock::now();
  {
    ThreadPool pool(1, "bench", real_platform());
    while (seconds_since(t0) < 1.0) {
      block_on(hop(pool, kHops));
      hops += kHops;
    }
  }
  double real_hop_ns = seconds_since(t0) * 1e9 / double(hops);

  // (b1) counter: 2 tasks x 3 {lock; +=1; unlock} on the async mutex.
  Rate counter = measure(sp, [] {
    ThreadPool pool(2);
    Mutex m;
    int c = 0;
    auto worker = [](Mutex& mu, int& cc) -> Task<void> {
      for (int i = 0; i < 3; ++i) {
        auto g = co_await mu.lock();
        ++cc;
      }
    };
    auto h1 = spawn(pool, worker(m, c));
    auto h2 = spawn(pool, worker(m, c));
    h1.join();
    h2.join();
    if (c != 6) throw std::logic_error("counter: lost update");
  }, 1.0, 0, 1000);
  double counter_eps = double(counter.executions) / counter.seconds;

  // (b1') the same counter on two virtual threads and a blocking mutex (std::mutex's place).
  Rate blocking = measure(sp, [] {
    Platform& p = current_platform();
    BlockingMutex m;
    int c = 0;
    auto body = [&m, &c] {
      for (int i = 0; i < 3; ++i) {
        std::lock_guard g(m);
        ++c;
      }
    };
    auto t1 = p.start_thread("a", body);
    auto t2 = p.start_thread("b", body);
    t1->join();
    t2->join();
    if (c != 6) throw std::logic_error("counter: lost update");
  }, 1.0, 0, 1000);
  double blocking_eps = double(blocking.executions) / blocking.seconds;

  // (b2) spawn-chain: 100 tasks x 10 yields.
  Rate chain = measure(sp, [] {
    ThreadPool pool(4);
    std::vector<JoinHandle<void>> hs;
    for (int i = 0; i < 100; ++i) hs.push_back(spawn(pool, hop(pool, 10)));
    for (auto& h : hs) h.join();
  }, 1.0);
  double chain_sps = double(chain.steps) / chain.seconds;

  // (c) 10,000 concurrent requests x 2 s on 10 workers.
  t0 = Clock::now();
  sim::RandomSource rs(7);
  Nanos virtual_end = 0;
  completed(sp.run([&] {
    ThreadPool pool(10);
    std::vector<JoinHandle<void>> hs;
    for (int i = 0; i < 10000; ++i) hs.push_back(spawn(pool, []() -> Task<void> { co_await sleep_for(2_s); }()));
    for (auto& h : hs) h.join();
    virtual_end = current_platform().now();
  }, rs));
  double capacity_ms = seconds_since(t0) * 1e3;

  // (d) 1M live simulated tasks: memory.
  long rss0 = read_rss_kb();
  long rss_peak = rss0;
  sim::RandomSource rs2(9);
  sim::Options big = quiet;
  big.limits.steps_max = 50'000'000;  // a few steps per task
  sp.set_options(big);
  completed(sp.run([&] {
    ThreadPool pool(4);
    std::vector<JoinHandle<void>> hs;
    hs.reserve(1000000);
    for (int i = 0; i < 1000000; ++i) hs.push_back(spawn(pool, []() -> Task<void> { co_await sleep_for(1_s); }()));
    rss_peak = read_rss_kb();
    for (auto& h : hs) h.join();
  }, rs2));
  double mb_per_million = double(rss_peak - rss0) / 1024.0;

  if (a.has("--json")) {
    std::printf(
        "{\"raw_resume_ns\":%.3f,\"sim_step_ns\":%.3f,\"step_ratio\":%.2f,\"sim_hop_ns\":%.2f,\"real_hop_ns\":%.2f,"
        "\"counter_executions_per_s\":%.0f,\"counter_steps_per_execution\":%.1f,"
        "\"blocking_counter_executions_per_s\":%.0f,\"blocking_counter_steps_per_execution\":%.1f,"
        "\"spawn_chain_steps_per_s\":%.0f,\"capacity_10k_wall_ms\":%.2f,"
        "\"capacity_10k_virtual_s\":%.3f,\"million_tasks_mb\":%.1f}\n",
        raw_ns, step_ns, step_ns / raw_ns, sim_hop_ns, real_hop_ns, counter_eps,
        double(counter.steps) / double(counter.executions), blocking_eps, double(blocking.steps) / double(blocking.executions),
        chain_sps, capacity_ms, double(virtual_end) / 1e9, mb_per_million);
  } else {
    std::printf("raw coroutine resume+suspend     %8.2f ns\n", raw_ns);
    std::printf("simulated step (decision+switch) %8.2f ns   ratio %.1fx (target <= 10x)\n", step_ns, step_ns / raw_ns);
    std::printf("spawn+await on a 1-worker pool   %8.2f ns simulated, %.2f ns real threads (%.2fx)\n", sim_hop_ns,
                real_hop_ns, sim_hop_ns / real_hop_ns);
    std::printf("counter, async mutex (2 x 3)     %8.0f executions/s (%.1f steps each; target >= 1M/s)\n", counter_eps,
                double(counter.steps) / double(counter.executions));
    std::printf("counter, blocking mutex (2 x 3)  %8.0f executions/s (%.1f steps each; target >= 1M/s)\n", blocking_eps,
                double(blocking.steps) / double(blocking.executions));
    std::printf("spawn-chain (100 tasks x 10)     %8.0f steps/s (target >= 20M/s)\n", chain_sps);
    std::printf("10,000 requests x 2 s, 10 workers %7.2f ms wall, %.3f s virtual (target < 50 ms)\n", capacity_ms,
                double(virtual_end) / 1e9);
    std::printf("1M live simulated tasks          %8.1f MB (target < 512 MB)\n", mb_per_million);
  }
  return exit_ok;
}

}  // namespace weft::cli
