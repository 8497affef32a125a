// Deadlock: a wait-for cycle.
//
// Threads: a thread T blocked in block_on/join on task X (a `block` record with no later `wake`
// on T) waits for
//   - the thread U currently running X (a `resume` of X on U with no `suspend` since), or
//   - the threads of executor E when X's continuation was `schedule`d on E and not resumed since
//     (if X has none pending, the pending continuations of X's unfinished descendants: X awaits
//     them), every one of E's threads being needed because any of them could run it.
// The deadlocked set is the greatest set of blocked threads each of which waits only for
// threads of the set; a cycle is then read off it in order. This finds the global deadlock
// (the simulator's `deadlock` outcome) and a partial one, while the rest of the world runs on.
// Tasks: an async Mutex waiter (`mutex_wait`, other = owner) with no later `mutex_acquire`
// waits for the owner; a cycle of such edges among unfinished tasks is a deadlock.
// Everything else (semaphores, awaited tasks, cycles mixing tasks and threads) goes through
// trace::WaitGraph, which also draws the wait chain of every report. A global deadlock
// without a cycle whose chain ends at a primitive nobody can signal any more is a hang.
#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "common.hpp"
#include "weft/trace/waits.hpp"

namespace weft::properties {
namespace {

constexpr std::uint32_t kNone = UINT32_MAX;

class Deadlock final : public Property {
 public:
  const char* name() const noexcept override { return "deadlock"; }
  // Every wait-for edge starts at one of these records; a deadlocked end is one too.
  Triggers triggers() const noexcept override {
    return {Triggers::kind(EventKind::block) | Triggers::kind(EventKind::mutex_wait) |
                Triggers::kind(EventKind::sem_wait) | Triggers::kind(EventKind::event_wait) |
                Triggers::kind(EventKind::channel_wait) | Triggers::kind(EventKind::join_wait),
            Triggers::outcome(trace::Outcome::deadlock), false};
  }

  void check(const Execution& e, std::vector<Violation>& out) const override {
    // Every wait-for edge starts at one of these records (a thread in block_on/join, a task
    // waiting on a primitive or a task): without any, and unless nothing could run at the
    // end, there is no edge and so no cycle.
    if (e.result.outcome != trace::Outcome::deadlock &&
        !e.index.has_any({EventKind::block, EventKind::mutex_wait, EventKind::sem_wait, EventKind::event_wait,
                          EventKind::channel_wait, EventKind::join_wait}))
      return;
    examine(e, out);
  }

