// SimPlatform: the runtime's Platform on virtual threads (fibers on one OS thread), a
// virtual clock and recorded decisions. Every Platform call that could race is a
// scheduling point at which a DecisionSource picks the next virtual thread; between two
// points code runs atomically. Time moves only when no virtual thread can run.
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "weft/detail/random.hpp"
#include "weft/platform.hpp"
#include "weft/trace/result.hpp"
#include "weft/trace/trace.hpp"

namespace weft::sim {

enum class Granularity : std::uint8_t {
  coarse,  // choices at task/queue boundaries, wakes and events
  fine,    // also at every internal lock of the scheduler
};

struct Limits {
  std::uint64_t steps_max = 1'000'000;  // scheduling steps per execution
  Nanos time_max = 3600_s;              // virtual time per execution
  std::uint32_t tasks_max = 2'000'000;  // live tasks
};

// The limits with the environment's overrides applied: WEFT_STEPS (steps), WEFT_TIME_MAX_MS
// (virtual milliseconds), WEFT_TASKS_MAX (live tasks). Every SimPlatform applies them, so
// the knobs the limit messages name work for weft::check, the CLI and campaigns alike.
// Throws std::invalid_argument (one line) on a value that is not a positive integer.
Limits with_environment(Limits base);

struct Choice {
  std::span<const ThreadIndex> enabled;  // sorted by thread index; size >= 2
  ThreadIndex current;                   // the thread that reached the point (may be absent from enabled)
  bool current_enabled;                  // false when it blocked: no preemption to count
  std::uint64_t step;
  // What the execution has recorded up to this point (records, threads with their executors):
  // a strategy reads the records since its previous choice to make the footprint of the
  // transition that just ended. Empty with tracing off; null only in a choice made by hand
  // outside a simulation (every transition then touches everything).
  const trace::Trace* trace = nullptr;
};

// Where decisions come from: a strategy of the explorer, or a seeded random source.
class DecisionSource {
 public:
  virtual ~DecisionSource() = default;
  // Index into c.enabled.
  virtual std::size_t choose(const Choice& c) = 0;
  // Uniform in [0, bound), bound >= 2.
  virtual std::uint64_t random(std::uint64_t bound) = 0;
  // Whether the named fault fires (default: a random draw against its probability).
  virtual bool fault(std::string_view name, std::uint32_t per_million);
};

// The default source until a strategy is plugged in: a seeded random walk.
class RandomSource final : public DecisionSource {
 public:
  // Inline: strategies draw from one of their own at every decision.
  explicit RandomSource(std::uint64_t seed) noexcept : gen_(seed), ahead_(gen_.next()) {}
  std::size_t choose(const Choice& c) override { return std::size_t(random(c.enabled.size())); }
  std::uint64_t random(std::uint64_t bound) override {
    std::uint64_t r = ahead_;
    ahead_ = gen_.next();
    return weft::detail::below(r, bound);
  }

 private:
  weft::detail::Xoshiro256ss gen_;
  // The next output, drawn one call ahead: a choice then waits for one multiply, not for
  // the whole generator (the sequence is the same).
  std::uint64_t ahead_;
};

enum class RecordedKind : std::uint8_t { thread = 0, random = 1, fault = 2 };
// 16 bytes: one is written per decision, so its size is part of the cost of a step.
struct RecordedDecision {
  std::uint64_t value;     // thread: chosen thread index; random: value; fault: 0/1
  std::uint32_t key = 0;   // thread: task the chosen thread last ran (for divergence messages)
  RecordedKind kind;
};
static_assert(sizeof(RecordedDecision) == 16);

struct Options {
  Granularity granularity = Granularity::coarse;
  Limits limits;
  bool trace = true;
  // A scheduling point between a pool worker's pop and the job's first step (see
  // Platform::job_start_point): without it, jobs ready together on a pool of two or more
  // workers always start in queue order, which real threads do not promise. Off only to
  // measure what it costs.
  bool job_start_points = true;
  std::size_t stack_bytes = 256 * 1024;
  // An execution that ends in deadlock or at a limit frees everything its code allocated
  // (without running destructors: its threads never resume). The body must then not hand
  // heap memory it allocated to the caller; turn this off if it does.
  bool reclaim_abandoned = true;
  // Every address the execution's code allocates (with reclaim_abandoned) lands 16 bytes
  // off where it would otherwise. The explorer's nondeterminism check replays so: a program
  // that branches on, hashes or prints a heap address then shows a different trace.
  bool shift_heap = false;
  // Every sleep_for lasts up to this much longer than asked, a recorded draw per sleep
  // (0 = exact virtual time). Bugs that need one timing among many become reachable.
  Nanos time_jitter = 0;
  // When virtual time jumps to the next deadline, the clock may wake up to this much later,
  // a recorded draw per jump (0 = on time). Everything due by then wakes together, as when
  // a real timer thread or reactor wakes late and finds several timers expired: their
  // handlers are queued before any of them runs, so one cannot cancel another that was due
  // a moment later (asio's cancel() then returns 0 and the handler still sees success).
  Nanos wakeup_lateness = 0;
  // RunResult::trace_hash computed at the end of each run. Off, it is 0 and
  // SimPlatform::trace_hash() computes it on demand: the explorer asks for it only for
  // the executions that need it (a finding, the nondeterminism check's pair), since it
  // reads every record of the trace.
  bool hash_trace = true;
};

// Thrown by a DecisionSource to stop the execution (replay divergence); carries the message.
struct AbortExecution {
  std::string message;
};

class SimPlatform final : public Platform {
 public:
  explicit SimPlatform(Options o = {});
  ~SimPlatform() override;

  // Runs `body` on virtual thread 0 ("main") until it returns and the world settles, or
  // until a deadlock or a limit. Reusable: each call is a fresh execution.
  RunResult run(const std::function<void()>& body, DecisionSource& decisions);

  const Trace& trace() const noexcept;
  const std::vector<RecordedDecision>& decisions() const noexcept;
  // The hash of the last execution (its trace, with tracing on, and its decisions): the
  // value RunResult::trace_hash carries when Options::hash_trace is on.
  std::uint64_t trace_hash() const noexcept;
  const Options& options() const noexcept;
  void set_options(const Options& o);
  // Options::shift_heap alone (set_options also re-reads the environment's limits): the
  // explorer turns it on and off around each re-run.
  void set_shift_heap(bool on) noexcept;

  // Platform
  std::unique_ptr<PlatformThread> start_thread(std::string name, std::function<void()> body,
                                               ThreadOwner owner = {}) override;
  std::unique_ptr<Parker> make_parker() override;
  std::unique_ptr<PlatformMutex> make_mutex() override;
  std::unique_ptr<PlatformMutex> make_blocking_mutex() override;
  Nanos now() override;
  void blocking_work(Nanos d, WorkKind kind, const std::source_location& where) override;
  void yield_point() override;
  std::uint64_t random_below(std::uint64_t bound) override;
  bool fault(std::string_view name, std::uint32_t per_million) override;
  Nanos timer_jitter(Nanos d) override;
  void emit(const TraceEvent& e) override;
  bool consume_lost_exception(TaskId, std::string_view) override { return true; }

  struct Impl;

 private:
  friend void settle();
  std::unique_ptr<Impl> impl_;
};

// Inside a simulation: parks the calling virtual thread until nothing else can run and no
// timer is pending (the world is idle), then returns. Outside: returns at once.
void settle();
// The simulation the calling code runs in, or null.
SimPlatform* current_sim() noexcept;

}  // namespace weft::sim
