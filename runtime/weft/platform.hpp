// The Platform seam: every point at which real threads would race or wait.
//
// The runtime (executors, timers, block_on, sync primitives) reaches the OS only
// through this interface. RealPlatform implements it with std::thread, condition
// variables and steady_clock; a simulated platform can implement each call as a
// scheduling point driven by a model checker. runtime/ never names an implementation
// other than RealPlatform.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <source_location>
#include <string>
#include <string_view>

// The event vocabulary the runtime reports in (EventKind, TraceEvent, ids, Nanos) is the
// trace contract, weft::trace's base header.
#include "weft/trace/emit.hpp"
#include "weft/trace/event.hpp"

namespace weft {

// A park/unpark pair with a token, like Rust's thread::park: unpark before park makes the
// next park return at once. One waiter at a time.
class Parker {
 public:
  virtual ~Parker() = default;
  // Returns when unparked or when `deadline` (platform time) passed. Spurious returns allowed.
  virtual void park(WaitKind why, TaskId about = 0, Nanos deadline = no_deadline) = 0;
  virtual void unpark() = 0;
};

// A mutex guarding the scheduler's own queues. Held only for short, non-blocking sections.
// A platform whose threads only switch at its own scheduling points (the simulator at
// coarse granularity) hands out trivial mutexes: lock and unlock are then a flag test,
// not a call.
class PlatformMutex {
 public:
  virtual ~PlatformMutex() = default;
  void lock() {
    if (!trivial_) do_lock();
  }
  void unlock() {
    if (!trivial_) do_unlock();
  }

 protected:
  explicit PlatformMutex(bool trivial = false) noexcept : trivial_(trivial) {}
  virtual void do_lock() = 0;
  virtual void do_unlock() = 0;

 private:
  bool trivial_;
};

class PlatformThread {
 public:
  virtual ~PlatformThread() = default;
  virtual void join() = 0;
};

class TimerService;

namespace detail {
struct ThreadState;
// The calling OS thread's runtime state (defined below).
extern thread_local constinit ThreadState* tls_state;
}  // namespace detail

// Whose thread a platform thread is, told at its start (never guessed from its name).
struct ThreadOwner {
  ObjectId executor = 0;  // the executor it belongs to (0: none: main, timer, reactor)
  bool serves = false;    // runs that executor's jobs (a worker); false: a helper (the injector)
};

class Platform {
 public:
  Platform();
  virtual ~Platform();
  Platform(const Platform&) = delete;
  Platform& operator=(const Platform&) = delete;

  virtual std::unique_ptr<PlatformThread> start_thread(std::string name, std::function<void()> body,
                                                       ThreadOwner owner = {}) = 0;
  virtual std::unique_ptr<Parker> make_parker() = 0;
  virtual std::unique_ptr<PlatformMutex> make_mutex() = 0;
  // A mutex for user code on threads (BlockingMutex): unlike the scheduler's own, it is
  // always a real one, and in simulation every lock is a scheduling point.
  virtual std::unique_ptr<PlatformMutex> make_blocking_mutex() { return make_mutex(); }
  virtual Nanos now() = 0;
  // Occupies the calling thread for `d` (sleeps or spins on real threads, virtual time in sim).
  virtual void blocking_work(Nanos d, WorkKind kind, const std::source_location& where) = 0;
  // A point at which another thread may run: the worker loops call it between tasks.
  virtual void yield_point() {}
  // The point between a pool worker taking a job from a queue it shares with other workers
  // and the job's first step. On real threads the worker may stall there while another
  // worker starts a job queued behind it, so jobs ready together start in either order. A
  // platform that schedules threads itself (the simulator) turns it into a yield_point.
  void job_start_point() {
    if (job_start_points_) yield_point();
  }
  // Uniform in [0, bound); bound >= 1. A recorded decision in simulation.
  virtual std::uint64_t random_below(std::uint64_t bound) = 0;
  // A fault-injection point: true when the fault fires. A recorded decision in simulation.
  virtual bool fault(std::string_view name, std::uint32_t per_million);
  // Extra delay for a sleep of nominal length `d` (time jitter, as FoundationDB's BUGGIFY
  // randomises delays): 0 on real threads, where timing varies on its own; in simulation,
  // with Options::time_jitter, a recorded random draw that the shrinker pulls toward 0.
  virtual Nanos timer_jitter(Nanos d) {
    (void)d;
    return 0;
  }

