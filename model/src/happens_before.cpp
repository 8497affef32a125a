#include "weft/model/happens_before.hpp"

#include <algorithm>
#include <map>
#include <string_view>

#include "weft/assert.hpp"
#include "weft/detail/hash.hpp"

namespace weft::model {

const char* to_string(Access a) noexcept {
  switch (a) {
    case Access::none: return "none";
    case Access::read: return "read";
    case Access::write: return "write";
    case Access::acquire: return "acquire";
    case Access::release: return "release";
  }
  return "?";
}

namespace {

struct KindAccess {
  Access object = Access::write;  // on object_key(r.object) (timers: timer_key(r.task))
  Access task = Access::write;    // on task_key(r.task)
  Access other = Access::write;   // on task_key(r.other)
  bool timer = false;             // the object slot is the task's timer
};

// The one table from record kinds to accesses. A kind not listed touches its object, its
// task and its other task as writes: conservative (it conflicts, it never synchronises).
// A kind whose object or other field holds something else than an id must say so here.
KindAccess kind_access(EventKind k) noexcept {
  using A = Access;
  switch (k) {
    case EventKind::thread_start:
    case EventKind::thread_exit: return {A::none, A::none, A::none};
    case EventKind::spawn: return {A::write, A::release, A::write};       // child starts after its spawn
    case EventKind::schedule: return {A::write, A::release, A::write};    // queued continuation
    case EventKind::resume: return {A::none, A::acquire, A::write};       // the queue slot of the task, not the executor
    case EventKind::suspend: return {A::none, A::write, A::write};
    case EventKind::complete: return {A::write, A::release, A::write};
    case EventKind::block: return {A::write, A::write, A::read};
    case EventKind::wake: return {A::write, A::write, A::acquire};        // after the completion waited for
    case EventKind::timer_arm: return {A::release, A::write, A::write, true};
    case EventKind::timer_fire: return {A::acquire, A::write, A::write, true};
    case EventKind::io_submit: return {A::release, A::write, A::write};
    case EventKind::io_complete: return {A::acquire, A::write, A::write};
    case EventKind::blocking_begin:
    case EventKind::blocking_end: return {A::none, A::write, A::write};   // object holds a WorkKind, not an id
    case EventKind::mutex_wait: return {A::write, A::write, A::read};     // other = the owner it waits for
    case EventKind::mutex_acquire: return {A::acquire, A::write, A::write};
    case EventKind::mutex_release: return {A::release, A::write, A::write};
    case EventKind::channel_wait: return {A::write, A::write, A::write};
    case EventKind::channel_wake: return {A::acquire, A::write, A::write};
    case EventKind::cancel_request: return {A::release, A::write, A::write};
    case EventKind::cancelled: return {A::acquire, A::write, A::write};
    case EventKind::exception_thrown:
    case EventKind::exception_observed:
    case EventKind::exception_dropped:
    case EventKind::race_lost: return {A::none, A::write, A::write};
    case EventKind::misuse:
    case EventKind::hop:
    case EventKind::user: return {A::none, A::write, A::none};
    case EventKind::probe: return {A::none, A::write, A::none};          // other = a deadline, not a task
    case EventKind::invariant_failed:
    case EventKind::monitor_hot:
    case EventKind::monitor_cold:
    case EventKind::fault: return {A::none, A::write, A::none};          // annotations: the task's own step
    case EventKind::join_wait: return {A::none, A::write, A::read};       // reads the awaited task's state
    case EventKind::sem_wait: return {A::write, A::write, A::write};      // joins the semaphore's queue
    case EventKind::sem_acquire: return {A::acquire, A::write, A::write};
    case EventKind::sem_release: return {A::release, A::write, A::none};  // value = permits, other unused
    case EventKind::event_wait: return {A::acquire, A::write, A::write};
    case EventKind::event_set: return {A::release, A::write, A::write};
    case EventKind::channel_send: return {A::release, A::write, A::write};
    case EventKind::channel_receive: return {A::acquire, A::write, A::write};
    case EventKind::channel_close: return {A::release, A::write, A::write};
    default: return {};
  }
}

}  // namespace

std::size_t accesses_of(const sim::TraceRecord& r, KeyAccess out[3]) noexcept {
  // A weft::Shared variable's access: a read or a write of the variable and nothing else
  // (two reads commute; it neither synchronises nor touches its task's state).
  if (r.kind == EventKind::access) {
    if (!r.object) return 0;
    out[0] = {object_key(r.object), r.value == std::int64_t(VariableAccess::read) ? Access::read : Access::write};
    return 1;
  }
  KindAccess k = kind_access(r.kind);
  std::size_t n = 0;
  if (k.timer) {
    if (r.task && k.object != Access::none) out[n++] = {timer_key(r.task), k.object};
  } else if (r.object && k.object != Access::none) {
    out[n++] = {object_key(r.object), k.object};
  }
  if (r.task && k.task != Access::none) out[n++] = {task_key(r.task), k.task};
  if (r.other && r.other != r.task && k.other != Access::none) out[n++] = {task_key(r.other), k.other};
  return n;
}

namespace {

bool is_read(Access a) noexcept { return a == Access::read; }

void add_access(Footprint& fp, KeyAccess a) {
  auto it = std::lower_bound(fp.begin(), fp.end(), a.key, [](const KeyAccess& x, Key k) { return x.key < k; });
  if (it != fp.end() && it->key == a.key) {
    if (is_read(it->access) && !is_read(a.access)) it->access = Access::write;
    return;
  }
  KeyAccess* at = fp.insert(it, KeyAccess{a.key, is_read(a.access) ? Access::read : Access::write});
  WEFT_ASSERT((at == fp.begin() || (at - 1)->key < at->key) && (at + 1 == fp.end() || at->key < (at + 1)->key),
              "a footprint stays sorted by key, one entry per key");
}

// The executor a thread serves, or helps (a pool's injector): told when it started (a
// thread that serves one only for a while, inside a weft::asio io_context's run(), runs
// user code of its own before and after: none).
ObjectId executor_of(const sim::Trace& trace, sim::ThreadIndex t) {
  if (t >= trace.threads.size()) return 0;
  return trace.threads[t].attached;
}

}  // namespace

Footprint transition_footprint(const sim::Trace& trace, std::size_t begin, std::size_t end, sim::ThreadIndex thread) {
  Footprint fp;
  KeyAccess buf[3];
  for (std::size_t i = begin; i < end && i < trace.records.size(); ++i) {
    std::size_t n = accesses_of(trace.records[i], buf);
    for (std::size_t k = 0; k < n; ++k) add_access(fp, buf[k]);
  }
  if (begin >= end) {
    ObjectId e = executor_of(trace, thread);
    fp.push_back(e ? KeyAccess{object_key(e), Access::write} : KeyAccess{universal_key, Access::write});
  }
  return fp;
}

void merge_footprint(Footprint& fp, const Footprint& more) {
  for (const KeyAccess& a : more) add_access(fp, a);
}

bool is_universal(const Footprint& fp) noexcept { return !fp.empty() && fp.back().key == universal_key; }

bool conflict(const Footprint& a, const Footprint& b) noexcept {
  if (a.empty() || b.empty()) return false;
  if (is_universal(a) || is_universal(b)) return true;
  auto i = a.begin();
  auto j = b.begin();
  while (i != a.end() && j != b.end()) {
    if (i->key == j->key) {
      if (!(is_read(i->access) && is_read(j->access))) return true;
      ++i;
      ++j;
    } else if (i->key < j->key) {
      ++i;
    } else {
      ++j;
    }
  }
  return false;
}

namespace {

constexpr std::uint64_t signature_basis = 0x84222325cbf29ce4ull;

// interleaving_signature from record `first`, the first with a footprint (its `first_n`
// accesses in buf).
[[gnu::noinline]] std::uint64_t signature_from(const sim::Trace& trace, std::size_t first, std::size_t first_n,
                                               KeyAccess buf[3]) {
  auto mix = [](std::uint64_t h, std::uint64_t v) { return weft::detail::hash_combine_step(h, v) * weft::detail::fnv1a64_prime; };
  struct PerKey {
    std::uint64_t h = 0;
    std::uint64_t reads = 0;
    bool used = false;
  };
  // The flat tables and `running` are this thread's scratch, kept between calls so that an
  // execution costs no allocation once they have grown (the function is not reentrant).
  // Between calls every table entry is unused (the final pass resets what it reads), so a
  // call touches only the ids it meets; `dirty` marks a call that did not get that far.
  struct Scratch {
    std::vector<PerKey> tables[4];  // by key kind - 1: object, task, timer, other
    std::size_t used[4] = {};        // per table: one past the highest id this call touched
    std::vector<TaskId> running;    // by thread
    bool dirty = false;
  };
  thread_local Scratch scratch;
  auto& tables = scratch.tables;
  auto& used = scratch.used;
  auto& running = scratch.running;
  if (scratch.dirty)
    for (std::size_t kind = 0; kind < 4; ++kind) tables[kind].assign(tables[kind].size(), PerKey{});
  scratch.dirty = true;
  for (auto& u : used) u = 0;
  running.assign(trace.threads.size() + 1, 0);
  std::map<Key, PerKey> sparse;   // ids beyond the flat tables' reach
  for (std::size_t i = first; i < trace.records.size(); ++i) {
    const sim::TraceRecord& r = trace.records[i];
    std::size_t n = i == first ? first_n : accesses_of(r, buf);
    if (running.size() <= r.thread) [[unlikely]]
      running.resize(std::size_t(r.thread) + 1, 0);
    if (r.kind == EventKind::resume) running[r.thread] = r.task;
    // Agents by task id (stable across executions) or by thread (tagged apart).
    std::uint64_t agent = running[r.thread] ? running[r.thread] : (std::uint64_t(1) << 40) | r.thread;
    if (r.kind == EventKind::suspend) running[r.thread] = 0;
    for (std::size_t j = 0; j < n; ++j) {
      std::size_t kind = std::min<std::size_t>(std::size_t(buf[j].key >> 32), 4) - 1;
      std::size_t id = std::size_t(buf[j].key & 0xffffffffu);
      constexpr std::size_t flat_ids_max = std::size_t(1) << 16;
      auto& table = tables[kind];
      if (id < flat_ids_max) {
        if (table.size() <= id) table.resize(id + 1);
        used[kind] = std::max(used[kind], id + 1);
      }
      PerKey& k = id < flat_ids_max ? table[id] : sparse[buf[j].key];
      k.used = true;
      if (is_read(buf[j].access)) {
        k.reads += mix(0, agent);
      } else {
        k.h = mix(mix(k.h, k.reads), agent);
        k.reads = 0;
      }
    }
  }
  std::uint64_t h = signature_basis;
  for (std::size_t kind = 0; kind < 4; ++kind)
    for (std::size_t id = 0; id < used[kind]; ++id) {
      PerKey& k = tables[kind][id];
      if (k.used) h = mix(mix(mix(h, (kind << 32) | id), k.h), k.reads);
      k = PerKey{};
    }
  scratch.dirty = false;
  for (const auto& [key, k] : sparse) h = mix(mix(mix(h, key), k.h), k.reads);
  return h;
}

}  // namespace

std::uint64_t interleaving_signature(const sim::Trace& trace) {
  // Per key: a running hash of (agent, access) of its non-read accesses, and of the reads
  // since the last write folded in order-independently (reads between two writes commute).
  // Keys live in flat tables by kind and id (ids are dense, from creation order): the
  // portfolio computes this once per execution, so it must cost little.
  // Records before the first one with a footprint (thread starts, ...) touch no key and
  // change no agent: with none at all the signature is the basis, and nothing is set up.
  KeyAccess buf[3];
  const std::size_t n = trace.records.size();
  for (std::size_t first = 0; first < n; ++first)
    if (std::size_t k = accesses_of(trace.records[first], buf)) return signature_from(trace, first, k, buf);
  return signature_basis;
}

namespace {

using weft::detail::fnv1a;

std::uint64_t mix64(std::uint64_t h, std::uint64_t v) noexcept {
  h = weft::detail::hash_combine_step(h, v) * weft::detail::splitmix64_mul1;
  return h ^ (h >> 31);
}

// Names that do not depend on creation order: sites by text, objects by (kind, site,
// ordinal among the objects of that site), tasks by stable key.
class CoverageNames {
 public:
  explicit CoverageNames(const sim::Trace& trace) : trace_(trace), site_name_(trace.sites.size()) {
    for (std::size_t i = 0; i < trace.sites.size(); ++i)
      site_name_[i] = fnv1a(trace.sites[i].file, std::uint64_t(trace.sites[i].line) * weft::detail::golden_gamma + 1);
    std::map<std::pair<std::uint32_t, std::uint8_t>, std::uint64_t> ordinal;
    for (const sim::ObjectInfo& o : trace.objects) {
      std::uint64_t n = ordinal[{o.site, std::uint8_t(o.kind)}]++;
      object_name_[o.id] = mix64(mix64(mix64(1, std::uint64_t(o.kind)), site(o.site)), n);
    }
  }
  std::uint64_t site(std::uint32_t i) const { return i < site_name_.size() ? site_name_[i] : 0; }
  std::uint64_t task(TaskId id) const {
    const sim::TaskInfo* t = trace_.task(id);
    return t ? t->stable_key : mix64(7, id);
  }
  std::uint64_t key(Key k) const {
    const std::uint64_t kind = k >> 32;
    const std::uint32_t id = std::uint32_t(k & 0xffffffffu);
    if (kind == 1) {
      auto it = object_name_.find(id);
      return it != object_name_.end() ? it->second : mix64(2, id);
    }
    return mix64(kind + 10, task(id));
  }
  // Who made a record: its task's spawn site, or the thread's name outside tasks.
  std::uint64_t agent(TaskId task, sim::ThreadIndex thread) const {
    if (!task) return mix64(4, fnv1a(trace_.thread_name(thread)));
    const sim::TaskInfo* t = trace_.task(task);
    return mix64(3, t ? site(t->site) : 0);
  }

