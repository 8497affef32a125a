// `weft bench`: the simulator's costs, as ratios measured in this process and this run.
#include <algorithm>
#include <chrono>
#include <coroutine>
#include <cstring>
#include <cstdio>
#include <fstream>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

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


long read_status_kb(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::size_t n = std::strlen(key);
  while (std::getline(in, line))
    if (line.compare(0, n, key) == 0) return std::atol(line.c_str() + n);
  return 0;
}

// The peers' programs, exactly: virtual threads (std::thread's place) on the platform.
// counter: 2 threads x 3 {lock; +=1; unlock} on a BlockingMutex (std::mutex's place).
void blocking_counter() {
  Platform& p = current_platform();
  BlockingMutex m;
  int c = 0;
  auto body = [&m, &c] {
    for (int i = 0; i < 3; ++i) {
      m.lock();
      c += 1;
      m.unlock();
    }
  };
  auto t1 = p.start_thread("a", body);
  auto t2 = p.start_thread("b", body);
  t1->join();
  t2->join();
  if (c != 6) throw std::logic_error("counter: lost update");
}

// 100 threads x 10 yields.
void hundred_yielders() {
  Platform& p = current_platform();
  std::vector<std::unique_ptr<PlatformThread>> ts;
  ts.reserve(100);
  for (int i = 0; i < 100; ++i)
    ts.push_back(p.start_thread("y", [&p] {
      for (int k = 0; k < 10; ++k) p.yield_point();
    }));
  for (auto& t : ts) t->join();
}

// The two-lock inversion: one thread locks A then B, the other B then A.
void lock_inversion() {
  Platform& p = current_platform();
  BlockingMutex a, b;
  auto t1 = p.start_thread("ab", [&a, &b] {
    a.lock();
    b.lock();
    b.unlock();
    a.unlock();
  });
  auto t2 = p.start_thread("ba", [&a, &b] {
    b.lock();
    a.lock();
    a.unlock();
    b.unlock();
  });
  t1->join();
  t2->join();
}

// The user's path: model::explore as weft::check runs it (trace on, the default properties
// checking every execution, the nondeterminism replay every 64, the default strategy), in
// explorations of `per_explore` executions until `seconds` have passed. Executions counts
// the explored ones only (not the replays, whose cost is part of the path).
// `strategy` empty: the default (the portfolio).
Rate measure_user(const std::function<void()>& body, double seconds, std::uint64_t per_explore, std::uint64_t first_seed,
                  const std::string& strategy = {}) {
  Rate r;
  auto t0 = Clock::now();
  while (r.seconds < seconds) {
    model::ExploreOptions o;
    o.name = "bench";
    if (!strategy.empty()) o.strategy = strategy;
    o.seed = first_seed + r.executions;
    o.iterations = per_explore;
    model::ExploreReport rep = model::explore(o, body);
    if (!rep.findings.empty()) throw std::runtime_error("weft bench: the user path found " + rep.summary);
    r.executions += rep.executions;
    r.steps += rep.steps;
    r.seconds = seconds_since(t0);
  }
  return r;
}

// The bare simulator (trace off, a random source) and the user's path on the same program,
// in alternating rounds so that a noisy neighbour slows all alike. The user's path twice:
// with the default strategy (the portfolio, whose PCT half draws priorities and keeps
// change points at every choice, and explores other schedules than a random walk), and
// with `random`, the bare loop's own kind of decisions: the same program making the same
// kind of choices, so that the ratio is what the path itself costs (the trace, the
// properties, the replay every 64, the explore loop).
struct Pair {
  Rate bare, user, user_random;
  static double eps(const Rate& r) { return double(r.executions) / r.seconds; }
  double ratio() const { return eps(user) / eps(bare); }
  double random_ratio() const { return eps(user_random) / eps(bare); }
};
void add(Rate& into, const Rate& r) {
  into.executions += r.executions, into.steps += r.steps, into.seconds += r.seconds;
}
Pair bare_and_user(sim::SimPlatform& sp, const std::function<void()>& body, int rounds, double seconds,
                   int batch, std::uint64_t per_explore) {
  Pair p;
  for (int round = 0; round < rounds; ++round) {
    add(p.bare, measure(sp, body, seconds, p.bare.executions, batch));
    add(p.user, measure_user(body, seconds, per_explore, p.user.executions));
    add(p.user_random, measure_user(body, seconds, per_explore, p.user_random.executions, "random"));
  }
  return p;
}

