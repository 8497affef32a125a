#include "weft/sim/sim.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <set>

#include "fiber.hpp"
#include "weft/trace/recorder.hpp"
#include "weft/trace/waits.hpp"
#include "heap.hpp"
#include "weft/assert.hpp"
#include "weft/spawn.hpp"
#include "weft/timer.hpp"

// AddressSanitizer must be told about every stack switch, or it reports false overflows.
#if defined(__SANITIZE_ADDRESS__)
#define WEFT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WEFT_ASAN 1
#endif
#endif
#ifdef WEFT_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

namespace weft::sim {

bool DecisionSource::fault(std::string_view, std::uint32_t per_million) {
  return per_million > 0 && random(1000000) < per_million;
}

// xoshiro256** seeded by splitmix64 (weft/detail/random.hpp): the same on every platform.

namespace {

enum class VState : std::uint8_t { runnable, parked, busy, finished };

struct VThread;

struct SimParker;

struct VThread {
  // What every step touches first, in one cache line.
  ThreadIndex index = 0;
  VState state = VState::runnable;
  WaitKind why = WaitKind::idle;
  TaskId last_task = 0;
  fiber::Context fiber;
  std::uint64_t wake_gen = 0;   // invalidates stale sleeper entries
  char* stack = nullptr;
  TaskId about = 0;
  bool settling = false;
  std::string name;
  std::function<void()> body;
  std::vector<VThread*> joiners;
  detail::ThreadState tls;
};

struct Sleeper {
  Nanos deadline;
  std::uint64_t seq;
  VThread* t;
  std::uint64_t gen;
  bool operator>(const Sleeper& o) const { return deadline != o.deadline ? deadline > o.deadline : seq > o.seq; }
};

// Stacks a simulator no longer needs stay mapped for the next one on the same OS thread
// (up to kStacksCached of one size): a test that explores again and again would otherwise
// map, fault in and unmap its stacks each time, and unmapping flushes the TLB of every CPU
// the process ran on. Only touched pages count in the RSS, a few per stack.
constexpr std::size_t kStacksCached = 128;
thread_local bool t_stack_cache_gone = false;  // trivially destructible: readable at exit
struct StackCache {
  std::size_t bytes = 0;
  std::vector<char*> stacks;
  ~StackCache() {
    for (char* s : stacks) fiber::free_stack(s, bytes);
    t_stack_cache_gone = true;
  }
  char* take(std::size_t b) noexcept {
    if (b != bytes || stacks.empty()) return nullptr;
    char* s = stacks.back();
    stacks.pop_back();
    return s;
  }
  void keep(char* s, std::size_t b) {
    if (b != bytes) {
      for (char* old : stacks) fiber::free_stack(old, bytes);
      stacks.clear();
      bytes = b;
    }
    if (stacks.size() < kStacksCached) {
      heap::Untracked u;
      stacks.push_back(s);
    } else {
      fiber::free_stack(s, b);
    }
  }
};
thread_local StackCache t_stack_cache;

// Stacks come from fiber::allocate_stack, each with a guard region below it, and are
// reused across executions (the guard stays in place) and across simulators (StackCache).
struct StackPool {
  std::size_t bytes;
  std::vector<char*> free;
  explicit StackPool(std::size_t b) : bytes(b) {}
  ~StackPool() {
    for (char* s : free) {
      if (t_stack_cache_gone) fiber::free_stack(s, bytes);
      else t_stack_cache.keep(s, bytes);
    }
  }
  char* get() {
    char* s = nullptr;
    if (!free.empty()) {
      s = free.back();
      free.pop_back();
    } else {
      s = t_stack_cache_gone ? nullptr : t_stack_cache.take(bytes);
      if (!s) s = fiber::allocate_stack(bytes);
    }
#ifdef WEFT_ASAN
    // A reused stack still carries the redzones of the frames that last lived on it; so
    // does a new mapping at the address of one another simulator unmapped (munmap leaves
    // ASan's shadow as it was).
    if (s) __asan_unpoison_memory_region(s, bytes);
#endif
    return s;
  }
  void put(char* s) { free.push_back(s); }
};

// Objects the runtime asks for anew in every execution (a pool's parkers and mutexes)
// come from a per-type free list: one simulation runs on one OS thread at a time, and
// executions follow each other by the million. Every block of a type is also on a chain
// of all of them (a word after the object), and none outlives its execution (an abandoned
// one drops them with their owners), so each run starts with all of them free again.
template <class T>
struct Recycled {
  static void* operator new(std::size_t bytes) {
    Pool& p = pool();
    if (bytes != sizeof(T)) return ::operator new(bytes);
    if (p.free) {
      void* b = p.free;
      p.free = *static_cast<void**>(b);
      return b;
    }
    heap::Untracked u;
    void* b = ::operator new(sizeof(T) + sizeof(void*));
    *chain_of(b) = p.all;
    p.all = b;
    return b;
  }
  static void operator delete(void* b, std::size_t bytes) noexcept {
    if (bytes != sizeof(T)) {
      ::operator delete(b);
      return;
    }
    *static_cast<void**>(b) = pool().free;
    pool().free = b;
  }
  // The start of an execution: no object of this type is alive.
  static void all_free() noexcept {
    Pool& p = pool();
    p.free = nullptr;
    for (void* b = p.all; b; b = *chain_of(b)) {
      *static_cast<void**>(b) = p.free;
      p.free = b;
    }
  }