  // Trace sink. `tracing()` is checked first so that building an Event costs nothing when off.
  bool tracing() const noexcept { return tracing_; }
  virtual void emit(const TraceEvent&) {}

  // A lost exception about to reach the process-wide hook. A platform that records it
  // itself (the simulator) returns true to keep the hook quiet.
  virtual bool consume_lost_exception(TaskId, std::string_view) { return false; }

  TaskId next_task_id() noexcept;
  ObjectId next_object_id() noexcept;
  // The timer thread of this platform, started on first use.
  TimerService& timers();
  // The timer thread if it was started, else null (never starts it).
  TimerService* started_timers() noexcept;
  // Stops the timer thread (if started). Idempotent.
  void shutdown_timers();

 protected:
  bool tracing_ = false;
  // Set by a platform that wants job_start_point() to be a scheduling point.
  bool job_start_points_ = false;

  // What only a platform whose threads all run on one OS thread, one at a time (the
  // simulator), may do: each is sound only because no two of its threads ever run at once,
  // and nothing else in the runtime offers them. A derived platform reaches them through
  // one_os_thread().
  class OneOsThread {
   public:
    explicit OneOsThread(Platform& p) noexcept : p_(p) {}
    // The id shortcut: task and object ids taken with a plain load and store instead of a
    // locked instruction. For the platform's whole life.
    void take_ids_unlocked() noexcept { p_.one_os_thread_ = true; }
    // Task and object ids start again from 1 (a fresh execution, same ids as the last).
    void reset_ids() noexcept;
    // Abandon: forgets the timer thread without joining it (its thread was abandoned
    // mid-run and will never be resumed).
    void abandon_timers() noexcept;
    // The thread-state swap: makes `state` the runtime state of the calling OS thread
    // (what a switch between two of the platform's threads does; null: none).
    static void swap_thread_state(detail::ThreadState* state) noexcept { detail::tls_state = state; }

   private:
    Platform& p_;
  };
  OneOsThread one_os_thread() noexcept { return OneOsThread(*this); }

 private:
  bool one_os_thread_ = false;  // OneOsThread::take_ids_unlocked()
  struct Ids;
  std::unique_ptr<Ids> ids_;
  std::unique_ptr<TimerService> timers_;
};

// The process-wide real platform.
Platform& real_platform();

class Executor;

namespace detail {
// Per-thread runtime state. On real threads it lives in thread-local storage; a simulated
// platform, running many virtual threads on one OS thread, swaps `tls_state` on every switch.
struct ThreadState {
  Platform* platform = nullptr;
  Executor* executor = nullptr;  // the executor this thread serves (null: main, timer, io)
  Executor* context = nullptr;   // the context leaf awaiters capture (null: resume anywhere)
  TaskId task = 0;               // the spawned task currently running on this thread
  std::uint32_t worker = 0;      // index within executor
  // This thread's parker for block_on, created on first use and kept for the thread's life:
  // a waker may still be inside unpark() when the waiter has already seen completion.
  std::unique_ptr<Parker> parker;
  Parker& own_parker();
};
ThreadState& thread_state() noexcept;  // creates a default state on first use
}  // namespace detail

// The platform of the calling thread: the simulated one inside a simulation, else real.
inline Platform& current_platform() noexcept {
  auto* s = detail::tls_state;
  return (s && s->platform) ? *s->platform : real_platform();
}

// Blocking work as user code writes it: a legacy synchronous call, CPU-bound work.
void blocking_io(Nanos d, std::source_location where = std::source_location::current());
void cpu_work(Nanos d, std::source_location where = std::source_location::current());

namespace detail {
// Records the creation of a named (or unnamed) synchronisation object. No-op when not tracing.
void emit_object_create(Platform& p, ObjectId id, ObjectKind kind, std::string_view name,
                        const std::source_location& where);
// A readable task name from a std::source_location::function_name(): "orders::fetch_user"
// from "weft::Task<int> orders::fetch_user(int)", "lambda in main" for a lambda. Returns a
// string with static storage duration (cached per distinct input).
std::string_view short_function_name(const char* function_name);
}  // namespace detail

// Emits a user annotation into the trace (no-op when not tracing).
void annotate(std::string_view text, std::source_location where = std::source_location::current());

}  // namespace weft