// Executions to the first bug of `body` by the explorer (the user's path, no shrinking:
// it comes after the count), for seeds 0..seeds-1: the median over the seeds that found
// it within `cap` executions, and how many did.
struct ToBug {
  double median = 0;
  std::uint64_t found = 0;
};
ToBug executions_to_bug(const std::function<void()>& body, const std::string& strategy, std::uint64_t seeds,
                        std::uint64_t cap) {
  std::vector<std::uint64_t> n;
  for (std::uint64_t seed = 0; seed < seeds; ++seed) {
    model::ExploreOptions o;
    o.name = "bench";
    o.strategy = strategy;
    o.seed = seed;
    o.iterations = cap;
    o.shrink = false;
    model::ExploreReport rep = model::explore(o, body);
    if (rep.executions_to_first_bug) n.push_back(*rep.executions_to_first_bug);
  }
  ToBug t;
  t.found = n.size();
  if (n.empty()) return t;
  std::sort(n.begin(), n.end());
  t.median = n.size() % 2 ? double(n[n.size() / 2]) : (double(n[n.size() / 2 - 1]) + double(n[n.size() / 2])) / 2;
  return t;
}

}  // namespace

int cmd_bench(const std::vector<std::string>& args) {
  Args a = Args::parse(args, {}, {"--json", "--quick"});
  if (!a.positional.empty()) throw UsageError{"usage: weft bench [--json] [--quick]"};
  // --quick: every row, in short windows (a smoke run for tests: its figures are rough).
  const bool quick = a.has("--quick");
  const double window = quick ? 0.05 : 1.0;

  // (m) memory of the user's path, first, while the process is as it started: the peak RSS
  // of one exploration of 10^4 executions of counter, above the RSS before it.
  const long idle_kb = read_status_kb("VmRSS:");
  {
    model::ExploreOptions o;
    o.name = "bench";
    o.iterations = 10'000;
    model::ExploreReport rep = model::explore(o, blocking_counter);
    if (rep.executions != o.iterations || !rep.findings.empty())
      throw std::runtime_error("weft bench: the 10^4-execution run did not run clean: " + rep.summary);
  }
  const long peak_kb = read_status_kb("VmHWM:");

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
  for (std::uint64_t round = 0, seed = 0; round < (quick ? 2u : 7u); ++round) {
    raw_ns = std::min(raw_ns, raw_resume_ns(quick ? 500'000 : 5'000'000));
    Rate r = measure(sp, two_threads, window / 10, seed);
    seed += r.executions;
    step_ns = std::min(step_ns, r.seconds * 1e9 / double(r.steps));
  }

  // (a2) a runtime job under simulation: spawn a task on a one-worker pool and await it
  // (two jobs, two steps), against the same code on real threads.
  constexpr int kHops = 20000;
  Rate hop_rate = measure(sp, [] {
    ThreadPool pool(1);
    block_on(hop(pool, kHops));
  }, window);
  double sim_hop_ns = hop_rate.seconds * 1e9 / double(hop_rate.executions * kHops);
  std::uint64_t hops = 0;
  auto t0 = Clock::now();
  {
    ThreadPool pool(1, "bench", real_platform());
    while (seconds_since(t0) < window) {
      block_on(hop(pool, kHops));
      hops += kHops;
    }
  }
  double real_hop_ns = seconds_since(t0) * 1e9 / double(hops);

  // (b1) counter: 2 tasks x 3 {lock; +=1; unlock} on the async mutex, 2 pool workers.
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
  }, window, 0, 1000);
  double counter_eps = double(counter.executions) / counter.seconds;

  // (b1') the peers' counter (2 threads x 3 on a BlockingMutex): the bare simulator and the
  // user's path, in alternating rounds.
  Pair blocking = bare_and_user(sp, blocking_counter, 5, window / 5, 1000, 1000);
  double blocking_eps = double(blocking.bare.executions) / blocking.bare.seconds;
  double user_counter_eps = double(blocking.user.executions) / blocking.user.seconds;

  // (b2) spawn-chain: 100 tasks x 10 hops on 4 pool workers.
  Rate chain = measure(sp, [] {
    ThreadPool pool(4);
    std::vector<JoinHandle<void>> hs;
    for (int i = 0; i < 100; ++i) hs.push_back(spawn(pool, hop(pool, 10)));
    for (auto& h : hs) h.join();
  }, window);
  double chain_sps = double(chain.steps) / chain.seconds;

  // (b3) the peers' yield program: 100 threads x 10 yields, both paths.
  Pair yields = bare_and_user(sp, hundred_yielders, 5, window / 5, 10, 100);
  double yields_sps = double(yields.bare.steps) / yields.bare.seconds;
  double yields_eps = double(yields.bare.executions) / yields.bare.seconds;
  double user_yields_sps = double(yields.user.steps) / yields.user.seconds;
  double user_yields_eps = double(yields.user.executions) / yields.user.seconds;

  // (b4) the two-lock inversion: executions to the deadlock, over seeds 0..n-1.
  const std::uint64_t seeds = quick ? 20 : 1000;
  ToBug inv_random = executions_to_bug(lock_inversion, "random", seeds, 10'000);
  ToBug inv_pct = executions_to_bug(lock_inversion, "pct:3", seeds, 10'000);

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

  // (d) live simulated tasks (10^6; --quick: 10^5, scaled): memory per million.
  const int live = quick ? 100'000 : 1'000'000;
  long rss0 = read_status_kb("VmRSS:");
  long rss_peak = rss0;
  sim::RandomSource rs2(9);
  sim::Options big = quiet;
  big.limits.steps_max = 50'000'000;  // a few steps per task
  sp.set_options(big);
  completed(sp.run([&] {
    ThreadPool pool(4);
    std::vector<JoinHandle<void>> hs;
    hs.reserve(std::size_t(live));
    for (int i = 0; i < live; ++i) hs.push_back(spawn(pool, []() -> Task<void> { co_await sleep_for(1_s); }()));
    rss_peak = read_status_kb("VmRSS:");
    for (auto& h : hs) h.join();
  }, rs2));
  double mb_per_million = double(rss_peak - rss0) / 1024.0 * (1e6 / double(live));

  const double idle_mb = double(idle_kb) / 1024.0, above_mb = double(peak_kb - idle_kb) / 1024.0;
  if (a.has("--json")) {
    std::printf(
        "{\"quick\":%s,\"raw_resume_ns\":%.3f,\"sim_step_ns\":%.3f,\"step_ratio\":%.2f,\"sim_hop_ns\":%.2f,"
        "\"real_hop_ns\":%.2f,\"counter_executions_per_s\":%.0f,\"counter_steps_per_execution\":%.1f,"
        "\"blocking_counter_executions_per_s\":%.0f,\"blocking_counter_steps_per_execution\":%.1f,"
        "\"user_blocking_counter_executions_per_s\":%.0f,\"user_over_bare_blocking_counter\":%.3f,"
        "\"user_blocking_counter_steps_per_execution\":%.1f,"
        "\"user_random_blocking_counter_executions_per_s\":%.0f,\"user_random_over_bare_blocking_counter\":%.3f,"
        "\"user_random_blocking_counter_steps_per_execution\":%.1f,"
        "\"spawn_chain_steps_per_s\":%.0f,"
        "\"yields_100x10_steps_per_s\":%.0f,\"yields_100x10_executions_per_s\":%.0f,"
        "\"user_yields_100x10_steps_per_s\":%.0f,\"user_yields_100x10_executions_per_s\":%.0f,"
        "\"user_over_bare_yields_100x10\":%.3f,\"user_random_over_bare_yields_100x10\":%.3f,"
        "\"inversion_seeds\":%llu,\"inversion_random_found\":%llu,\"inversion_random_median_executions\":%.1f,"
        "\"inversion_pct3_found\":%llu,\"inversion_pct3_median_executions\":%.1f,"
        "\"capacity_10k_wall_ms\":%.2f,\"capacity_10k_virtual_s\":%.3f,\"live_tasks\":%d,\"million_tasks_mb\":%.1f,"
        "\"idle_rss_mb\":%.2f,\"user_10k_executions_peak_rss_above_idle_mb\":%.2f}\n",
        quick ? "true" : "false", raw_ns, step_ns, step_ns / raw_ns, sim_hop_ns, real_hop_ns, counter_eps,
        double(counter.steps) / double(counter.executions), blocking_eps,
        double(blocking.bare.steps) / double(blocking.bare.executions), user_counter_eps, blocking.ratio(),
        double(blocking.user.steps) / double(blocking.user.executions), Pair::eps(blocking.user_random),
        blocking.random_ratio(), double(blocking.user_random.steps) / double(blocking.user_random.executions),
        chain_sps, yields_sps, yields_eps, user_yields_sps, user_yields_eps, yields.ratio(), yields.random_ratio(),
        (unsigned long long)seeds,
        (unsigned long long)inv_random.found, inv_random.median, (unsigned long long)inv_pct.found, inv_pct.median,
        capacity_ms, double(virtual_end) / 1e9, live, mb_per_million, idle_mb, above_mb);
  } else {
    std::printf("raw coroutine resume+suspend       %10.2f ns\n", raw_ns);
    std::printf("simulated step (decision+switch)   %10.2f ns   ratio %.1fx (target <= 10x)\n", step_ns, step_ns / raw_ns);
    std::printf("spawn+await on a 1-worker pool     %10.2f ns simulated, %.2f ns real threads (%.2fx)\n", sim_hop_ns,
                real_hop_ns, sim_hop_ns / real_hop_ns);
    std::printf("counter, async mutex (2 tasks x 3) %10.0f executions/s (%.1f steps each)\n", counter_eps,
                double(counter.steps) / double(counter.executions));
    std::printf("counter, BlockingMutex (2 thr x 3) %10.0f executions/s bare (%.1f steps each)\n", blocking_eps,
                double(blocking.bare.steps) / double(blocking.bare.executions));
    std::printf("  the same, user path (explore)    %10.0f executions/s: %.0f%% of bare (%.1f steps each)\n",
                user_counter_eps, 100 * blocking.ratio(), double(blocking.user.steps) / double(blocking.user.executions));
    std::printf("  user path, random as bare draws  %10.0f executions/s: %.0f%% of bare (target >= 70%%)\n",
                Pair::eps(blocking.user_random), 100 * blocking.random_ratio());
    std::printf("spawn-chain (100 tasks x 10 hops)  %10.0f steps/s\n", chain_sps);
    std::printf("100 threads x 10 yields, bare      %10.0f steps/s, %.0f executions/s\n", yields_sps, yields_eps);
    std::printf("  the same, user path (explore)    %10.0f steps/s, %.0f executions/s: %.0f%% of bare\n",
                user_yields_sps, user_yields_eps, 100 * yields.ratio());
    std::printf("  user path, random as bare draws  %10.0f executions/s: %.0f%% of bare\n",
                Pair::eps(yields.user_random), 100 * yields.random_ratio());
    std::printf("two-lock inversion, %llu seeds: executions to the deadlock, median %.1f random (%llu found), "
                "%.1f pct:3 (%llu found)\n",
                (unsigned long long)seeds, inv_random.median, (unsigned long long)inv_random.found, inv_pct.median,
                (unsigned long long)inv_pct.found);
    std::printf("10,000 requests x 2 s, 10 workers  %10.2f ms wall, %.3f s virtual (target < 50 ms)\n", capacity_ms,
                double(virtual_end) / 1e9);
    std::printf("1M live simulated tasks            %10.1f MB (target < 512 MB)%s\n", mb_per_million,
                quick ? " (10^5 measured, scaled)" : "");
    std::printf("user path, 10^4 executions         %10.2f MB peak RSS above idle (%.1f MB; target <= 3 MB)\n",
                above_mb, idle_mb);
  }
  return exit_ok;
}

}  // namespace weft::cli