 private:
  // The check proper, out of line: check() above is the cheap test most executions stop at.
  [[gnu::noinline]] void examine(const Execution& e, std::vector<Violation>& out) const {
    const auto& tr = e.trace;
    const auto& recs = tr.records;
    const std::size_t nthreads = e.index.threads();
    std::vector<std::uint32_t> open_block(nthreads, kNone);
    std::vector<TaskId> running(nthreads, 0);
    std::map<TaskId, std::uint32_t> pending;  // task -> index of its unanswered schedule
    std::set<TaskId> completed;
    std::map<std::pair<TaskId, ObjectId>, std::uint32_t> mutex_waits;  // (waiter, mutex) -> record
    for (std::uint32_t i = 0; i < recs.size(); ++i) {
      const auto& r = recs[i];
      switch (r.kind) {
        case EventKind::block: open_block[r.thread] = i; break;
        case EventKind::wake: open_block[r.thread] = kNone; break;
        case EventKind::resume:
          running[r.thread] = r.task;
          pending.erase(r.task);
          break;
        case EventKind::suspend: running[r.thread] = 0; break;
        case EventKind::schedule:
          if (r.task) pending[r.task] = i;
          break;
        case EventKind::complete: completed.insert(r.task); break;
        case EventKind::mutex_wait:
          if (r.other) mutex_waits[{r.task, r.object}] = i;
          break;
        case EventKind::mutex_acquire: mutex_waits.erase({r.task, r.object}); break;
        default: break;
      }
    }

    // Who each blocked thread waits for.
    struct Wait {
      TaskId on = 0;
      std::vector<trace::ThreadIndex> needs;   // all must be stuck for this thread to be stuck
      std::vector<std::uint32_t> queued;     // pending schedule records explaining the edge
      ObjectId executor = 0;                 // set when the edge goes through a queue
    };
    std::map<trace::ThreadIndex, Wait> waits;
    for (trace::ThreadIndex t = 0; t < nthreads; ++t) {
      if (open_block[t] == kNone) continue;
      TaskId x = recs[open_block[t]].other;
      if (completed.count(x)) continue;
      Wait w;
      w.on = x;
      for (trace::ThreadIndex u = 0; u < nthreads; ++u)
        if (running[u] == x && u != t) w.needs.push_back(u);
      if (w.needs.empty()) {
        std::vector<std::uint32_t> q;
        if (auto it = pending.find(x); it != pending.end()) {
          q.push_back(it->second);
        } else {
          for (auto& [task, idx] : pending)
            if (!completed.count(task) && detail::descends_from(tr, task, x)) q.push_back(idx);
        }
        std::set<ObjectId> execs;
        for (auto idx : q) execs.insert(recs[idx].object);
        bool ok = !execs.empty();
        for (ObjectId ex : execs) {
          auto ths = detail::threads_of(tr, ex);
          if (ths.empty()) ok = false;
          for (auto u : ths) w.needs.push_back(u);
        }
        if (!ok) w.needs.clear();
        w.queued = q;
        if (execs.size() == 1) w.executor = *execs.begin();
        std::sort(w.needs.begin(), w.needs.end());
        w.needs.erase(std::unique(w.needs.begin(), w.needs.end()), w.needs.end());
      }
      if (!w.needs.empty()) waits[t] = std::move(w);
    }
    // Greatest fixpoint: drop threads that wait for someone outside the set.
    for (bool changed = true; changed;) {
      changed = false;
      for (auto it = waits.begin(); it != waits.end();) {
        bool stuck = std::all_of(it->second.needs.begin(), it->second.needs.end(),
                                 [&](trace::ThreadIndex u) { return waits.count(u) != 0; });
        if (!stuck) {
          it = waits.erase(it);
          changed = true;
        } else {
          ++it;
        }
      }
    }

    // One report per strongly connected component of the wait-for graph: a pool whose
    // workers all wait for its own queue is one deadlock, not one per worker.
    std::map<trace::ThreadIndex, std::set<trace::ThreadIndex>> reach;
    for (auto& [t, _] : waits) {
      auto& r = reach[t];
      std::vector<trace::ThreadIndex> frontier{t};
      while (!frontier.empty()) {
        auto u = frontier.back();
        frontier.pop_back();
        for (auto n : waits.at(u).needs)
          if (r.insert(n).second) frontier.push_back(n);
      }
    }
    const trace::WaitGraph& graph = e.index.waits();
    bool reported = false;
    std::set<trace::ThreadIndex> done;
    for (auto& [start, _] : waits) {
      if (done.count(start) || !reach[start].count(start)) continue;  // not on a cycle
      std::set<trace::ThreadIndex> scc;
      for (auto u : reach[start])
        if (reach[u].count(start)) scc.insert(u);
      // In wait-for order: follow needs inside the component, first unvisited member.
      std::vector<trace::ThreadIndex> cycle{start};
      for (trace::ThreadIndex cur = start;;) {
        std::optional<trace::ThreadIndex> next;
        for (auto n : waits.at(cur).needs)
          if (scc.count(n) && std::find(cycle.begin(), cycle.end(), n) == cycle.end()) {
            next = n;
            break;
          }
        if (!next) break;
        cycle.push_back(cur = *next);
      }
      for (auto u : scc)
        if (std::find(cycle.begin(), cycle.end(), u) == cycle.end()) cycle.push_back(u);
      done.insert(scc.begin(), scc.end());
      out.push_back(thread_cycle(e, cycle, waits, open_block, pending));
      out.back().detail = "chain: " + trace::WaitGraph::join(graph.chain(trace::WaitGraph::Node{true, cycle.front()})) +
                          "\n" + out.back().detail;
      reported = true;
    }
    std::size_t before = out.size();
    mutex_cycles(e, mutex_waits, completed, graph, out);
    reported = reported || out.size() > before;
    if (!reported) reported = graph_cycle(e, graph, out);
    // Nothing can run, yet no cycle explains it (e.g. a join on a task that waits for an
    // event nobody will set): report who waits on what.
    if (!reported && e.result.outcome == trace::Outcome::deadlock)
      out.push_back(global_without_cycle(e, open_block, graph));
  }