 private:
  struct Pool {
    void* free;
    void* all;
  };
  static void** chain_of(void* b) noexcept { return reinterpret_cast<void**>(static_cast<char*>(b) + sizeof(T)); }
  static Pool& pool() noexcept {
    thread_local constinit Pool p{nullptr, nullptr};
    return p;
  }
};

struct EndExecution {};  // unwinds nothing: the host context is resumed directly

}  // namespace

thread_local SimPlatform* g_current_sim = nullptr;  // the simulation running on this OS thread

struct SimPlatform::Impl {
  SimPlatform& self;
  Options opt;
  StackPool stacks;
  std::vector<std::unique_ptr<VThread>> threads;  // [0, live) belong to this execution; the rest are kept for reuse
  std::size_t live = 0;
  std::vector<ThreadIndex> enabled;  // sorted
  std::vector<VThread*> enabled_threads;  // the same threads, in the same order
  std::vector<Sleeper> sleepers;     // min-heap
  std::uint64_t sleeper_seq = 0;
  VThread* current = nullptr;
  fiber::Context host;
  VThread* jumper = nullptr;  // who switched to the context that runs now (null: the host)
  DecisionSource* source = nullptr;
  Nanos now = 0;
  std::uint64_t steps = 0;
  std::uint32_t live_tasks = 0;
  Trace trace;
  // Fed with every record as it is made: a wait-for cycle ends the execution when it
  // forms, even while timers and other tasks keep running (a partial deadlock).
  WaitGraph waits{trace};
  trace::Recorder recorder{trace};  // records and their tables (tasks, executors, objects)
  std::vector<RecordedDecision> decisions;
  RunResult result;
  bool ending = false;
  VThread* zombie = nullptr;  // a finished thread whose stack can be reused once we left it
  VThread* overflowed = nullptr;  // the thread whose stack overflowed (Outcome::crashed)
  TaskId overflowed_task = 0;

  // Runs in the SIGSEGV handler, on the alternate signal stack. A fault in the guard region
  // of the running fiber's stack ends the execution as a crash: the fiber is abandoned (its
  // stack goes back to the pool at the next run) and the host resumes, before anything
  // below the stack was written. Any other fault is not ours: return.
  static void overflow_check(void* arg, void* addr) {
    auto* m = static_cast<Impl*>(arg);
    VThread* t = m->current;
    if (!t || !fiber::in_guard(t->stack, addr)) return;
    m->overflowed = t;
    m->overflowed_task = t->tls.task;
    m->ending = true;
    m->result.outcome = Outcome::crashed;
    m->switch_to(nullptr);
    std::abort();  // never resumed
  }

  Impl(SimPlatform& s, Options o) : self(s), opt(o), stacks(o.stack_bytes) {}
  // The stacks of the last execution's threads go back to the pool, which frees them.
  ~Impl() {
    for (auto& t : threads)
      if (t->stack) stacks.put(t->stack);
  }

  // The heap the execution's code allocated (heap.hpp). A completed execution (or one whose
  // body threw: its exception may hold such memory) keeps it; an abandoned one, whose
  // threads will never run their destructors, frees it. What the simulator keeps of the
  // execution's threads and timers must first let go of it.
  void end_heap(bool abandoned) {
    if (!abandoned) {
      heap::adopt();
      return;
    }
    self.one_os_thread().abandon_timers();
    for (std::size_t i = 0; i < live; ++i) new (&threads[i]->body) std::function<void()>();
    heap::release();
  }

  void reap() {
    if (zombie) {
      stacks.put(zombie->stack);
      zombie->stack = nullptr;
      zombie = nullptr;
    }
  }

  // The host's stack, as AddressSanitizer reports it on the first switch away from it.
  const void* host_stack_bottom = nullptr;
  std::size_t host_stack_size = 0;

