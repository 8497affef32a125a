// weft runtime vs standalone asio (1.22, C++20 coroutines), side by side in one binary.
//
// Every workload exists once per runtime, doing the same work on the same number of
// threads; names are "<workload>/<runtime>_<variant>" so tools/bench/compare.py can pair
// them (weft_X with asio_X, else with the workload's only asio entry).
//
//   spawn_join  N trivial tasks spawned onto a 4-thread pool and all joined (items/s)
//   await_chain a recursive chain of depth D awaited on one thread (ns per level)
//   ping_pong   a message A -> B -> A between two single-thread executors (ns per round trip)
//   spawn_memory heap a spawned, not yet run, trivial task holds; weft's frame against a
//                bare coroutine frame with the same body (counters only; ignore the time)
//
// Wall-clock time throughout: the interesting threads are not the benchmark thread.
// Global operator new is replaced below so the memory workload can count what weft asks
// for; it costs a thread-local increment per call. (asio allocates coroutine frames with
// aligned_alloc, past operator new: its memory is read from the heap instead.)

#include <benchmark/benchmark.h>

#include <asio.hpp>
#include <atomic>
#include <condition_variable>
#include <coroutine>
#include <cstdint>
#include <cstdlib>
#include <exception>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <mutex>
#include <new>
#include <thread>
#include <vector>
#include <weft/weft.hpp>

// --- allocation counting --------------------------------------------------------------------

namespace {
// Per thread, so counting costs no shared cache line; the memory workload reads them on
// the thread that spawns.
thread_local std::uint64_t t_alloc_bytes = 0;
thread_local std::uint64_t t_alloc_count = 0;

void* counted_alloc(std::size_t n) {
  t_alloc_bytes += n;
  ++t_alloc_count;
  return std::malloc(n ? n : 1);
}
void* counted_alloc_aligned(std::size_t n, std::align_val_t al) {
  t_alloc_bytes += n;
  ++t_alloc_count;
  auto a = static_cast<std::size_t>(al);
  if (a < sizeof(void*)) a = sizeof(void*);
  return std::aligned_alloc(a, (n + a - 1) / a * a);  // size must be a multiple of the alignment
}
void* or_throw(void* p) {
  if (!p) throw std::bad_alloc();
  return p;
}
}  // namespace

