// Causality in the trace: what each record touches (its footprint) and which records
// happen before which (vector clocks). Everything here is derived from sim::Trace records
// in one place, so a new record kind needs one line in access_of() and nothing else.
//
// Footprints. A record names at most a few things: the object it works on (mutex,
// channel, semaphore, event, executor queue, cancellation source), the task it is about
// (its queue slot, its completion) or a timer. Each becomes a key (an object, a task, or a
// timer: disjoint key spaces) with an access: read, write, acquire or release. Two
// accesses conflict when they share a key and are not both reads; acquire and release
// count as writes for conflicts, and as the two ends of a synchronisation for clocks.
//
// Transitions. Strategies choose at scheduling points; what a thread does from one point
// to the next is a transition, whose footprint is the union of its records' accesses. A
// transition without records is a worker inspecting its executor's queues (a write of
// that executor: a post there conflicts with it) or, for any other thread, something
// invisible: it conflicts with everything (`universal`).
//
// Happens-before. Agents are tasks (a task runs on several threads over its life) and,
// for records outside any task, virtual threads. Each record with a footprint is an
// event of its agent and ticks the agent's clock. Edges: program order per agent; spawn
// (parent before child); schedule -> resume of the same task (whoever queued a task's
// continuation -- a mutex release, a channel send, a timer firing -- precedes its next
// step); release -> later acquire of the same key (mutex, semaphore, event, channel,
// timer arm -> fire, I/O submit -> complete, stop request -> cancellation observed);
// completion of a task -> whoever was woken from block_on on it.
//
// Cost: nothing unless asked. HappensBefore is built from a finished trace, once per
// execution, by whoever needs it (a strategy, a renderer); memory is events x agents.
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

#include "weft/trace/trace.hpp"

namespace weft::model {

enum class Access : std::uint8_t { none, read, write, acquire, release };
const char* to_string(Access a) noexcept;

using Key = std::uint64_t;
inline constexpr Key universal_key = ~Key(0);
inline constexpr Key object_key(ObjectId id) noexcept { return (Key(1) << 32) | id; }
inline constexpr Key task_key(TaskId id) noexcept { return (Key(2) << 32) | id; }
inline constexpr Key timer_key(TaskId id) noexcept { return (Key(3) << 32) | id; }

struct KeyAccess {
  Key key = 0;
  Access access = Access::none;
  friend bool operator==(const KeyAccess&, const KeyAccess&) = default;
};

// The accesses of one record (at most 3), written to `out`; returns how many.
std::size_t accesses_of(const sim::TraceRecord& r, KeyAccess out[3]) noexcept;

// The footprint of a transition: sorted by key, one entry per key (write wins over read).
// Strategies make one at every scheduling point, and nearly all touch at most a few keys:
// up to `inline_capacity` entries live inside the object, so making, keeping and dropping
// one allocates nothing; a larger one moves to the heap.
class Footprint {
 public:
  static constexpr std::size_t inline_capacity = 4;
  Footprint() noexcept = default;
  Footprint(std::initializer_list<KeyAccess> l) {
    for (const KeyAccess& a : l) push_back(a);
  }
  Footprint(const Footprint& o) { *this = o; }
  Footprint(Footprint&& o) noexcept { *this = std::move(o); }
  Footprint& operator=(const Footprint& o) {
    if (this == &o) return *this;
    clear();
    for (const KeyAccess& a : o) push_back(a);
    return *this;
  }
  Footprint& operator=(Footprint&& o) noexcept {
    if (this == &o) return *this;
    size_ = o.size_;
    heap_ = std::move(o.heap_);
    if (heap_.empty())
      for (std::size_t i = 0; i < size_; ++i) inline_[i] = o.inline_[i];
    o.heap_.clear();
    o.size_ = 0;
    return *this;
  }

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  const KeyAccess* begin() const noexcept { return data(); }
  const KeyAccess* end() const noexcept { return data() + size_; }
  KeyAccess* begin() noexcept { return data(); }
  KeyAccess* end() noexcept { return data() + size_; }
  const KeyAccess& operator[](std::size_t i) const noexcept { return data()[i]; }
  const KeyAccess& back() const noexcept { return data()[size_ - 1]; }
  void clear() noexcept {
    size_ = 0;
    heap_.clear();
  }
  void push_back(KeyAccess a) { insert(end(), a); }
  // Inserts before `pos` (a pointer into this footprint); returns where `a` now is.
  KeyAccess* insert(KeyAccess* pos, KeyAccess a) {
    const std::size_t at = std::size_t(pos - begin());
    if (heap_.empty() && size_ < inline_capacity) {
      for (std::size_t i = size_; i > at; --i) inline_[i] = inline_[i - 1];
      inline_[at] = a;
      ++size_;
      return inline_ + at;
    }
    if (heap_.empty()) heap_.assign(inline_, inline_ + size_);
    heap_.insert(heap_.begin() + std::ptrdiff_t(at), a);
    ++size_;
    return heap_.data() + at;
  }
  friend bool operator==(const Footprint& a, const Footprint& b) noexcept {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  const KeyAccess* data() const noexcept { return heap_.empty() ? inline_ : heap_.data(); }
  KeyAccess* data() noexcept { return heap_.empty() ? inline_ : heap_.data(); }
  KeyAccess inline_[inline_capacity];
  std::size_t size_ = 0;
  std::vector<KeyAccess> heap_;  // every entry, once there are more than inline_capacity
};

// Footprint of the records [begin, end) of `trace`, reported by thread `thread`.
Footprint transition_footprint(const sim::Trace& trace, std::size_t begin, std::size_t end, sim::ThreadIndex thread);
// Merges `more` into `fp` (keeps it sorted, one entry per key).
void merge_footprint(Footprint& fp, const Footprint& more);
// True when some key is touched by both and not by two reads (universal conflicts with all).
bool conflict(const Footprint& a, const Footprint& b) noexcept;
bool is_universal(const Footprint& fp) noexcept;

// A fingerprint of the interleaving's equivalence class: for every key, the order in which
// agents (tasks, or threads outside tasks) made conflicting accesses to it. Two executions
// that differ only in the order of independent steps get the same value; what "new
// interleaving" means to the portfolio.
std::uint64_t interleaving_signature(const sim::Trace& trace);

// Interleaving coverage: the ordered pairs of conflicting accesses the execution made, as
// 64-bit points (sorted, unique). For each key, every access is paired with the conflicting
// access just before it by another agent (the last write before a read; the reads since
// the last write, or that write, before a write). An access is named by who made it (the
// spawn site of its task, or the thread's name outside tasks), its record kind and site,
// and what it touched (an object by kind, declaration site and its ordinal among the
// objects of that site; a task or timer by the task's stable key), never by ids that shift
// between executions, so the same ordering met again is the same point. What `weft fuzz`
// keeps as its feedback corpus (model/weft/model/feedback.hpp).
std::vector<std::uint64_t> interleaving_coverage(const sim::Trace& trace);

// Follows the transitions of one execution as a strategy sees them: at each choice point,
// the footprint of the transition that just ended, read from the trace the choice carries
// (sim::Choice::trace; at the end, Execution::trace). Null trace: every transition universal.
class TransitionObserver {
 public:
  void begin() noexcept { cursor_ = 0; }
  // The footprint of the records of `trace` since the previous call, done by `thread`.
  Footprint next(const sim::Trace* trace, sim::ThreadIndex thread);
  // Consumes the records since the previous call without looking at them.
  void skip(const sim::Trace* trace) noexcept {
    if (trace) cursor_ = trace->records.size();
  }
  // The records since the previous call, without consuming them.
  std::span<const sim::TraceRecord> pending(const sim::Trace* trace) const noexcept {
    if (!trace || cursor_ >= trace->records.size()) return {};
    return std::span<const sim::TraceRecord>(trace->records).subspan(cursor_);
  }