  void asan_start(void** fake, VThread* to) {
#ifdef WEFT_ASAN
    if (to)
      __sanitizer_start_switch_fiber(fake, to->stack, opt.stack_bytes);
    else
      __sanitizer_start_switch_fiber(fake, host_stack_bottom, host_stack_size);
#else
    (void)fake;
    (void)to;
#endif
  }
  void asan_finish(void* fake, bool from_host) {
#ifdef WEFT_ASAN
    const void* bottom = nullptr;
    std::size_t size = 0;
    __sanitizer_finish_switch_fiber(fake, &bottom, &size);
    if (from_host) {
      host_stack_bottom = bottom;
      host_stack_size = size;
    }
#else
    (void)fake;
    (void)from_host;
#endif
  }

  // Switches from `current` to `to` (or to the host when to == nullptr).
  [[gnu::noinline]] void switch_to(VThread* to) {
    VThread* from = current;
    current = to;
    OneOsThread::swap_thread_state(to ? &to->tls : nullptr);
    void* fake = nullptr;
    // A finished or abandoned thread never comes back: let ASan drop its fake stack.
    asan_start((from && from->state == VState::finished) || ending ? nullptr : &fake, to);
    jumper = from;
    fiber::jump(from ? from->fiber : host, to ? to->fiber : host);
    // Resumed by `jumper`.
    asan_finish(fake, jumper == nullptr);
    reap();
  }

  static void entry(void* arg) {
    auto* sim = static_cast<Impl*>(arg);
    sim->asan_finish(nullptr, sim->jumper == nullptr);
    sim->reap();
    VThread* me = sim->current;
    heap::tracking = sim->opt.reclaim_abandoned;
    me->body();
    heap::tracking = false;
    sim->thread_exit(me);
  }

  // `enabled` and `enabled_threads` are short, sorted by index: shifted by hand, which is
  // cheaper than a library insert or erase at these sizes.
  void enable(VThread* t) {
    t->state = VState::runnable;
    ++t->wake_gen;
    std::size_t n = enabled.size(), i = 0;
    while (i < n && enabled[i] < t->index) ++i;
    if (i < n && enabled[i] == t->index) return;
    enabled.push_back(0);
    enabled_threads.push_back(nullptr);
    for (std::size_t k = n; k > i; --k) {
      enabled[k] = enabled[k - 1];
      enabled_threads[k] = enabled_threads[k - 1];
    }
    enabled[i] = t->index;
    enabled_threads[i] = t;
  }
  void disable(VThread* t) {
    std::size_t n = enabled.size(), i = 0;
    while (i < n && enabled[i] < t->index) ++i;
    if (i == n || enabled[i] != t->index) return;
    for (std::size_t k = i + 1; k < n; ++k) {
      enabled[k - 1] = enabled[k];
      enabled_threads[k - 1] = enabled_threads[k];
    }
    enabled.pop_back();
    enabled_threads.pop_back();
  }

  // Threads parked on something other than work or a timer: who still waited.
  std::vector<WaitInfo> collect_waiting() const {
    std::vector<WaitInfo> waiting;
    for (std::size_t i = 0; i < live; ++i) {
      VThread* t = threads[i].get();
      if (t->state != VState::parked || t->settling) continue;
      if (t->why != WaitKind::idle && t->why != WaitKind::timer)
        waiting.push_back(WaitInfo{t->index, t->name, t->why, t->about});
    }
    return waiting;
  }

  [[gnu::cold, gnu::noinline]] void check_cycle() {
    std::string msg;
    // In a block of its own: end() never returns here, and what a local of this frame owns
    // would never be freed.
    {
    std::set<WaitGraph::Node> stuck = waits.deadlocked();
    if (stuck.empty()) return;
    std::vector<WaitGraph::Node> cycle = waits.cycle_in(stuck);
    // Partial when something outside the cycle could still run: a timer armed and not fired
    // yet (a cancelled one counts too), another runnable thread, a thread in blocking work.
    bool others = waits.armed_timers() > 0 ||
                  std::any_of(enabled_threads.begin(), enabled_threads.end(), [&](VThread* t) { return t != current; }) ||
                  std::any_of(sleepers.begin(), sleepers.end(), [](const Sleeper& s) {
                    return s.gen == s.t->wake_gen && s.t->state != VState::runnable && s.t->state != VState::finished;
                  });
    msg = std::string(others ? "wait-for cycle (partial: other threads and timers could still run): "
                             : "wait-for cycle: ") +
          WaitGraph::join(waits.chain(cycle.empty() ? *stuck.begin() : cycle.front()));
    // Who else is stuck behind the cycle, one link each.
    for (const WaitGraph::Node& n : stuck)
      if (std::find(cycle.begin(), cycle.end(), n) == cycle.end()) msg += "; " + waits.chain(n).front().text;
    }
    result.waiting = collect_waiting();
    end(Outcome::deadlock, std::move(msg));
  }