 private:
  template <class Waits>
  static Violation thread_cycle(const Execution& e, const std::vector<trace::ThreadIndex>& cycle, const Waits& waits,
                                const std::vector<std::uint32_t>& open_block,
                                const std::map<TaskId, std::uint32_t>& pending) {
    const auto& tr = e.trace;
    Violation v;
    v.kind = ViolationKind::deadlock;
    v.severity = Severity::error;
    bool partial = e.result.outcome != trace::Outcome::deadlock || e.result.message.find("(partial") != std::string::npos;
    std::string msg = partial ? "deadlock (partial): " : "deadlock: ";
    std::string detail = "wait-for cycle";
    detail += formed_online(e) ? " (found when it formed):\n"
              : e.result.outcome == trace::Outcome::deadlock
                  ? " (nothing can run):\n"
                  : " (other threads kept running; the execution ended in " + std::string(trace::to_string(e.result.outcome)) +
                        "):\n";
    for (std::size_t i = 0; i < cycle.size(); ++i) {
      trace::ThreadIndex t = cycle[i];
      const auto& w = waits.at(t);
      const auto& blk = tr.records[open_block[t]];
      v.threads.push_back(t);
      v.tasks.push_back(w.on);
      v.records.push_back(open_block[t]);
      v.time = std::max(v.time, blk.time);
      std::string bsite = detail::site_str(tr, blk.site);
      detail::add_unique(v.locations, bsite);
      detail::add_unique(v.locations, detail::spawn_site(tr, w.on));
      if (i) msg += "; ";
      msg += tr.thread_name(t) + " waits for " + tr.task_label(w.on);
      detail += "  " + tr.thread_name(t) + " is blocked";
      if (!bsite.empty()) detail += " at " + bsite;
      detail += " waiting for " + detail::describe_task(tr, w.on) + "\n";
      if (!w.queued.empty()) {
        for (auto idx : w.queued) {
          const auto& q = tr.records[idx];
          v.records.push_back(idx);
          v.time = std::max(v.time, q.time);
          detail += "    " + tr.task_label(q.task) + "'s continuation is queued on " + tr.executor_name(q.object) +
                    " since " + detail::format_ms(q.time) + ", never resumed\n";
        }
        std::string ex = w.executor ? tr.executor_name(w.executor) : "its executors";
        msg += " queued on " + ex;
        detail += "    every thread of " + ex + " is blocked:";
        for (auto u : w.needs) detail += " " + tr.thread_name(u);
        detail += "\n";
      } else {
        msg += " running on " + tr.thread_name(w.needs.front());
        detail += "    " + tr.task_label(w.on) + " is running on " + tr.thread_name(w.needs.front()) + ", which is blocked\n";
      }
    }
    // Threads stuck behind the cycle without being part of it.
    std::string behind;
    for (auto& [t, w] : waits)
      if (std::find(cycle.begin(), cycle.end(), t) == cycle.end()) {
        behind += "  " + tr.thread_name(t) + " waits for " + tr.task_label(w.on);
        std::string s = detail::site_str(tr, tr.records[open_block[t]].site);
        if (!s.empty()) behind += " at " + s;
        behind += "\n";
      }
    // Threads the simulator saw waiting on something other than a task (a lock, a thread).
    if (e.result.outcome == trace::Outcome::deadlock)
      for (const auto& w : e.result.waiting)
        if (w.why != WaitKind::block_on && !waits.count(w.thread))
          behind += "  " + w.thread_name + (w.why == WaitKind::lock ? " waits for a lock" : " waits for a thread to exit") + "\n";
    if (!behind.empty()) detail += "also stuck behind it:\n" + behind;
    (void)pending;
    v.message = msg;
    v.detail = detail;
    return v;
  }