 private:
  std::size_t cursor_ = 0;
};

// A vector clock over a dense set of agents.
class VectorClock {
 public:
  std::uint32_t operator[](std::size_t agent) const noexcept { return agent < c_.size() ? c_[agent] : 0; }
  void tick(std::size_t agent) {
    grow(agent + 1);
    ++c_[agent];
  }
  void set(std::size_t agent, std::uint32_t v) {
    grow(agent + 1);
    c_[agent] = v;
  }
  void join(const VectorClock& o) {
    grow(o.c_.size());
    for (std::size_t i = 0; i < o.c_.size(); ++i)
      if (o.c_[i] > c_[i]) c_[i] = o.c_[i];
  }
  // Every component <= the other's.
  bool leq(const VectorClock& o) const noexcept {
    for (std::size_t i = 0; i < c_.size(); ++i)
      if (c_[i] > o[i]) return false;
    return true;
  }
  std::size_t size() const noexcept { return c_.size(); }

 private:
  void grow(std::size_t n) {
    if (c_.size() < n) c_.resize(n, 0);
  }
  std::vector<std::uint32_t> c_;
};

class HappensBefore {
 public:
  explicit HappensBefore(const sim::Trace& trace);

  std::size_t agents() const noexcept { return agent_names_.size(); }
  // "task 3" / "thread pool-0"
  const std::string& agent_name(std::size_t agent) const { return agent_names_[agent]; }
  // The agent that reported record i.
  std::uint32_t agent(std::size_t record) const noexcept { return record_agent_[record]; }
  // Whether record i is an event (has a footprint and a clock of its own).
  bool is_event(std::size_t record) const noexcept { return record_event_[record] != none; }
  // The clock of record i: of the event itself, or for a record without a footprint, of
  // the latest event of its agent before it (empty clock when there is none).
  const VectorClock& clock(std::size_t record) const noexcept;
  // Record a happens before record b (a != b): a's event is covered by b's clock.
  bool ordered(std::size_t a, std::size_t b) const noexcept;
  // Pairs of events (a < b) by different agents with conflicting accesses to one key and
  // no happens-before between them: the races a reordering could flip.
  std::vector<std::pair<std::size_t, std::size_t>> races() const;
  // Edges of the happens-before relation between events of different agents that come
  // straight from a synchronisation (release -> acquire, schedule -> resume, spawn): what
  // a renderer draws.
  const std::vector<std::pair<std::size_t, std::size_t>>& sync_edges() const noexcept { return edges_; }

 private:
  static constexpr std::uint32_t none = ~std::uint32_t(0);
  const sim::Trace* trace_;
  std::vector<std::string> agent_names_;
  std::vector<std::uint32_t> record_agent_;
  std::vector<std::uint32_t> record_event_;  // index into clocks_ (none: not an event)
  std::vector<std::uint32_t> record_clock_;  // index into clocks_ for every record (none: empty)
  std::vector<VectorClock> clocks_;          // one per event
  std::vector<std::uint32_t> event_tick_;    // the agent's own component at the event
  std::vector<std::pair<std::size_t, std::size_t>> edges_;
  VectorClock empty_;
};

}  // namespace weft::model