  void end(Outcome o, std::string msg) {
    if (ending) return;
    ending = true;
    if (o != Outcome::completed && o != Outcome::deadlock && result.waiting.empty()) result.waiting = collect_waiting();
    result.outcome = o;
    result.message = std::move(msg);
    // The move may leave the old message's buffer in `msg`, whose frame is never unwound.
    std::string().swap(msg);
    switch_to(nullptr);  // never returns: the host abandons this execution
    std::abort();
  }

  void check_step() {
    if (++steps > opt.limits.steps_max) [[unlikely]]
      step_limit();
  }
  [[gnu::cold, gnu::noinline]] void step_limit() {
    end(Outcome::step_limit, "exceeded " + std::to_string(opt.limits.steps_max) +
                                 " steps: a spin loop without a yield point? (raise Limits::steps_max / WEFT_STEPS)");
  }

  // Picks the next thread among `enabled`; advances time when none is.
  VThread* pick(bool current_enabled) {
    if (enabled.empty()) [[unlikely]]
      wait_for_enabled();
    if (enabled.size() == 1) return enabled_threads[0];
    Choice c{std::span<const ThreadIndex>(enabled), current ? current->index : ThreadIndex(0), current_enabled, steps,
             &trace};
    std::size_t i = choose(c);
    if (i >= enabled.size()) [[unlikely]]
      i = enabled.size() - 1;
    VThread* t = enabled_threads[i];
    decisions.push_back(RecordedDecision{t->index, t->last_task, RecordedKind::thread});
    return t;
  }
  [[gnu::noinline]] void wait_for_enabled() {
    while (enabled.empty()) {
      if (!advance_time()) quiescent();
    }
  }
  std::size_t choose(const Choice& c) {
    try {
      return source->choose(c);
    } catch (AbortExecution& a) {
      aborted(a);
    }
  }
  [[noreturn, gnu::cold, gnu::noinline]] void aborted(AbortExecution& a) {
    end(Outcome::aborted, a.message);
    std::abort();
  }

  // A scheduling point at which the current thread stays runnable.
  void point() {
    heap::Untracked u;
    check_step();
    if (enabled.size() == 1) return;
    VThread* next = pick(true);
    if (next != current) switch_to(next);
  }

  // The current thread stops being runnable; run someone else until it is woken.
  void block() {
    heap::Untracked u;
    check_step();
    disable(current);
    VThread* next = pick(false);
    if (next != current) switch_to(next);
  }

  // How late the clock wakes at a jump (Options::wakeup_lateness): a recorded draw, as
  // timer_jitter draws a sleep's.
  Nanos lateness() {
    return opt.wakeup_lateness > 0 ? Nanos(self.random_below(std::uint64_t(opt.wakeup_lateness) + 1)) : 0;
  }
  bool advance_time() {
    while (!sleepers.empty()) {
      Sleeper s = sleepers.front();
      if (s.gen != s.t->wake_gen || s.t->state == VState::runnable || s.t->state == VState::finished) {
        std::pop_heap(sleepers.begin(), sleepers.end(), std::greater<>{});
        sleepers.pop_back();
        continue;
      }
      if (s.deadline > opt.limits.time_max)
        end(Outcome::time_limit, "exceeded " + std::to_string(opt.limits.time_max / 1000000) +
                                     " ms of virtual time (raise Limits::time_max / WEFT_TIME_MAX_MS)");
      if (s.deadline > now) now = s.deadline + lateness();
      // Wake everyone due at this instant: simultaneous events become a choice.
      while (!sleepers.empty() && sleepers.front().deadline <= now) {
        Sleeper w = sleepers.front();
        std::pop_heap(sleepers.begin(), sleepers.end(), std::greater<>{});
        sleepers.pop_back();
        if (w.gen == w.t->wake_gen && (w.t->state == VState::parked || w.t->state == VState::busy)) enable(w.t);
      }
      if (!enabled.empty()) return true;
    }
    return false;
  }