  // The simulator ended the execution the moment a wait-for cycle formed.
  static bool formed_online(const Execution& e) {
    return e.result.outcome == trace::Outcome::deadlock && e.result.message.rfind("wait-for cycle", 0) == 0;
  }

  // A cycle only the general graph sees: semaphore permits, awaited tasks, tasks and threads mixed.
  static bool graph_cycle(const Execution& e, const trace::WaitGraph& g, std::vector<Violation>& out) {
    auto stuck = g.deadlocked();
    if (stuck.empty()) return false;
    auto cycle = g.cycle_in(stuck);
    if (cycle.empty()) return false;
    const auto& tr = e.trace;
    Violation v;
    v.kind = ViolationKind::deadlock;
    v.severity = Severity::error;
    // The chain from the least blocked root outside the cycle, if any, shows who else hangs on it.
    auto chain = g.chain(cycle.front());
    v.message = "deadlock: " + trace::WaitGraph::join(chain);
    v.detail = std::string("wait-for cycle") + (formed_online(e) ? " (found when it formed)" : "") + " among " +
               std::to_string(cycle.size()) + ":\n";
    for (auto& l : chain) {
      v.detail += "  " + l.text + "\n";
      if (l.node.thread)
        v.threads.push_back(trace::ThreadIndex(l.node.id));
      else if (std::find(v.tasks.begin(), v.tasks.end(), l.node.id) == v.tasks.end())
        v.tasks.push_back(l.node.id);
      for (auto rec : l.records) {
        v.records.push_back(rec);
        v.time = std::max(v.time, tr.records[rec].time);
      }
      for (auto& s : l.sites) detail::add_unique(v.locations, s);
    }
    std::string behind;
    for (auto n : stuck)
      if (std::find(cycle.begin(), cycle.end(), n) == cycle.end()) behind += "  " + g.node_name(n) + "\n";
    if (!behind.empty()) v.detail += "also stuck behind it:\n" + behind;
    out.push_back(std::move(v));
    return true;
  }