 private:
  const sim::Trace& trace_;
  std::vector<std::uint64_t> site_name_;
  std::map<ObjectId, std::uint64_t> object_name_;
};

}  // namespace

std::vector<std::uint64_t> interleaving_coverage(const sim::Trace& trace) {
  const CoverageNames names(trace);
  struct Access1 {
    std::uint64_t agent = 0;  // who, for "another agent"
    std::uint64_t name = 0;   // who and what, for the point
  };
  struct PerKey {
    std::uint64_t name = 0;
    bool has_write = false;
    Access1 write;
    std::vector<Access1> reads;  // since the last write
  };
  std::map<Key, PerKey> keys;
  std::vector<std::uint64_t> points;
  std::vector<TaskId> running;
  auto point = [&](const PerKey& k, const Access1& before, const Access1& after) {
    if (before.agent != after.agent) points.push_back(mix64(mix64(k.name, before.name), after.name));
  };
  KeyAccess buf[3];
  for (const sim::TraceRecord& r : trace.records) {
    if (running.size() <= r.thread) running.resize(std::size_t(r.thread) + 1, 0);
    if (r.kind == EventKind::resume) running[r.thread] = r.task;
    const TaskId task = running[r.thread];
    if (r.kind == EventKind::suspend) running[r.thread] = 0;
    std::size_t n = accesses_of(r, buf);
    if (n == 0) continue;
    const std::uint64_t agent = task ? task : (std::uint64_t(1) << 40) | r.thread;
    const std::uint64_t what = mix64(mix64(names.agent(task, r.thread), std::uint64_t(r.kind)), names.site(r.site));
    for (std::size_t j = 0; j < n; ++j) {
      auto [it, fresh] = keys.try_emplace(buf[j].key);
      PerKey& k = it->second;
      if (fresh) k.name = names.key(buf[j].key);
      Access1 a{agent, mix64(what, std::uint64_t(buf[j].access))};
      if (buf[j].access == Access::read) {
        if (k.has_write) point(k, k.write, a);
        if (k.reads.size() < 64) k.reads.push_back(a);
        continue;
      }
      if (!k.reads.empty()) {
        for (const Access1& rd : k.reads) point(k, rd, a);
      } else if (k.has_write) {
        point(k, k.write, a);
      }
      k.reads.clear();
      k.write = a;
      k.has_write = true;
    }
  }
  std::sort(points.begin(), points.end());
  points.erase(std::unique(points.begin(), points.end()), points.end());
  return points;
}

Footprint TransitionObserver::next(const sim::Trace* trace, sim::ThreadIndex thread) {
  if (!trace) return Footprint{KeyAccess{universal_key, Access::write}};
  std::size_t end = trace->records.size();
  Footprint fp = transition_footprint(*trace, std::min(cursor_, end), end, thread);
  cursor_ = end;
  return fp;
}


HappensBefore::HappensBefore(const sim::Trace& trace) : trace_(&trace) {
  const std::size_t n = trace.records.size();
  record_agent_.assign(n, 0);
  record_event_.assign(n, none);
  record_clock_.assign(n, none);

  std::vector<TaskId> running;                // per thread: the task it runs (0: none)
  std::vector<std::uint32_t> thread_agent;    // per thread: its agent id (none: not yet)
  std::vector<std::uint32_t> task_agent;      // per task: its agent id (none: not yet)
  std::vector<VectorClock> agent_clock;       // current clock of each agent
  std::vector<std::uint32_t> agent_last;      // last event of each agent (index into clocks_)
  struct Released {
    VectorClock clock;
    std::size_t record = 0;  // last release of the key
  };
  std::map<Key, Released> released;           // ordered map: deterministic, no pointer order

  auto new_agent = [&](std::string name) {
    agent_names_.push_back(std::move(name));
    agent_clock.emplace_back();
    agent_last.push_back(none);
    return std::uint32_t(agent_names_.size() - 1);
  };
  auto agent_for = [&](const sim::TraceRecord& r) -> std::uint32_t {
    if (running.size() <= r.thread) running.resize(r.thread + 1, 0);
    if (r.kind == EventKind::resume) running[r.thread] = r.task;
    TaskId t = running[r.thread];
    if (t) {
      if (task_agent.size() <= t) task_agent.resize(t + 1, none);
      if (task_agent[t] == none) task_agent[t] = new_agent("task " + std::to_string(t));
      return task_agent[t];
    }
    if (thread_agent.size() <= r.thread) thread_agent.resize(r.thread + 1, none);
    if (thread_agent[r.thread] == none) thread_agent[r.thread] = new_agent("thread " + trace.thread_name(r.thread));
    return thread_agent[r.thread];
  };

  KeyAccess buf[3];
  for (std::size_t i = 0; i < n; ++i) {
    const sim::TraceRecord& r = trace.records[i];
    std::uint32_t a = agent_for(r);
    if (r.kind == EventKind::suspend) running[r.thread] = 0;  // after this record
    record_agent_[i] = a;
    std::size_t k = accesses_of(r, buf);
    if (k == 0) {
      record_clock_[i] = agent_last[a];
      continue;
    }
    VectorClock& c = agent_clock[a];
    for (std::size_t j = 0; j < k; ++j) {
      if (buf[j].access != Access::acquire) continue;
      auto it = released.find(buf[j].key);
      if (it == released.end()) continue;
      c.join(it->second.clock);
      if (record_agent_[it->second.record] != a) edges_.emplace_back(it->second.record, i);
    }
    c.tick(a);
    for (std::size_t j = 0; j < k; ++j) {
      if (buf[j].access != Access::release) continue;
      Released& rel = released[buf[j].key];
      rel.clock.join(c);
      rel.record = i;
    }
    record_event_[i] = std::uint32_t(clocks_.size());
    record_clock_[i] = record_event_[i];
    agent_last[a] = record_event_[i];
    event_tick_.push_back(c[a]);
    clocks_.push_back(c);
  }
}

const VectorClock& HappensBefore::clock(std::size_t record) const noexcept {
  if (record >= record_clock_.size() || record_clock_[record] == none) return empty_;
  return clocks_[record_clock_[record]];
}

bool HappensBefore::ordered(std::size_t a, std::size_t b) const noexcept {
  if (a == b || a >= record_agent_.size() || b >= record_agent_.size()) return false;
  if (record_event_[a] == none) return record_agent_[a] == record_agent_[b] && a < b;
  return clock(b)[record_agent_[a]] >= event_tick_[record_event_[a]] && (a < b || record_agent_[a] != record_agent_[b]);
}

std::vector<std::pair<std::size_t, std::size_t>> HappensBefore::races() const {
  std::map<Key, std::vector<std::pair<std::size_t, Access>>> by_key;
  KeyAccess buf[3];
  for (std::size_t i = 0; i < record_event_.size(); ++i) {
    if (record_event_[i] == none) continue;
    std::size_t k = accesses_of(trace_->records[i], buf);
    for (std::size_t j = 0; j < k; ++j) by_key[buf[j].key].emplace_back(i, buf[j].access);
  }
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (const auto& [key, list] : by_key)
    for (std::size_t x = 0; x < list.size(); ++x)
      for (std::size_t y = x + 1; y < list.size(); ++y) {
        auto [a, aa] = list[x];
        auto [b, ba] = list[y];
        if (record_agent_[a] == record_agent_[b] || (is_read(aa) && is_read(ba))) continue;
        if (!ordered(a, b)) out.emplace_back(a, b);
      }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace weft::model