  // Nothing can run and nothing is pending.
  void quiescent() {
    // Built in place and moved: end() never returns to this frame, and a local left on an
    // abandoned stack would never be freed.
    std::vector<WaitInfo>& waiting = result.waiting;
    waiting.clear();
    bool stuck = false;
    VThread* settler = nullptr;
    for (std::size_t i = 0; i < live; ++i) {
      VThread* t = threads[i].get();
      if (t->state != VState::parked) continue;
      if (t->settling) {
        settler = t;
        continue;
      }
      if (t->why == WaitKind::block_on || t->why == WaitKind::join_thread || t->why == WaitKind::lock) stuck = true;
      if (t->why != WaitKind::idle && t->why != WaitKind::timer)
        waiting.push_back(WaitInfo{t->index, t->name, t->why, t->about});
    }
    if (stuck) {
      std::string msg = "nothing can run and nothing is pending; ";
      for (std::size_t i = 0; i < waiting.size(); ++i) {
        if (i) msg += ", ";
        msg += waiting[i].thread_name + " waits on " +
               (waiting[i].why == WaitKind::block_on ? "task " + std::to_string(waiting[i].about)
                                                     : std::string(waiting[i].why == WaitKind::lock ? "a lock" : "a thread"));
      }
      end(Outcome::deadlock, std::move(msg));
    }
    if (settler) {
      settler->settling = false;
      enable(settler);
      return;
    }
    end(Outcome::completed, "");
  }

  void thread_exit(VThread* me) {
    me->state = VState::finished;
    for (VThread* j : me->joiners)
      if (j->state == VState::parked) enable(j);
    me->joiners.clear();
    if (me->index == 0) {
      // The body is done (and settled): the execution ends here.
      ending = true;
      result.outcome = Outcome::completed;
      zombie = me;
      switch_to(nullptr);
      std::abort();
    }
    disable(me);
    zombie = me;
    VThread* next = pick(false);
    switch_to(next);
    std::abort();  // a finished fiber is never resumed
  }

  std::string overflow_message() const {
    std::string who = overflowed_task ? "task " + std::to_string(overflowed_task) : "thread " + overflowed->name;
    std::string msg = "stack overflow in " + who;
    if (const TaskInfo* ti = trace.task(overflowed_task)) {
      const SourceSite& site = trace.site_at(ti->site);
      if (!site.file.empty()) msg += ", spawned at " + site.str();
    } else if (!overflowed_task) {
      msg += " (not in a task)";
    }
    return msg + " (stack " + std::to_string(opt.stack_bytes / 1024) + " KiB: raise sim::Options::stack_bytes / WEFT_STACK_KB)";
  }