  static Violation global_without_cycle(const Execution& e, const std::vector<std::uint32_t>& open_block,
                                        const trace::WaitGraph& g) {
    const auto& tr = e.trace;
    Violation v;
    v.kind = ViolationKind::deadlock;
    v.message = "deadlock: " + (e.result.message.empty() ? std::string("nothing can run") : e.result.message);
    v.time = e.result.end_time;
    // The chain from the first blocked root: when it ends at a primitive (an event nobody
    // sets, a semaphore whose permits died with their holders), nobody can ever signal it.
    for (const auto& w : e.result.waiting) {
      if (w.why != WaitKind::block_on) continue;
      auto chain = g.chain(trace::WaitGraph::Node{true, w.thread});
      if (chain.empty()) continue;
      const auto& last = chain.back();
      auto wt = last.node.thread ? std::nullopt : g.wait_of(last.node.id);
      bool primitive = wt && wt->on != trace::WaitGraph::On::task && wt->on != trace::WaitGraph::On::none;
      if (primitive) v.kind = ViolationKind::hang;
      v.message = std::string(primitive ? "hang: " : "deadlock: ") + trace::WaitGraph::join(chain);
      for (auto& l : chain) {
        for (auto& s : l.sites) detail::add_unique(v.locations, s);
        // The chain's records, for the renderers to highlight (the blocks are added below).
        for (auto rec : l.records)
          if (tr.records[rec].kind != EventKind::block) v.records.push_back(rec);
        if (!l.node.thread && std::find(v.tasks.begin(), v.tasks.end(), l.node.id) == v.tasks.end())
          v.tasks.push_back(l.node.id);
      }
      break;
    }
    v.detail = "nothing can run and nothing is pending:\n";
    for (const auto& w : e.result.waiting) {
      v.threads.push_back(w.thread);
      v.detail += "  " + w.thread_name;
      if (w.why == WaitKind::block_on) {
        v.tasks.push_back(w.about);
        v.detail += " waits for " + detail::describe_task(tr, w.about);
        detail::add_unique(v.locations, detail::spawn_site(tr, w.about));
      } else {
        v.detail += w.why == WaitKind::lock ? " waits for a lock" : " waits for a thread to exit";
      }
      if (w.thread < open_block.size() && open_block[w.thread] != kNone) {
        const auto& b = tr.records[open_block[w.thread]];
        std::string s = detail::site_str(tr, b.site);
        if (!s.empty()) v.detail += ", blocked at " + s;
        detail::add_unique(v.locations, s);
        v.records.push_back(open_block[w.thread]);
      }
      v.detail += "\n";
    }
    return v;
  }

  static void mutex_cycles(const Execution& e, const std::map<std::pair<TaskId, ObjectId>, std::uint32_t>& waits,
                           const std::set<TaskId>& completed, const trace::WaitGraph& graph, std::vector<Violation>& out) {
    const auto& tr = e.trace;
    std::map<TaskId, std::uint32_t> edge;  // waiter -> its mutex_wait record
    for (auto& [k, idx] : waits)
      if (!completed.count(k.first)) edge[k.first] = idx;
    std::set<std::vector<TaskId>> seen;
    for (auto& [start, _] : edge) {
      std::vector<TaskId> path;
      TaskId cur = start;
      while (edge.count(cur) && std::find(path.begin(), path.end(), cur) == path.end()) {
        path.push_back(cur);
        cur = tr.records[edge.at(cur)].other;
      }
      auto it = std::find(path.begin(), path.end(), cur);
      if (it == path.end()) continue;  // the chain ends at a task that is not waiting
      std::vector<TaskId> cycle(it, path.end());
      auto key = cycle;
      std::sort(key.begin(), key.end());
      if (!seen.insert(key).second) continue;
      Violation v;
      v.kind = ViolationKind::deadlock;
      std::string chain = trace::WaitGraph::join(graph.chain(trace::WaitGraph::Node{false, cycle.front()}));
      v.detail = "each task waits for a mutex held by the next:\n";  // the chain is the message
      for (std::size_t i = 0; i < cycle.size(); ++i) {
        const auto& r = tr.records[edge.at(cycle[i])];
        v.tasks.push_back(cycle[i]);
        v.records.push_back(edge.at(cycle[i]));
        v.threads.push_back(r.thread);
        v.time = std::max(v.time, r.time);
        detail::add_unique(v.locations, detail::spawn_site(tr, cycle[i]));
        v.detail += "  " + detail::describe_task(tr, cycle[i]) + " waits for " + tr.object_label(r.object, "mutex") +
                    " held by " + tr.task_label(r.other) + " since " + detail::format_ms(r.time) + "\n";
      }
      // The first line names the tasks and locks as the chain does (never bare numbers).
      v.message = "deadlock: async mutex cycle among " + std::to_string(cycle.size()) + " tasks: " + chain;
      out.push_back(std::move(v));
    }
  }
};

}  // namespace

std::unique_ptr<Property> detail::make_deadlock() { return std::make_unique<Deadlock>(); }

}  // namespace weft::properties