void* operator new(std::size_t n) { return or_throw(counted_alloc(n)); }
void* operator new[](std::size_t n) { return or_throw(counted_alloc(n)); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return counted_alloc(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return counted_alloc(n); }
void* operator new(std::size_t n, std::align_val_t a) { return or_throw(counted_alloc_aligned(n, a)); }
void* operator new[](std::size_t n, std::align_val_t a) { return or_throw(counted_alloc_aligned(n, a)); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return counted_alloc_aligned(n, a);
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return counted_alloc_aligned(n, a);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }

namespace {

constexpr int kSpawnCount = 10000;
constexpr unsigned kPoolThreads = 4;
constexpr int kChainDepth = 1000;
constexpr int kRoundTrips = 10000;

// Counters compare.py reads: how many operations one iteration performs.
void set_ops(benchmark::State& state, std::int64_t ops_per_iteration) {
  state.counters["ops"] = benchmark::Counter(double(ops_per_iteration));
  state.SetItemsProcessed(state.iterations() * ops_per_iteration);
}

// --- asio scaffolding -----------------------------------------------------------------------

// An io_context served by `threads` threads until destroyed.
class AsioThreads {
 public:
  AsioThreads(unsigned threads, int concurrency_hint)
      : ctx_(concurrency_hint), guard_(asio::make_work_guard(ctx_)) {
    for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { ctx_.run(); });
  }
  ~AsioThreads() {
    guard_.reset();
    for (auto& t : threads_) t.join();
  }
  asio::io_context::executor_type executor() noexcept { return ctx_.get_executor(); }

 private:
  asio::io_context ctx_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::vector<std::thread> threads_;
};

// "Join them all" for asio: completion handlers count down; the last one wakes the waiter.
class Countdown {
 public:
  void arm(int n) {
    std::lock_guard lk(m_);
    done_ = false;
    left_.store(n, std::memory_order_relaxed);
  }
  void hit() {
    if (left_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    std::lock_guard lk(m_);
    done_ = true;
    cv_.notify_one();
  }
  void wait() {
    std::unique_lock lk(m_);
    cv_.wait(lk, [this] { return done_; });
  }

 private:
  std::atomic<int> left_{0};
  std::mutex m_;
  std::condition_variable cv_;
  bool done_ = false;
};

// --- the coroutines -------------------------------------------------------------------------

weft::Task<void> weft_trivial() { co_return; }
asio::awaitable<void> asio_trivial() { co_return; }

weft::Task<int> weft_chain(int depth) {
  if (depth == 0) co_return 0;
  co_return 1 + co_await weft_chain(depth - 1);
}
asio::awaitable<int> asio_chain(int depth) {
  if (depth == 0) co_return 0;
  co_return 1 + co_await asio_chain(depth - 1);
}

// --- 1. spawn + join ------------------------------------------------------------------------

// The benchmark thread spawns N tasks into the pool, then joins each handle.
void spawn_join_weft_external(benchmark::State& state) {
  weft::ThreadPool pool(kPoolThreads);
  std::vector<weft::JoinHandle<void>> handles;
  handles.reserve(kSpawnCount);
  for (auto _ : state) {
    for (int i = 0; i < kSpawnCount; ++i) handles.push_back(weft::spawn(pool, weft_trivial()));
    for (auto& h : handles) h.join();
    handles.clear();
  }
  set_ops(state, kSpawnCount);
}

weft::Task<void> weft_spawn_all(weft::Executor& ex, int n) {
  std::vector<weft::JoinHandle<void>> handles;
  handles.reserve(std::size_t(n));
  for (int i = 0; i < n; ++i) handles.push_back(weft::spawn(ex, weft_trivial()));
  for (auto& h : handles) co_await h;
}

// A driver task on a pool worker spawns N tasks and co_awaits each handle.
void spawn_join_weft_driver(benchmark::State& state) {
  weft::ThreadPool pool(kPoolThreads);
  for (auto _ : state) weft::spawn(pool, weft_spawn_all(pool, kSpawnCount)).join();
  set_ops(state, kSpawnCount);
}

// The benchmark thread co_spawns N tasks; their completion handlers count down.
void spawn_join_asio_external(benchmark::State& state) {
  AsioThreads io(kPoolThreads, int(kPoolThreads));
  Countdown done;
  for (auto _ : state) {
    done.arm(kSpawnCount);
    for (int i = 0; i < kSpawnCount; ++i)
      asio::co_spawn(io.executor(), asio_trivial(), [&done](std::exception_ptr) { done.hit(); });
    done.wait();
  }
  set_ops(state, kSpawnCount);
}

asio::awaitable<void> asio_spawn_all(Countdown& done, int n) {
  auto ex = co_await asio::this_coro::executor;
  for (int i = 0; i < n; ++i) asio::co_spawn(ex, asio_trivial(), [&done](std::exception_ptr) { done.hit(); });
}

// A driver coroutine on a pool thread co_spawns N tasks; completion handlers count down.
void spawn_join_asio_driver(benchmark::State& state) {
  AsioThreads io(kPoolThreads, int(kPoolThreads));
  Countdown done;
  for (auto _ : state) {
    done.arm(kSpawnCount);
    asio::co_spawn(io.executor(), asio_spawn_all(done, kSpawnCount), asio::detached);
    done.wait();
  }
  set_ops(state, kSpawnCount);
}

// --- 2. await chain -------------------------------------------------------------------------

void await_chain_weft(benchmark::State& state) {
  for (auto _ : state) {
    int levels = weft::block_on(weft_chain(kChainDepth));
    benchmark::DoNotOptimize(levels);
  }
  set_ops(state, kChainDepth);
}

void await_chain_asio(benchmark::State& state) {
  asio::io_context ctx(1);
  int levels = 0;
  for (auto _ : state) {
    asio::co_spawn(ctx, asio_chain(kChainDepth), [&levels](std::exception_ptr, int v) { levels = v; });
    ctx.run();
    ctx.restart();
    benchmark::DoNotOptimize(levels);
  }
  set_ops(state, kChainDepth);
}

// --- 3. ping-pong between two single-thread executors ---------------------------------------

weft::Task<void> weft_ping(weft::Channel<int>& out, weft::Channel<int>& in, int n) {
  for (int i = 0; i < n; ++i) {
    co_await out.send(i);
    auto v = co_await in.receive();
    if (!v) co_return;
  }
}
weft::Task<void> weft_pong(weft::Channel<int>& in, weft::Channel<int>& out, int n) {
  for (int i = 0; i < n; ++i) {
    auto v = co_await in.receive();
    if (!v) co_return;
    co_await out.send(*v);
  }
}

// Two tasks, one per executor, with a Channel<int> each way.
void ping_pong_weft_channel(benchmark::State& state) {
  weft::SerialExecutor a("a"), b("b");
  weft::Channel<int> a_to_b, b_to_a;
  for (auto _ : state) {
    auto pong = weft::spawn(b, weft_pong(a_to_b, b_to_a, kRoundTrips));
    auto ping = weft::spawn(a, weft_ping(a_to_b, b_to_a, kRoundTrips));
    ping.join();
    pong.join();
  }
  set_ops(state, kRoundTrips);
}

weft::Task<void> weft_spawn_hopper(weft::Executor& other, int n) {
  for (int i = 0; i < n; ++i) co_await weft::spawn(other, weft_trivial());
}

// One task on A spawns a trivial task on B and awaits it: resumes back on A.
void ping_pong_weft_spawn_hop(benchmark::State& state) {
  weft::SerialExecutor a("a"), b("b");
  for (auto _ : state) weft::spawn(a, weft_spawn_hopper(b, kRoundTrips)).join();
  set_ops(state, kRoundTrips);
}

// Moves the awaiting coroutine onto `ex` (weft has no such awaitable yet; built from the
// public Executor::post and an intrusive ResumeJob, so it allocates nothing).
class SwitchTo {
 public:
  explicit SwitchTo(weft::Executor& ex) noexcept : ex_(&ex) {}
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    job_.handle = h;
    job_.task = weft::current_task();
    ex_->post(&job_);  // may resume on the other thread at once: touch nothing after this
  }
  void await_resume() const noexcept {}

 private:
  weft::Executor* ex_;
  weft::ResumeJob job_;
};

weft::Task<void> weft_post_hopper(weft::Executor& home, weft::Executor& other, int n) {
  for (int i = 0; i < n; ++i) {
    co_await SwitchTo(other);
    co_await SwitchTo(home);
  }
}

// One task hops A -> B -> A by posting itself: the same work as asio's post hop.
void ping_pong_weft_post_hop(benchmark::State& state) {
  weft::SerialExecutor a("a"), b("b");
  for (auto _ : state) weft::spawn(a, weft_post_hopper(a, b, kRoundTrips)).join();
  set_ops(state, kRoundTrips);
}

asio::awaitable<void> asio_post_hopper(asio::io_context::executor_type other, int n) {
  // Runs an empty handler on `other`, then resumes on this coroutine's own executor.
  for (int i = 0; i < n; ++i) co_await asio::post(other, asio::use_awaitable);
}

void ping_pong_asio_post_hop(benchmark::State& state) {
  AsioThreads a(1, 1), b(1, 1);
  Countdown done;
  for (auto _ : state) {
    done.arm(1);
    asio::co_spawn(a.executor(), asio_post_hopper(b.executor(), kRoundTrips),
                   [&done](std::exception_ptr) { done.hit(); });
    done.wait();
  }
  set_ops(state, kRoundTrips);
}

// --- 4. memory per spawned task -------------------------------------------------------------

// Frame sizes as the compiler asks for them, before any allocator rounds them: both probe
// promises record the size their operator new receives. ProbeTask's promise is weft's own
// (it adds no members), so its frame is exactly a weft_trivial() frame; BareTask's promise
// holds only the continuation a lazy task needs.
std::size_t g_probed_frame_bytes = 0;

struct ProbeTask {
  struct promise_type : weft::detail::Promise<void> {
    ProbeTask get_return_object() noexcept {
      return ProbeTask{std::coroutine_handle<promise_type>::from_promise(*this)};
    }
    static void* operator new(std::size_t size) {
      g_probed_frame_bytes = size;
      return ::operator new(size);
    }
    static void operator delete(void* frame) noexcept { ::operator delete(frame); }
  };
  std::coroutine_handle<promise_type> h;
};
ProbeTask probe_trivial() { co_return; }

struct BareTask {
  struct promise_type {
    std::coroutine_handle<> continuation;
    BareTask get_return_object() noexcept {
      return BareTask{std::coroutine_handle<promise_type>::from_promise(*this)};
    }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { std::terminate(); }
    static void* operator new(std::size_t size) {
      g_probed_frame_bytes = size;
      return ::operator new(size);
    }
    static void operator delete(void* frame) noexcept { ::operator delete(frame); }
  };
  std::coroutine_handle<promise_type> h;
};
BareTask bare_trivial() { co_return; }

template <class MakeTask>
std::size_t probed_frame_bytes(MakeTask make) {
  g_probed_frame_bytes = 0;
  auto t = make();
  benchmark::DoNotOptimize(t.h);
  t.h.destroy();
  return g_probed_frame_bytes;
}

// Allocations `f` makes on a new thread: no per-thread cache (asio's recycler, or any a
// runtime may add) can serve them, so they show what the work really takes from the heap.
struct Tally {
  std::uint64_t bytes = 0;
  std::uint64_t calls = 0;
  template <class F>
  void count_on_fresh_thread(F&& f) {
    std::thread([this, &f] {
      std::uint64_t b = t_alloc_bytes, n = t_alloc_count;
      f();
      bytes += t_alloc_bytes - b;
      calls += t_alloc_count - n;
    }).join();
  }
};

// Heap bytes in use (malloc chunks, headers included) across all threads. asio allocates
// its frames with aligned_alloc, past operator new, so only the heap itself sees them all.
std::size_t heap_in_use() {
#if defined(__GLIBC__)
  return mallinfo2().uordblks;
#else
  return 0;
#endif
}

constexpr int kHeldTasks = 1000;

// Each iteration holds the executor's only thread while kHeldTasks trivial tasks are
// spawned onto it, so all of them are alive and queued at once, and reads the heap growth:
// what a spawned-but-not-yet-run task really costs. Then releases the thread and joins.
weft::Task<void> weft_hold(const std::atomic<bool>& release) {
  while (!release.load(std::memory_order_acquire)) std::this_thread::yield();
  co_return;
}

void spawn_memory_weft(benchmark::State& state) {
  weft::SerialExecutor ex("memory");
  std::vector<weft::JoinHandle<void>> handles;
  handles.reserve(kHeldTasks);
  Tally tally;
  double heap_bytes = 0;
  for (auto _ : state) {
    std::atomic<bool> release{false};
    auto hold = weft::spawn(ex, weft_hold(release));
    tally.count_on_fresh_thread([&] {
      std::size_t heap_before = heap_in_use();
      for (int i = 0; i < kHeldTasks; ++i) handles.push_back(weft::spawn(ex, weft_trivial()));
      heap_bytes += double(heap_in_use()) - double(heap_before);
    });
    release.store(true, std::memory_order_release);
    hold.join();
    for (auto& h : handles) h.join();
    handles.clear();
  }
  double spawns = double(state.iterations()) * kHeldTasks;
  state.counters["heap_bytes_per_task"] = heap_bytes / spawns;
  state.counters["new_bytes_per_task"] = double(tally.bytes) / spawns;
  state.counters["new_calls_per_task"] = double(tally.calls) / spawns;

  // What weft's frame allocator takes from operator new for that frame (size-class rounding).
  Tally allocated;
  allocated.count_on_fresh_thread([] {
    auto t = weft_trivial();
    benchmark::DoNotOptimize(t);
  });
  double frame = double(probed_frame_bytes(probe_trivial));
  double bare = double(probed_frame_bytes(bare_trivial));
  state.counters["frame_bytes"] = frame;
  state.counters["bare_frame_bytes"] = bare;
  state.counters["overhead_bytes"] = frame - bare;
  state.counters["allocated_frame_bytes"] = double(allocated.bytes);
  state.counters["sizeof_promise"] = double(sizeof(weft::detail::Promise<void>));
}

void spawn_memory_asio(benchmark::State& state) {
  AsioThreads io(1, 1);
  Countdown done;
  Tally tally;
  double heap_bytes = 0;
  for (auto _ : state) {
    std::atomic<bool> release{false};
    asio::post(io.executor(), [&release] {
      while (!release.load(std::memory_order_acquire)) std::this_thread::yield();
    });
    done.arm(kHeldTasks);
    tally.count_on_fresh_thread([&] {
      std::size_t heap_before = heap_in_use();
      for (int i = 0; i < kHeldTasks; ++i)
        asio::co_spawn(io.executor(), asio_trivial(), [&done](std::exception_ptr) { done.hit(); });
      heap_bytes += double(heap_in_use()) - double(heap_before);
    });
    release.store(true, std::memory_order_release);
    done.wait();
  }
  state.counters["heap_bytes_per_task"] = heap_bytes / (double(state.iterations()) * kHeldTasks);
}

void register_all() {
  struct Entry {
    const char* name;
    void (*fn)(benchmark::State&);
    benchmark::IterationCount iterations = 0;  // 0: let the library choose
  };
  const Entry entries[] = {
      {"spawn_join/weft_external", spawn_join_weft_external},
      {"spawn_join/asio_external", spawn_join_asio_external},
      {"spawn_join/weft_driver", spawn_join_weft_driver},
      {"spawn_join/asio_driver", spawn_join_asio_driver},
      {"await_chain/weft", await_chain_weft},
      {"await_chain/asio", await_chain_asio},
      {"ping_pong/weft_channel", ping_pong_weft_channel},
      {"ping_pong/weft_spawn_hop", ping_pong_weft_spawn_hop},
      {"ping_pong/weft_post_hop", ping_pong_weft_post_hop},
      {"ping_pong/asio_post_hop", ping_pong_asio_post_hop},
      {"spawn_memory/weft", spawn_memory_weft, 20},
      {"spawn_memory/asio", spawn_memory_asio, 20},
  };
  for (const auto& e : entries) {
    auto* b = benchmark::RegisterBenchmark(e.name, e.fn)->UseRealTime()->Unit(benchmark::kMicrosecond);
    if (e.iterations) b->Iterations(e.iterations);
  }
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