  VThread* new_thread(std::string name, std::function<void()> body) {
    if (live == threads.size()) threads.push_back(std::make_unique<VThread>());
    VThread* t = threads[live].get();
    // A reused record: reset everything an earlier execution may have left behind.
    t->state = VState::runnable;
    t->why = WaitKind::idle;
    t->about = 0;
    t->settling = false;
    t->last_task = 0;
    t->joiners.clear();
    t->tls = detail::ThreadState{};
    t->index = ThreadIndex(live++);
    t->name.assign(name);  // a copy: the record outlives the execution's heap
    t->body = std::move(body);
    t->stack = stacks.get();
    // Stacks are allocated alike, so without an offset every virtual thread's frames sit at
    // the same address modulo 4 KiB, and the CPU takes each load from the next stack in a
    // switch as depending on the stores just made to the previous one (4K aliasing): a
    // switch then costs several times more. A different offset per thread avoids it.
    std::size_t color = (t->index % 31) * 128 + 64;
    fiber::prepare(t->fiber, t->stack + opt.stack_bytes - color, opt.stack_bytes - color, &Impl::entry, this);
    t->tls.platform = &self;
    // Its executor comes with its thread_start record (the recorder fills it in).
    if (opt.trace) trace.threads.emplace_back().name = t->name;  // the name copied once, in place
    enable(t);
    return t;
  }
};

SimPlatform* current_sim() noexcept { return g_current_sim; }

namespace {

struct SimThread final : PlatformThread, Recycled<SimThread> {
  SimPlatform::Impl* sim;
  VThread* t;
  SimThread(SimPlatform::Impl* s, VThread* v) : sim(s), t(v) {}
  void join() override {
    if (t->state == VState::finished) return;
    heap::Untracked u;
    VThread* me = sim->current;
    t->joiners.push_back(me);
    me->state = VState::parked;
    me->why = WaitKind::join_thread;
    me->about = 0;
    while (t->state != VState::finished) sim->block();
  }
};

struct SimParker final : Parker, Recycled<SimParker> {
  SimPlatform::Impl* sim;
  VThread* waiter = nullptr;
  bool token = false;
  explicit SimParker(SimPlatform::Impl* s) : sim(s) {}
  void park(WaitKind why, TaskId about, Nanos deadline) override {
    if (token) {
      token = false;
      return;
    }
    heap::Untracked u;
    VThread* me = sim->current;
    waiter = me;
    me->state = VState::parked;
    me->why = why;
    me->about = about;
    if (deadline != no_deadline) {
      sim->sleepers.push_back(Sleeper{deadline, ++sim->sleeper_seq, me, me->wake_gen});
      std::push_heap(sim->sleepers.begin(), sim->sleepers.end(), std::greater<>{});
    }
    sim->block();
    waiter = nullptr;
    token = false;
  }
  void unpark() override {
    if (waiter && waiter->state == VState::parked) {
      heap::Untracked u;
      sim->enable(waiter);
      waiter = nullptr;
      return;
    }
    token = true;
  }
};

// Coarse granularity: code between scheduling points is atomic, so the scheduler's own
// locks need not do anything.
struct NoopMutex final : PlatformMutex, Recycled<NoopMutex> {
  NoopMutex() noexcept : PlatformMutex(true) {}
  void do_lock() override {}
  void do_unlock() override {}
};

struct SimMutex final : PlatformMutex {
  SimPlatform::Impl* sim;
  VThread* owner = nullptr;
  std::vector<VThread*> waiters;
  explicit SimMutex(SimPlatform::Impl* s) : sim(s) {}
  void do_lock() override {
    sim->point();
    VThread* me = sim->current;
    while (owner) {
      waiters.push_back(me);
      me->state = VState::parked;
      me->why = WaitKind::lock;
      me->about = 0;
      sim->block();
    }
    owner = me;
  }
  void do_unlock() override {
    WEFT_ASSERT(owner == sim->current, "a simulated mutex is unlocked by the thread that holds it");
    owner = nullptr;
    if (!waiters.empty()) {
      heap::Untracked u;
      VThread* w = waiters.front();
      waiters.erase(waiters.begin());
      if (w->state == VState::parked) sim->enable(w);
    }
  }
};

}  // namespace

Limits with_environment(Limits base) {
  auto read = [](const char* name, std::uint64_t max) -> std::optional<std::uint64_t> {
    const char* v = std::getenv(name);
    if (!v || !*v) return std::nullopt;
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(v, v + std::strlen(v), n);
    if (ec != std::errc() || *end != '\0' || n == 0 || n > max)
      throw std::invalid_argument(std::string(name) + "=\"" + v + "\": expected a positive integer up to " +
                                  std::to_string(max));
    return n;
  };
  if (auto n = read("WEFT_STEPS", UINT64_MAX / 2)) base.steps_max = *n;
  if (auto n = read("WEFT_TIME_MAX_MS", std::uint64_t(INT64_MAX / 1000000))) base.time_max = Nanos(*n) * 1000000;
  if (auto n = read("WEFT_TASKS_MAX", UINT32_MAX)) base.tasks_max = std::uint32_t(*n);
  return base;
}

SimPlatform::SimPlatform(Options o) : impl_(std::make_unique<Impl>(*this, o)) {
  impl_->opt.limits = with_environment(o.limits);
  fiber::install_overflow_handler();  // here, not per run: it costs a system call
  tracing_ = o.trace;
  one_os_thread().take_ids_unlocked();
  job_start_points_ = o.job_start_points;
}
SimPlatform::~SimPlatform() { one_os_thread().abandon_timers(); }

const Trace& SimPlatform::trace() const noexcept { return impl_->trace; }
const std::vector<RecordedDecision>& SimPlatform::decisions() const noexcept { return impl_->decisions; }
const Options& SimPlatform::options() const noexcept { return impl_->opt; }
void SimPlatform::set_options(const Options& o) {
  impl_->opt.granularity = o.granularity;
  impl_->opt.limits = with_environment(o.limits);
  impl_->opt.trace = o.trace;
  impl_->opt.job_start_points = o.job_start_points;
  impl_->opt.reclaim_abandoned = o.reclaim_abandoned;
  impl_->opt.shift_heap = o.shift_heap;
  impl_->opt.time_jitter = o.time_jitter;
  impl_->opt.wakeup_lateness = o.wakeup_lateness;
  tracing_ = o.trace;
  job_start_points_ = o.job_start_points;
}

void SimPlatform::set_shift_heap(bool on) noexcept { impl_->opt.shift_heap = on; }

RunResult SimPlatform::run(const std::function<void()>& body, DecisionSource& decisions) {
  auto& m = *impl_;
  if (g_current_sim) throw std::logic_error("weft::sim: a simulation is already running on this thread");
  // Fresh execution state; stacks of abandoned threads go back to the pool.
  for (std::size_t i = 0; i < m.live; ++i) {
    VThread* t = m.threads[i].get();
    if (t->stack) m.stacks.put(t->stack);
    t->stack = nullptr;
  }
  m.live = 0;
  m.enabled.clear();
  m.enabled_threads.clear();
  m.sleepers.clear();
  m.sleeper_seq = 0;
  m.current = nullptr;
  m.source = &decisions;
  m.now = 0;
  m.steps = 0;
  m.live_tasks = 0;
  m.trace.clear();
  m.waits.clear();
  m.decisions.clear();
  m.decisions.reserve(1024);
  m.result = RunResult{};
  m.ending = false;
  m.zombie = nullptr;
  m.recorder.clear();
  m.overflowed = nullptr;
  m.overflowed_task = 0;
  one_os_thread().reset_ids();
  one_os_thread().abandon_timers();
  // Between executions no runtime object is alive (run() resets what the thread records
  // keep when an execution ends), on any simulation of this OS thread.
  Recycled<SimThread>::all_free();
  Recycled<SimParker>::all_free();
  Recycled<NoopMutex>::all_free();

  g_current_sim = this;
  auto* saved_tls = detail::tls_state;
  m.new_thread("main", [this, &body] {
    try {
      body();
      settle();
      shutdown_timers();
    } catch (...) {
      impl_->result.body_error = std::current_exception();
      impl_->end(Outcome::body_threw, "the body threw: " + describe(std::current_exception()));
    }
  });
  VThread* first = m.threads[0].get();
  m.enabled.assign(1, 0);
  m.enabled_threads.assign(1, first);
  m.current = first;
  OneOsThread::swap_thread_state(&first->tls);
  void* fake = nullptr;
  m.asan_start(&fake, first);
  m.jumper = nullptr;
  const bool reclaim = m.opt.reclaim_abandoned;
  if (reclaim) detail::set_frame_cache(false);  // a cached frame would outlive a release
  heap::shifted = m.opt.shift_heap;
  fiber::watch_overflow(&Impl::overflow_check, &m);
  fiber::jump(m.host, first->fiber);
  fiber::watch_overflow(nullptr, nullptr);
  // Back on the host: the execution ended (completed, deadlock, a limit or a crash).
  heap::tracking = false;
  heap::shifted = false;
  m.asan_finish(fake, false);
  m.reap();
  if (m.overflowed) m.result.message = m.overflow_message();
  // A thread record's own parker (block_on) dies with the execution: destroyed if the
  // execution completed, forgotten if it was abandoned (its owners are gone too).
  const bool abandoned = m.result.outcome != Outcome::completed && m.result.outcome != Outcome::body_threw;
  for (std::size_t i = 0; i < m.live; ++i) {
    if (abandoned)
      new (&m.threads[i]->tls) detail::ThreadState{};
    else
      m.threads[i]->tls = detail::ThreadState{};
  }
  // The timer service (its thread record, parker and mutex come from this OS thread's
  // pools) goes now, not at the next run of this simulator: another simulator on the same OS
  // thread (a shrink, a replay) frees those pools when it starts.
  one_os_thread().abandon_timers();
  if (reclaim) {
    detail::set_frame_cache(true);
    m.end_heap(abandoned);
  }
  OneOsThread::swap_thread_state(saved_tls);
  g_current_sim = nullptr;
  m.result.end_time = m.now;
  m.result.steps = m.steps;
  m.result.trace_hash = m.opt.hash_trace ? trace_hash() : 0;
  return m.result;
}

std::uint64_t SimPlatform::trace_hash() const noexcept {
  const Impl& m = *impl_;
  // With tracing off the schedule alone identifies the execution.
  std::uint64_t h0 = m.opt.trace ? m.trace.hash() : weft::detail::fnv1a64_short_basis;
  // Fold the decisions into the hash too: same seed, same schedule, same hash. Four
  // independent lanes, so that the fold costs a fraction of a step per decision.
  {
    constexpr std::uint64_t kMul = weft::detail::golden_gamma;
    std::uint64_t h = h0;
    std::uint64_t lane[4] = {h, h ^ 0x243F6A8885A308D3ull, h ^ 0x13198A2E03707344ull, h ^ 0xA4093822299F31D0ull};
    const RecordedDecision* d = m.decisions.data();
    std::size_t n = m.decisions.size(), i = 0;
    for (; i + 4 <= n; i += 4)
      for (int k = 0; k < 4; ++k) lane[k] = (lane[k] ^ (d[i + k].value + 1)) * kMul;
    for (; i < n; ++i) lane[0] = (lane[0] ^ (d[i].value + 1)) * kMul;
    for (int k = 0; k < 4; ++k) h = (h ^ lane[k] ^ (lane[k] >> 29)) * kMul;
    return h ^ (h >> 32) ^ n;
  }
}

std::unique_ptr<PlatformThread> SimPlatform::start_thread(std::string name, std::function<void()> body,
                                                         ThreadOwner owner) {
  auto& m = *impl_;
  heap::Untracked u;
  VThread* t = m.new_thread(std::move(name), std::move(body));
  if (tracing_) emit(trace::event::thread_start(t->index, owner.executor, owner.serves));
  return std::make_unique<SimThread>(impl_.get(), t);
}

std::unique_ptr<Parker> SimPlatform::make_parker() { return std::make_unique<SimParker>(impl_.get()); }

std::unique_ptr<PlatformMutex> SimPlatform::make_mutex() {
  if (impl_->opt.granularity == Granularity::coarse) return std::make_unique<NoopMutex>();
  return std::make_unique<SimMutex>(impl_.get());
}
std::unique_ptr<PlatformMutex> SimPlatform::make_blocking_mutex() { return std::make_unique<SimMutex>(impl_.get()); }
Nanos SimPlatform::now() { return impl_->now; }

void SimPlatform::blocking_work(Nanos d, WorkKind, const std::source_location&) {
  auto& m = *impl_;
  if (d <= 0) {
    m.point();
    return;
  }
  VThread* me = m.current;
  heap::Untracked u;
  me->state = VState::busy;
  m.sleepers.push_back(Sleeper{m.now + d, ++m.sleeper_seq, me, me->wake_gen});
  std::push_heap(m.sleepers.begin(), m.sleepers.end(), std::greater<>{});
  m.block();
}

void SimPlatform::yield_point() { impl_->point(); }

std::uint64_t SimPlatform::random_below(std::uint64_t bound) {
  auto& m = *impl_;
  if (bound <= 1) return 0;
  heap::Untracked u;
  std::uint64_t v;
  try {
    v = m.source->random(bound);
  } catch (AbortExecution& a) {
    m.end(Outcome::aborted, a.message);
    std::abort();
  }
  if (v >= bound) v = bound - 1;
  m.decisions.push_back(RecordedDecision{v, 0, RecordedKind::random});
  return v;
}

Nanos SimPlatform::timer_jitter(Nanos) {
  Nanos j = impl_->opt.time_jitter;
  return j > 0 ? Nanos(random_below(std::uint64_t(j) + 1)) : 0;
}

bool SimPlatform::fault(std::string_view name, std::uint32_t per_million) {
  auto& m = *impl_;
  if (per_million == 0) return false;
  heap::Untracked u;
  bool fired;
  try {
    fired = m.source->fault(name, per_million);
  } catch (AbortExecution& a) {
    m.end(Outcome::aborted, a.message);
    std::abort();
  }
  m.decisions.push_back(RecordedDecision{fired ? 1u : 0u, 0, RecordedKind::fault});
  if (tracing_) emit(trace::event::fault(current_task(), name, fired));
  return fired;
}

void SimPlatform::emit(const TraceEvent& e) {
  auto& m = *impl_;
  heap::Untracked u;
  VThread* cur = m.current;
  if (e.kind == EventKind::spawn) {
    if (++m.live_tasks > m.opt.limits.tasks_max)
      m.end(Outcome::task_limit, "exceeded " + std::to_string(m.opt.limits.tasks_max) +
                                     " live tasks (raise Limits::tasks_max / WEFT_TASKS_MAX)");
  } else if (e.kind == EventKind::complete) {
    if (m.live_tasks) --m.live_tasks;
  } else if (e.kind == EventKind::resume && cur) {
    cur->last_task = e.task;
  }
  if (!m.opt.trace) return;
  std::uint32_t index = m.recorder.record(e, m.now, std::uint32_t(m.steps), cur ? cur->index : 0, cur != nullptr);
  if (m.waits.apply(index) && !m.ending) [[unlikely]]
    m.check_cycle();
}

void settle() {
  SimPlatform* s = current_sim();
  if (!s) return;
  auto& m = *s->impl_;
  heap::Untracked u;
  VThread* me = m.current;
  me->settling = true;
  me->state = VState::parked;
  me->why = WaitKind::idle;
  m.block();
  me->settling = false;
}

}  // namespace weft::sim
