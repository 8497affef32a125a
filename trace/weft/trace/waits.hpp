// The wait-for graph of one execution, built from its trace records in order: which task
// waits for what (an async mutex and its owner, a semaphore and the tasks holding its
// permits, an event, a channel, another task's result), which thread is blocked on which
// task (block_on, join), which task runs on which thread and which continuation is queued
// on which executor. The simulator feeds it as records are made and ends an execution as
// soon as a wait-for cycle forms, even while timers and other tasks keep running; the
// deadlock and hang properties replay a finished trace through it to draw the chain from
// a blocked root to its cause.
//
// A node is stuck when everything it waits for is stuck:
//   thread blocked on task X              -> X
//   task waiting for a mutex              -> its owner
//   task waiting for a semaphore          -> every live task holding a permit of it
//   task awaiting task X                  -> X
//   task running on thread U              -> U (U blocked inside the task)
//   task queued on executor E             -> every thread of E
// A wait for an event or a channel, a semaphore nobody holds, a mutex nobody owns, an
// unfinished task that is simply not waiting: not stuck (somebody may still signal it).
// The greatest set of nodes that are stuck by this rule is the deadlocked set; when it is
// non-empty it contains a cycle.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "weft/trace/trace.hpp"

namespace weft::trace {

class WaitGraph {
 public:
  // A task or a thread.
  struct Node {
    bool thread = false;
    std::uint32_t id = 0;  // TaskId, or ThreadIndex when `thread`
    auto operator<=>(const Node&) const = default;
  };
  enum class On : std::uint8_t { none, mutex, semaphore, event, channel, task };
  struct Wait {
    On on = On::none;
    ObjectId object = 0;    // mutex / semaphore / event / channel
    TaskId task = 0;        // On::task: the awaited task
    std::uint32_t record = 0;
  };
  // One link of a chain, for messages and pictures.
  struct Link {
    Node node;
    std::string text;                  // "task 3 waits on semaphore #2 (f.cpp:18): ..."
    std::vector<std::uint32_t> records;
    std::vector<std::string> sites;
  };

  explicit WaitGraph(const Trace& trace) : trace_(&trace) {}
  void clear();
  // Feeds record `index` of the trace (records must come in order). Returns true when the
  // record may have closed a cycle (worth a `deadlocked()` check).
  bool apply(std::uint32_t index);
  // Feeds every record of the trace from the first not fed yet.
  void apply_all();

  // The deadlocked set now (empty: none).
  std::set<Node> deadlocked() const;
  // A cycle inside `stuck`, in wait-for order, starting from its least node.
  std::vector<Node> cycle_in(const std::set<Node>& stuck) const;
  // The chain from `root` following what it waits for: ends at a node already on the
  // chain (a cycle), at something nobody is known to hold, or at a node that is not waiting.
  std::vector<Link> chain(Node root) const;
  // "a -> b -> c" over a chain.
  static std::string join(const std::vector<Link>& chain);

  // Per-node facts, for properties.
  std::optional<Wait> wait_of(TaskId t) const;
  std::optional<std::uint32_t> block_of(ThreadIndex t) const;  // open block record
  bool completed(TaskId t) const { return t < completed_at_.size() && completed_at_[t] != 0; }
  std::vector<TaskId> holders(ObjectId semaphore) const;
  TaskId owner(ObjectId mutex) const;
  // Threads blocked in block_on/join right now.
  std::vector<ThreadIndex> blocked_threads() const;
  // Tasks waiting on a primitive or another task right now.
  std::vector<TaskId> waiting_tasks() const;
  std::string node_name(Node n) const;
  // Timers armed and not fired yet (cancelled ones included: the trace does not say).
  std::int64_t armed_timers() const { return armed_timers_; }

 private:
  std::vector<Node> deps(Node n, bool& stuckable) const;
  std::vector<ThreadIndex> threads_of(ObjectId executor) const;
  std::string object_name(On on, ObjectId id) const;
  std::string site_of(std::uint32_t record) const;

  // Per-task and per-thread state in vectors indexed by id (ids are dense): apply() runs for
  // every record of every traced execution.
  template <class T>
  static T& at(std::vector<T>& v, std::size_t i, T fill = T{}) {
    if (i >= v.size()) v.resize(i + 1, fill);
    return v[i];
  }
  void clear_wait(TaskId t);
  const Wait* find_wait(TaskId t) const { return t < waits_.size() && waits_[t].on != On::none ? &waits_[t] : nullptr; }
  TaskId running_task(ThreadIndex u) const { return u < running_.size() ? running_[u] : 0; }
  std::optional<ThreadIndex> running_on(TaskId t) const {
    if (t >= running_on_.size() || running_on_[t] < 0) return std::nullopt;
    return ThreadIndex(running_on_[t]);
  }
  ObjectId queued_on(TaskId t) const { return t < queued_.size() ? queued_[t] : 0; }

  const Trace* trace_;
  std::uint32_t fed_ = 0;
  std::int64_t armed_timers_ = 0;
  std::vector<Wait> waits_;                          // by task; On::none: not waiting
  std::set<TaskId> waiting_;                         // tasks with an open wait
  std::map<ObjectId, TaskId> owner_;                 // async mutex -> owning task
  std::map<ObjectId, std::uint32_t> owner_since_;    // record that made it the owner
  std::map<ObjectId, std::vector<std::pair<TaskId, std::uint32_t>>> holders_;  // semaphore -> (task, acquire record)
  std::map<ThreadIndex, std::uint32_t> blocks_;      // thread -> open block record
  std::vector<TaskId> running_;                      // by thread: the task it runs now
  std::vector<std::int32_t> running_on_;             // by task: the thread running it, -1 none
  std::vector<ObjectId> queued_;                     // by task: executor its continuation is queued on
  std::uint32_t queued_count_ = 0;
  std::vector<std::uint32_t> completed_at_;          // by task: complete record + 1, 0 = not completed
};

}  // namespace weft::trace

namespace weft::sim {  // its name while it lived in weft::sim (see trace.hpp)
using trace::WaitGraph;
}  // namespace weft::sim
