#include "weft/trace/waits.hpp"

#include <algorithm>

#include "weft/assert.hpp"

namespace weft::trace {

namespace {
std::string ms(Nanos d) {
  std::string f = std::to_string((d % 1000000) / 1000);
  f.insert(0, 3 - f.size(), '0');
  return std::to_string(d / 1000000) + "." + f + " ms";
}
}  // namespace

void WaitGraph::clear() {
  fed_ = 0;
  armed_timers_ = 0;
  waits_.clear();
  waiting_.clear();
  owner_.clear();
  owner_since_.clear();
  holders_.clear();
  blocks_.clear();
  running_.clear();
  running_on_.clear();
  queued_.clear();
  queued_count_ = 0;
  completed_at_.clear();
}

void WaitGraph::clear_wait(TaskId t) {
  if (t < waits_.size() && waits_[t].on != On::none) {
    waits_[t] = Wait{};
    waiting_.erase(t);
  }
}

void WaitGraph::apply_all() {
  while (fed_ < trace_->records.size()) apply(fed_);
}

bool WaitGraph::apply(std::uint32_t index) {
  WEFT_ASSERT(index == fed_ && index < trace_->records.size(), "records are fed to the wait-for graph once each, in order");
  fed_ = index + 1;
  const TraceRecord& r = trace_->records[index];
  auto wait = [&](On on, ObjectId obj, TaskId task) {
    if (!r.task) return false;  // the body outside any task: nothing to attribute the wait to
    at(waits_, r.task) = Wait{on, obj, task, index};
    waiting_.insert(r.task);
    return true;
  };
  auto set_queued = [&](TaskId t, ObjectId e) {
    ObjectId& q = at(queued_, t);
    queued_count_ += (e != 0) - (q != 0);
    q = e;
  };
  switch (r.kind) {
    case EventKind::mutex_wait:
      if (r.other) {
        owner_[r.object] = r.other;
        owner_since_.try_emplace(r.object, index);
      }
      return wait(On::mutex, r.object, 0);
    case EventKind::sem_wait: return wait(On::semaphore, r.object, 0);
    case EventKind::event_wait: return wait(On::event, r.object, 0);
    case EventKind::channel_wait: return wait(On::channel, r.object, 0);
    case EventKind::join_wait: return wait(On::task, 0, r.other);
    case EventKind::block:
      blocks_[r.thread] = index;
      return true;
    case EventKind::wake: blocks_.erase(r.thread); return false;
    case EventKind::timer_arm: ++armed_timers_; break;
    case EventKind::timer_fire: --armed_timers_; break;
    case EventKind::mutex_acquire:
      owner_[r.object] = r.task;
      owner_since_[r.object] = index;
      break;
    case EventKind::mutex_release:
      owner_.erase(r.object);
      owner_since_.erase(r.object);
      break;
    case EventKind::sem_acquire: holders_[r.object].push_back({r.task, index}); break;
    case EventKind::sem_release: {
      auto& h = holders_[r.object];
      for (std::int64_t n = std::max<std::int64_t>(r.value, 1); n > 0 && !h.empty(); --n) {
        // The releasing task gives back its own permit first (the usual RAII shape).
        auto it = std::find_if(h.rbegin(), h.rend(), [&](const auto& p) { return p.first == r.task; });
        if (it != h.rend())
          h.erase(std::next(it).base());
        else
          h.erase(h.begin());
      }
      break;
    }
    case EventKind::resume:
      at(running_, r.thread) = r.task;
      if (r.task) {
        at(running_on_, r.task, -1) = r.thread;
        set_queued(r.task, 0);
      }
      break;
    case EventKind::suspend:
      if (TaskId t = running_task(r.thread)) {
        running_on_[t] = -1;
        running_[r.thread] = 0;
      }
      return false;
    case EventKind::schedule:
      if (!r.task) return false;
      set_queued(r.task, r.object);
      // A woken mutex waiter owns the mutex from the moment it is queued (hand-off): the
      // owner's release came just before. A waiter withdrawn by its stop token is woken
      // while the owner still holds it, and owns nothing.
      if (const Wait* w = find_wait(r.task); w && w->on == On::mutex && !owner_.count(w->object)) {
        owner_[w->object] = r.task;
        owner_since_[w->object] = index;
      }
      clear_wait(r.task);
      return !blocks_.empty();
    case EventKind::complete:
      if (r.task) {
        at(completed_at_, r.task) = index + 1;
        set_queued(r.task, 0);
      }
      break;
    // Records naming a task that is not the one acting.
    case EventKind::spawn:
    case EventKind::race_lost:
    case EventKind::exception_observed:
    case EventKind::exception_dropped:
    case EventKind::cancel_request: return false;
    default: break;
  }
  clear_wait(r.task);  // it is doing something: not waiting
  return false;
}

std::vector<ThreadIndex> WaitGraph::threads_of(ObjectId e) const {
  std::vector<ThreadIndex> out;
  if (!e) return out;
  for (std::size_t i = 0; i < trace_->threads.size(); ++i)
    if (trace_->threads[i].executor == e) out.push_back(ThreadIndex(i));
  return out;
}

std::vector<WaitGraph::Node> WaitGraph::deps(Node n, bool& stuckable) const {
  stuckable = false;
  std::vector<Node> out;
  if (n.thread) {
    auto b = blocks_.find(ThreadIndex(n.id));
    if (b == blocks_.end()) return out;
    TaskId x = trace_->records[b->second].other;
    if (!x || completed(x)) return out;
    stuckable = true;
    out.push_back(Node{false, x});
    return out;
  }
  TaskId t = n.id;
  if (!t || completed(t)) return out;
  if (const Wait* w = find_wait(t)) {
    switch (w->on) {
      case On::mutex: {
        TaskId o = owner(w->object);
        if (!o || completed(o)) return out;
        stuckable = true;
        out.push_back(Node{false, o});
        return out;
      }
      case On::semaphore:
        for (TaskId h : holders(w->object))
          if (!completed(h)) out.push_back(Node{false, h});
        stuckable = !out.empty();
        return out;
      case On::task:
        if (completed(w->task)) return out;
        stuckable = true;
        out.push_back(Node{false, w->task});
        return out;
      default: return out;
    }
  }
  if (auto u = running_on(t)) {
    if (!blocks_.count(*u)) return out;
    stuckable = true;
    out.push_back(Node{true, *u});
    return out;
  }
  if (ObjectId e = queued_on(t)) {
    for (ThreadIndex u : threads_of(e)) out.push_back(Node{true, u});
    stuckable = !out.empty();
  }
  return out;
}

std::set<WaitGraph::Node> WaitGraph::deadlocked() const {
  std::map<Node, std::vector<Node>> g;
  auto add = [&](Node n) {
    bool stuckable = false;
    auto d = deps(n, stuckable);
    if (stuckable) g.emplace(n, std::move(d));
  };
  for (auto& [u, _] : blocks_) add(Node{true, u});
  if (g.empty() && waiting_.empty()) return {};
  for (TaskId t : waiting_) add(Node{false, t});
  for (auto& [u, _] : blocks_)
    if (TaskId t = running_task(u)) add(Node{false, t});
  if (!blocks_.empty() && queued_count_) {
    // A queued continuation can be stuck only when every thread of its executor is blocked.
    std::map<ObjectId, bool> all_blocked;
    for (TaskId t = 0; t < queued_.size(); ++t) {
      ObjectId e = queued_[t];
      if (!e) continue;
      auto it = all_blocked.find(e);
      if (it == all_blocked.end()) {
        auto ths = threads_of(e);
        bool all = !ths.empty() && std::all_of(ths.begin(), ths.end(), [&](ThreadIndex u) { return blocks_.count(u) != 0; });
        it = all_blocked.emplace(e, all).first;
      }
      if (it->second) add(Node{false, t});
    }
  }
  for (bool changed = true; changed;) {
    changed = false;
    for (auto it = g.begin(); it != g.end();) {
      bool stuck = std::all_of(it->second.begin(), it->second.end(), [&](Node d) { return g.count(d) != 0; });
      if (stuck) {
        ++it;
      } else {
        it = g.erase(it);
        changed = true;
      }
    }
  }
  std::set<Node> out;
  for (auto& [n, _] : g) out.insert(n);
  return out;
}

std::vector<WaitGraph::Node> WaitGraph::cycle_in(const std::set<Node>& stuck) const {
  if (stuck.empty()) return {};
  std::vector<Node> path{*stuck.begin()};
  for (;;) {
    bool s = false;
    std::optional<Node> next;
    for (Node d : deps(path.back(), s))
      if (stuck.count(d)) {
        next = d;
        break;
      }
    if (!next) return {};
    auto at = std::find(path.begin(), path.end(), *next);
    if (at != path.end()) {
      std::vector<Node> cyc(at, path.end());
      std::rotate(cyc.begin(), std::min_element(cyc.begin(), cyc.end()), cyc.end());
      return cyc;
    }
    path.push_back(*next);
  }
}

std::optional<WaitGraph::Wait> WaitGraph::wait_of(TaskId t) const {
  if (const Wait* w = find_wait(t)) return *w;
  return std::nullopt;
}
std::optional<std::uint32_t> WaitGraph::block_of(ThreadIndex t) const {
  if (auto it = blocks_.find(t); it != blocks_.end()) return it->second;
  return std::nullopt;
}
std::vector<TaskId> WaitGraph::holders(ObjectId s) const {
  std::vector<TaskId> out;
  if (auto it = holders_.find(s); it != holders_.end())
    for (auto& [t, _] : it->second) out.push_back(t);
  return out;
}
TaskId WaitGraph::owner(ObjectId m) const {
  auto it = owner_.find(m);
  return it == owner_.end() ? 0 : it->second;
}
std::vector<ThreadIndex> WaitGraph::blocked_threads() const {
  std::vector<ThreadIndex> out;
  for (auto& [u, _] : blocks_) out.push_back(u);
  return out;
}
std::vector<TaskId> WaitGraph::waiting_tasks() const {
  std::vector<TaskId> out;
  for (TaskId t : waiting_)
    if (!completed(t)) out.push_back(t);
  return out;
}

std::string WaitGraph::node_name(Node n) const {
  return n.thread ? trace_->thread_name(ThreadIndex(n.id)) : trace_->task_label(n.id);
}

std::string WaitGraph::object_name(On on, ObjectId id) const {
  const char* kind = on == On::mutex ? "mutex" : on == On::semaphore ? "semaphore" : on == On::event ? "event" : "channel";
  return trace_->object_label(id, kind);
}

std::string WaitGraph::site_of(std::uint32_t record) const {
  if (record >= trace_->records.size()) return "";
  const auto& s = trace_->site(trace_->records[record]);
  return s.line ? s.str() : "";
}

std::vector<WaitGraph::Link> WaitGraph::chain(Node root) const {
  std::vector<Link> out;
  std::vector<Node> seen;
  auto spawned = [&](TaskId t) {
    const TaskInfo* ti = trace_->task(t);
    std::string s = ti ? trace_->site_at(ti->site).str() : "";
    return (ti && ti->site) ? " (spawned at " + s + ")" : std::string();
  };
  auto finished = [&](TaskId t) {
    if (!completed(t)) return std::string();
    const auto& c = trace_->records[completed_at_[t] - 1];
    std::string s = "finished at " + ms(c.time);
    std::string_view err = trace_->text(c);
    if (!err.empty()) s += " after throwing " + std::string(err);
    return s;
  };
  for (Node n = root;;) {
    if (std::find(seen.begin(), seen.end(), n) != seen.end()) {
      out.push_back(Link{n, "back to " + node_name(n) + " (a cycle)", {}, {}});
      break;
    }
    seen.push_back(n);
    Link l{n, node_name(n), {}, {}};
    std::optional<Node> next;
    auto add_site = [&](std::uint32_t rec) {
      l.records.push_back(rec);
      std::string s = site_of(rec);
      if (!s.empty() && std::find(l.sites.begin(), l.sites.end(), s) == l.sites.end()) l.sites.push_back(s);
      return s.empty() ? std::string() : " (" + s + ")";
    };
    if (n.thread) {
      auto b = blocks_.find(ThreadIndex(n.id));
      if (b == blocks_.end()) {
        out.push_back(std::move(l));
        break;
      }
      TaskId x = trace_->records[b->second].other;
      l.text += " waits on " + trace_->task_label(x) + add_site(b->second);
      if (completed(x)) l.text += ", which has finished";
      else next = Node{false, x};
    } else if (completed(n.id)) {
      l.text += " has " + finished(n.id);
    } else if (const Wait* w = find_wait(n.id)) {
      const Wait& wt = *w;
      std::string site = add_site(wt.record);
      switch (wt.on) {
        case On::mutex: {
          TaskId o = owner(wt.object);
          l.text += " waits on " + object_name(wt.on, wt.object) + site;
          if (!o) {
            l.text += ", which nobody holds";
          } else {
            l.text += " held by " + trace_->task_label(o);
            if (auto s = owner_since_.find(wt.object); s != owner_since_.end()) {
              std::string at = site_of(s->second);
              if (!at.empty()) l.text += " (locked at " + at + ")";
            }
            if (completed(o)) l.text += ", which " + finished(o) + " without unlocking it";
            else next = Node{false, o};
          }
          break;
        }
        case On::semaphore: {
          l.text += " waits on " + object_name(wt.on, wt.object) + site;
          auto it = holders_.find(wt.object);
          if (it == holders_.end() || it->second.empty()) {
            l.text += ": no permit is held by anyone, and nobody released one";
            break;
          }
          l.text += ": " + std::to_string(it->second.size()) + " permit(s) held by";
          bool first = true;
          for (auto& [t, rec] : it->second) {
            l.text += std::string(first ? " " : ", ") + trace_->task_label(t);
            first = false;
            std::string at = site_of(rec);
            l.records.push_back(rec);
            if (completed(t)) {
              l.text += " (" + finished(t) + (at.empty() ? "" : ", acquired at " + at) + ", permit never released)";
            } else {
              if (!at.empty()) l.text += " (acquired at " + at + ")";
              if (!next) next = Node{false, t};
            }
          }
          break;
        }
        case On::event: l.text += " waits on " + object_name(wt.on, wt.object) + site + ", which nobody has set"; break;
        case On::channel:
          l.text += " waits on " + object_name(wt.on, wt.object) + site + " to " +
                    (trace_->records[wt.record].value ? "send" : "receive") + ", which nobody does";
          break;
        case On::task:
          l.text += " awaits " + trace_->task_label(wt.task) + spawned(wt.task);
          if (completed(wt.task)) l.text += ", which has finished";
          else next = Node{false, wt.task};
          break;
        case On::none: break;
      }
    } else if (auto ru = running_on(n.id)) {
      l.text += " runs on " + trace_->thread_name(*ru);
      if (blocks_.count(*ru)) next = Node{true, *ru};
    } else if (ObjectId qe = queued_on(n.id)) {
      auto ths = threads_of(qe);
      l.text += "'s continuation is queued on " + trace_->executor_name(qe);
      std::vector<ThreadIndex> blocked;
      for (auto u : ths)
        if (blocks_.count(u)) blocked.push_back(u);
      if (!ths.empty() && blocked.size() == ths.size()) {
        l.text += ", whose threads are all blocked (";
        for (std::size_t i = 0; i < blocked.size(); ++i) l.text += (i ? ", " : "") + trace_->thread_name(blocked[i]);
        l.text += ")";
        // Prefer a blocked thread already on the chain: that closes the cycle.
        next = Node{true, blocked.front()};
        for (auto u : blocked)
          if (std::find(seen.begin(), seen.end(), Node{true, u}) != seen.end()) next = Node{true, u};
      }
    } else {
      l.text += " is not waiting on anything recorded";
    }
    out.push_back(std::move(l));
    if (!next) break;
    n = *next;
  }
  return out;
}

std::string WaitGraph::join(const std::vector<Link>& chain) {
  std::string s;
  for (std::size_t i = 0; i < chain.size(); ++i) s += (i ? " -> " : "") + chain[i].text;
  return s;
}

}  // namespace weft::trace
