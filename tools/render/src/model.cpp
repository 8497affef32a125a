// The model of a finding every view draws from: names, happens-before, the red culprit and
// the focus (what a picture shows, and a count of what it leaves out).
#include "model.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <deque>
#include <string_view>
#include <tuple>

namespace weft::render {

// Source paths as a reader should see them: relative to the project root. A path under
// WEFT_SOURCE_ROOT loses that prefix; any other absolute path keeps its last two components
// ("src/orders.cpp"), so no output carries the directory layout of the machine that built it.
// Builds through weft's CMake (and its package config) already compile with
// -ffile-prefix-map=<root>/=, so std::source_location gives relative paths to begin with.
std::string relative_path(std::string_view file) {
  // A build directory inside the tree compiles "../src/x.cpp": the root is what "../" names.
  while (file.rfind("../", 0) == 0 || file.rfind("./", 0) == 0) file.remove_prefix(file.front() == '.' && file[1] == '/' ? 2 : 3);
  if (file.empty() || file.front() != '/') return std::string(file);
  if (const char* root = std::getenv("WEFT_SOURCE_ROOT"); root && *root) {
    std::string_view r(root);
    while (r.size() > 1 && r.back() == '/') r.remove_suffix(1);
    if (file.size() > r.size() && file.substr(0, r.size()) == r && file[r.size()] == '/')
      return std::string(file.substr(r.size() + 1));
  }
  auto last = file.find_last_of('/');
  auto before = last == 0 ? std::string_view::npos : file.find_last_of('/', last - 1);
  return std::string(before == std::string_view::npos ? file.substr(last + 1) : file.substr(before + 1));
}

namespace detail {
// "path:line" strings (violation locations): the path part made relative.
std::string relative_location(const std::string& loc) {
  if (loc.empty() || (loc.front() != '/' && loc.front() != '.')) return loc;
  auto colon = loc.find_last_of(':');
  if (colon == std::string::npos) return relative_path(loc);
  return relative_path(std::string_view(loc).substr(0, colon)) + loc.substr(colon);
}
// Every occurrence of an absolute path inside free text (messages, details) made relative.
std::string relative_text(const std::string& s) {
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    bool starts = (s[i] == '/' || s.compare(i, 3, "../") == 0) && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '(' || s[i - 1] == '\'' || s[i - 1] == '"');
    if (!starts) {
      out += s[i++];
      continue;
    }
    std::size_t e = i;
    while (e < s.size() && s[e] != ' ' && s[e] != ':' && s[e] != ')' && s[e] != '\n' && s[e] != '\'' && s[e] != '"' &&
           s[e] != ',')
      ++e;
    std::string_view path(s.data() + i, e - i);
    // Only what looks like a source file: a path with an extension in its last component.
    auto slash = path.find_last_of('/');
    bool file_like = path.find('.', slash) != std::string_view::npos && path.size() > 1;
    out += file_like ? relative_path(path) : std::string(path);
    i = e;
  }
  return out;
}
}  // namespace detail

void make_paths_relative(trace::Trace& trace, Violation* v) {
  for (auto& s : trace.sites) s.file = relative_path(s.file);
  if (!v) return;
  for (auto& l : v->locations) l = detail::relative_location(l);
  v->message = detail::relative_text(v->message);
  v->detail = detail::relative_text(v->detail);
}

namespace detail {

std::string html(std::string_view s) {
  std::string in = sanitize_utf8(s);
  std::string out;
  out.reserve(in.size());
  for (char c : in) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
          out += ' ';
        else
          out += c;
    }
  }
  return out;
}

std::string truncate(std::string_view s, std::size_t max) {
  std::string v = sanitize_utf8(s);
  std::size_t count = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if ((static_cast<unsigned char>(v[i]) & 0xC0) == 0x80) continue;
    if (count++ == max) return v.substr(0, i) + "…";
  }
  return v;
}

bool is_faulted_complete(const TraceRecord& r) { return r.kind == EventKind::complete && r.text != 0; }

bool is_object_create(EventKind k) { return std::string_view(to_string(k)) == "object_create"; }

const char* sync_kind(EventKind k) {
  switch (k) {
    case EventKind::mutex_wait:
    case EventKind::mutex_acquire:
    case EventKind::mutex_release: return "mutex";
    case EventKind::sem_wait:
    case EventKind::sem_acquire:
    case EventKind::sem_release: return "semaphore";
    case EventKind::event_wait:
    case EventKind::event_set: return "event";
    case EventKind::channel_send:
    case EventKind::channel_receive:
    case EventKind::channel_close: return "channel";
    default: return nullptr;  // channel_wait / channel_wake: any waitable object
  }
}

bool is_sync(const TraceRecord& r) {
  return sync_kind(r.kind) || r.kind == EventKind::channel_wait || r.kind == EventKind::channel_wake ||
         is_object_create(r.kind) || r.kind == EventKind::access;
}

bool is_routine(const TraceRecord& r) {
  switch (r.kind) {
    case EventKind::resume:
    case EventKind::suspend:
    case EventKind::schedule:
    case EventKind::spawn:
    case EventKind::thread_start:
    case EventKind::executor_create:
      return true;
    case EventKind::complete:
      return r.text == 0;
    default:
      return false;
  }
}

std::string message_without_kind(const Violation& v) {
  const std::string relative = relative_text(v.message);
  std::string_view msg = relative;
  std::string kind = to_string(v.kind);
  for (;;) {
    while (!msg.empty() && msg.front() == ' ') msg.remove_prefix(1);
    if (msg.rfind(kind + ":", 0) == 0)
      msg.remove_prefix(kind.size() + 1);
    else if (msg.rfind(kind + " ", 0) == 0 && msg.size() > kind.size() + 1 && msg[kind.size() + 1] == '(')
      break;  // "deadlock (partial): ..." says more than the kind: keep it
    else
      break;
  }
  return std::string(msg);
}

std::string violation_line(const Violation& v) {
  std::string msg = message_without_kind(v);
  std::string kind = to_string(v.kind);
  if (msg.rfind(kind, 0) == 0) return msg;  // "deadlock (partial): ..."
  return kind + (msg.empty() ? "" : ": " + msg);
}

std::string Model::task(TaskId id) const {
  if (id == 0) return "main";
  auto it = task_names.find(id);
  if (it != task_names.end()) return shared_task_names.count(it->second) ? it->second + " #" + std::to_string(id) : it->second;
  return "task " + std::to_string(id);
}

std::string Model::object_kind(ObjectId id) const {
  auto k = object_kinds.find(id);
  return k != object_kinds.end() ? k->second : std::string("object");
}

std::string Model::object(ObjectId id) const {
  auto l = object_labels.find(id);
  return l != object_labels.end() ? l->second : object_kind(id) + " #" + std::to_string(id);
}

std::vector<ObjectId> Model::shown_objects() const {
  std::vector<ObjectId> out;
  std::set<ObjectId> seen;
  for (std::size_t i = 0; i < t.records.size(); ++i)
    if (keep[i] && is_sync(t.records[i]) && t.records[i].object && seen.insert(t.records[i].object).second)
      out.push_back(t.records[i].object);
  return out;
}

std::string Model::thread(ThreadIndex i) const {
  return i < t.threads.size() ? t.threads[i].name : "thread " + std::to_string(i);
}

std::string Model::site(std::uint32_t s) const {
  const auto& site = t.site_at(s);
  if (site.file.empty() && site.line == 0) return "";
  return relative_path(site.file) + ":" + std::to_string(site.line);
}

std::string Model::short_site(std::uint32_t s) const {
  const auto& site = t.site_at(s);
  if (site.file.empty() && site.line == 0) return "";
  auto slash = site.file.find_last_of("/\\");
  return (slash == std::string::npos ? site.file : site.file.substr(slash + 1)) + ":" + std::to_string(site.line);
}

namespace {
std::string work_kind(ObjectId o) { return o == ObjectId(WorkKind::cpu_work) ? "cpu_work" : "blocking_io"; }
}  // namespace

std::string Model::headline(const TraceRecord& r) const {
  std::string who = r.task ? " " + task(r.task) : "";
  switch (r.kind) {
    case EventKind::spawn: return "spawn " + task(r.task);
    case EventKind::resume: return "run" + who;
    case EventKind::suspend: return "suspend" + who;
    case EventKind::schedule: return "queue" + who;
    case EventKind::block: return "block_on " + task(r.other);
    case EventKind::wake: return "woken";
    case EventKind::complete: return (r.text ? "faulted" : "complete") + who;
    case EventKind::timer_arm: return "timer armed" + who;
    case EventKind::timer_fire: return "timer fired" + who;
    case EventKind::io_submit: return "I/O submit" + who;
    case EventKind::io_complete: return "I/O done" + who;
    case EventKind::blocking_begin: return work_kind(r.object) + " begin" + who;
    case EventKind::blocking_end: return work_kind(r.object) + " end" + who;
    case EventKind::exception_thrown: return "exception thrown" + who;
    case EventKind::exception_observed: return "exception observed" + who;
    case EventKind::exception_dropped: return "exception lost" + who;
    case EventKind::mutex_wait: return "wait for " + object(r.object);
    case EventKind::mutex_acquire: return "lock " + object(r.object);
    case EventKind::mutex_release: return "unlock " + object(r.object);
    case EventKind::channel_wait: return "wait on " + object(r.object);
    case EventKind::channel_wake: return "wake from " + object(r.object);
    case EventKind::sem_wait: return "wait for " + object(r.object);
    case EventKind::sem_acquire: return "acquire " + object(r.object);
    case EventKind::sem_release: return "release " + object(r.object);
    case EventKind::event_wait: return "wait for " + object(r.object);
    case EventKind::event_set: return "set " + object(r.object);
    case EventKind::channel_send: return "send to " + object(r.object);
    case EventKind::channel_receive: return "receive from " + object(r.object);
    case EventKind::channel_close: return "close " + object(r.object);
    case EventKind::join_wait: return "join " + task(r.other);
    case EventKind::race_lost: return "lost the race" + who;
    case EventKind::cancel_request: return "cancel requested";
    case EventKind::cancelled: return "cancelled" + who;
    case EventKind::invariant_failed: return "invariant failed";
    case EventKind::access: return (r.value == std::int64_t(VariableAccess::write) ? "write " : "read ") + object(r.object);
    default:
      if (is_object_create(r.kind)) return "create " + object(r.object);
      return to_string(r.kind) + who;
  }
}

std::string Model::specifics(const TraceRecord& r) const {
  std::string text = truncate(t.text(r), 48);
  switch (r.kind) {
    case EventKind::spawn: {
      std::string s = r.object ? "on " + t.executor_name(r.object) : std::string("inline");
      if (r.other) s += ", by " + task(r.other);
      if (r.value) s += ", detached";
      return s;
    }
    case EventKind::schedule: return "on " + t.executor_name(r.object);
    case EventKind::block: return r.task ? "from " + task(r.task) : "";
    case EventKind::wake: return r.other ? task(r.other) + " done" : "";
    case EventKind::timer_arm:
    case EventKind::timer_fire: return "deadline " + format_duration(r.value);
    case EventKind::blocking_begin:
    case EventKind::blocking_end: return "for " + format_duration(r.value);
    case EventKind::mutex_wait: {
      std::string s = r.task ? "by " + task(r.task) : "";
      if (r.other) s += std::string(s.empty() ? "" : ", ") + "held by " + task(r.other);
      return s;
    }
    case EventKind::sem_acquire: {
      std::string s = r.task ? "by " + task(r.task) + ", " : "";
      return s + std::to_string(r.value) + " permit" + (r.value == 1 ? "" : "s") + " left";
    }
    case EventKind::sem_release: {
      std::string s = r.task ? "by " + task(r.task) + ", " : "";
      return s + std::to_string(r.value) + " permit" + (r.value == 1 ? "" : "s");
    }
    case EventKind::join_wait: return r.task ? "by " + task(r.task) : "";
    case EventKind::mutex_acquire:
    case EventKind::mutex_release:
    case EventKind::channel_wait:
    case EventKind::channel_wake:
    case EventKind::sem_wait:
    case EventKind::event_wait:
    case EventKind::event_set:
    case EventKind::channel_send:
    case EventKind::channel_receive:
    case EventKind::channel_close:
    case EventKind::access: return r.task ? "by " + task(r.task) : "";
    case EventKind::race_lost: return "lost to " + task(r.other);
    case EventKind::probe: {
      std::string s = "latency " + format_duration(r.value);
      if (Nanos d = weft::probe_deadline(r.object, r.other)) s += ", deadline " + format_duration(d);
      return s;
    }
    default:
      if (is_object_create(r.kind)) return "";
      return text;
  }
}

std::string Model::hidden_summary() const {
  if (hidden_records == 0) return "";
  std::string s = std::to_string(hidden_records) + " other event" + (hidden_records == 1 ? "" : "s");
  std::vector<std::string> on;
  if (!hidden_tasks.empty())
    on.push_back(std::to_string(hidden_tasks.size()) + " other task" + (hidden_tasks.size() == 1 ? "" : "s"));
  if (!hidden_threads.empty())
    on.push_back(std::to_string(hidden_threads.size()) + " other thread" + (hidden_threads.size() == 1 ? "" : "s"));
  for (std::size_t i = 0; i < on.size(); ++i) s += (i ? " and " : " on ") + on[i];
  return s;
}

namespace {

std::size_t last_index(const Trace& t, auto&& pred) {
  for (std::size_t i = t.records.size(); i-- > 0;)
    if (pred(t.records[i])) return i;
  return SIZE_MAX;
}

// Happens-before between records on different threads. Edges within a thread are implied by
// the lane order and are not listed.
std::vector<RecordEdge> happens_before(const Trace& t) {
  const auto& rs = t.records;
  std::vector<RecordEdge> out;
  auto add = [&](std::size_t from, std::size_t to, Edge kind) {
    if (rs[from].thread != rs[to].thread) out.push_back({std::uint32_t(from), std::uint32_t(to), kind, {}});
  };
  std::map<TaskId, std::size_t> spawn_of;
  std::set<TaskId> resumed;
  std::map<TaskId, std::deque<std::size_t>> queued;
  std::map<TaskId, std::size_t> faulted;
  std::map<TaskId, std::size_t> completed;
  std::map<std::pair<TaskId, std::int64_t>, std::deque<std::size_t>> timers;
  std::map<std::pair<TaskId, ObjectId>, std::deque<std::size_t>> ios;
  std::map<ObjectId, std::size_t> released;
  std::map<ObjectId, std::deque<std::size_t>> permits;
  std::map<ObjectId, std::deque<std::size_t>> sent;
  std::map<ObjectId, std::size_t> written;  // a variable's last write
  for (std::size_t i = 0; i < rs.size(); ++i) {
    const auto& r = rs[i];
    switch (r.kind) {
      case EventKind::spawn: spawn_of[r.task] = i; break;
      case EventKind::schedule: queued[r.task].push_back(i); break;
      case EventKind::resume: {
        std::size_t from = SIZE_MAX;
        auto q = queued.find(r.task);
        if (q != queued.end() && !q->second.empty()) {
          from = q->second.front();
          q->second.pop_front();
        }
        bool first = resumed.insert(r.task).second;
        auto sp = spawn_of.find(r.task);
        if (first && sp != spawn_of.end()) {
          add(sp->second, i, Edge::spawn);
          // The start job queued next to the spawn says the same thing again.
          if (from != SIZE_MAX && rs[from].thread == rs[sp->second].thread) from = SIZE_MAX;
        }
        if (from != SIZE_MAX) add(from, i, Edge::queued);
        break;
      }
      case EventKind::complete:
        completed[r.task] = i;
        if (r.text) faulted[r.task] = i;
        break;
      case EventKind::wake: {
        auto c = completed.find(r.other);
        if (c != completed.end()) add(c->second, i, Edge::done);
        break;
      }
      case EventKind::timer_arm: timers[{r.task, r.value}].push_back(i); break;
      case EventKind::timer_fire: {
        auto& q = timers[{r.task, r.value}];
        if (!q.empty()) {
          add(q.front(), i, Edge::timer);
          q.pop_front();
        }
        break;
      }
      case EventKind::io_submit: ios[{r.task, r.object}].push_back(i); break;
      case EventKind::io_complete: {
        auto& q = ios[{r.task, r.object}];
        if (!q.empty()) {
          add(q.front(), i, Edge::io);
          q.pop_front();
        }
        break;
      }
      case EventKind::mutex_release: released[r.object] = i; break;
      // A permit released reaches the next acquire of that semaphore; a value sent, the next
      // receive from that channel (FIFO).
      case EventKind::sem_release: permits[r.object].push_back(i); break;
      case EventKind::sem_acquire: {
        auto& q = permits[r.object];
        if (!q.empty()) {
          add(q.front(), i, Edge::permit);
          q.pop_front();
        }
        break;
      }
      case EventKind::channel_send: sent[r.object].push_back(i); break;
      // A read sees the last write of its variable (the simulator runs one step at a time):
      // from another task, that write is where the value came from.
      case EventKind::access:
        if (r.value == std::int64_t(VariableAccess::write)) {
          written[r.object] = i;
        } else if (auto w = written.find(r.object); w != written.end() && rs[w->second].task != r.task) {
          add(w->second, i, Edge::reads);
        }
        break;
      case EventKind::channel_receive: {
        auto& q = sent[r.object];
        if (!q.empty()) {
          add(q.front(), i, Edge::message);
          q.pop_front();
        }
        break;
      }
      case EventKind::mutex_acquire: {
        auto rel = released.find(r.object);
        if (rel != released.end()) {
          add(rel->second, i, Edge::mutex);
          released.erase(rel);
        }
        break;
      }
      case EventKind::exception_observed:
      case EventKind::exception_dropped: {
        auto f = faulted.find(r.task);
        if (f != faulted.end()) add(f->second, i, Edge::exception);
        break;
      }
      default: break;
    }
  }
  return out;
}

// The wait-for cycle of a deadlock: thread blocks on task (block record -> the task's last
// step), task needs a thread that is itself blocked (that step -> the thread's block record).
void add_deadlock_cycle(Model& m) {
  const Trace& t = m.t;
  const Violation& v = *m.v;
  const std::set<ThreadIndex> cycle_threads(v.threads.begin(), v.threads.end());
  const std::set<TaskId> cycle_tasks(v.tasks.begin(), v.tasks.end());
  auto block_on_thread = [&](ThreadIndex th) {
    std::size_t b = last_index(t, [&](const TraceRecord& r) {
      return r.kind == EventKind::block && r.thread == th && cycle_tasks.count(r.other);
    });
    if (b == SIZE_MAX)
      b = last_index(t, [&](const TraceRecord& r) { return r.kind == EventKind::block && r.thread == th; });
    return b;
  };
  for (std::size_t i = 0; i < v.tasks.size(); ++i) {
    TaskId task = v.tasks[i];
    std::size_t block = last_index(t, [&](const TraceRecord& r) {
      return r.kind == EventKind::block && r.other == task && cycle_threads.count(r.thread);
    });
    if (block == SIZE_MAX)
      block = last_index(t, [&](const TraceRecord& r) { return r.kind == EventKind::block && r.other == task; });
    std::size_t pending = last_index(t, [&](const TraceRecord& r) {
      return r.task == task && r.kind != EventKind::block && r.kind != EventKind::wake;
    });
    if (block != SIZE_MAX) m.key[block] = true;
    if (pending == SIZE_MAX) continue;
    m.key[pending] = true;
    if (block != SIZE_MAX)
      m.culprit.push_back({std::uint32_t(block), std::uint32_t(pending), Edge::wait_for, "waits for " + m.task(task)});
    // Which thread the task needs: the one serving the executor its continuation is queued on;
    // otherwise the next thread of the cycle.
    std::size_t needed = SIZE_MAX;
    const auto& p = t.records[pending];
    if (p.kind == EventKind::schedule && p.object != 0) {
      for (ThreadIndex th : v.threads)
        if (th < t.threads.size() && t.threads[th].executor == p.object && needed == SIZE_MAX) needed = block_on_thread(th);
    }
    if (needed == SIZE_MAX && !v.threads.empty()) needed = block_on_thread(v.threads[(i + 1) % v.threads.size()]);
    if (needed != SIZE_MAX) {
      m.key[needed] = true;
      m.culprit.push_back({std::uint32_t(pending), std::uint32_t(needed), Edge::wait_for,
                           "needs " + m.thread(t.records[needed].thread)});
    }
  }
}

// A mutex cycle (or a wait chain) given as records: each waiter's wait record points at the
// next one in the violation's order.
void add_record_chain(Model& m) {
  std::vector<std::uint32_t> waits;
  for (auto i : m.v->records)
    if (i < m.t.records.size()) {
      auto k = m.t.records[i].kind;
      if (k == EventKind::mutex_wait || k == EventKind::channel_wait || k == EventKind::block || k == EventKind::sem_wait ||
          k == EventKind::event_wait || k == EventKind::join_wait)
        waits.push_back(i);
    }
  if (waits.size() < 2) return;
  for (std::size_t i = 0; i < waits.size(); ++i) {
    std::uint32_t a = waits[i], b = waits[(i + 1) % waits.size()];
    const auto& ra = m.t.records[a];
    const auto& rb = m.t.records[b];
    const char* how = ra.kind == EventKind::mutex_wait ? "held by " : ra.kind == EventKind::sem_wait ? "permit held by " : "waits for ";
    m.culprit.push_back({a, b, Edge::wait_for, how + m.task(rb.task)});
  }
}

// A declaration site inside the standard library (an object made by std::make_unique or a
// container records the library line that constructed it): no help to a reader.
bool library_file(std::string_view f) {
  if (f.rfind("/usr/", 0) == 0 || f.rfind("bits/", 0) == 0 || f.find("/bits/") != std::string_view::npos ||
      f.rfind("__", 0) == 0 || f.find("/__") != std::string_view::npos || f.find("include/c++/") != std::string_view::npos)
    return true;
  return false;
}

// A task's name as a picture shows it: without template arguments and anonymous namespaces
// ("lambda in weft::spawn_blocking<scenarios::{anonymous}::query...>" -> "lambda in
// weft::spawn_blocking"), at most 40 code points.
std::string short_name(const std::string& name) {
  std::string out;
  int depth = 0;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    // "operator<" and friends keep their brackets: only a '<' after a name character opens a list.
    if (c == '<' && i > 0 && (std::isalnum(static_cast<unsigned char>(name[i - 1])) || name[i - 1] == '_')) {
      ++depth;
      continue;
    }
    if (depth > 0) {
      if (c == '<') ++depth;
      if (c == '>') --depth;
      continue;
    }
    out += c;
  }
  // An unclosed list (a name cut short inside its template arguments) ends the name there.
  for (std::string_view anon : {"{anonymous}::", "(anonymous namespace)::"})
    for (auto at = out.find(anon); at != std::string::npos; at = out.find(anon)) out.erase(at, anon.size());
  if (out.empty()) out = name;
  return truncate(out, 40);
}

// Names and kinds from the records (the spawn text, object_create) and from the trace's tables
// (traces rebuilt from a finding file); the kind of an object without an object_create record
// from what was done to it (a semaphore is never taken for a channel).
void add_names(Model& m) {
  for (const auto& info : m.t.tasks)
    if (!info.name.empty()) m.task_names.emplace(info.id, info.name);
  for (const auto& o : m.t.objects) {
    if (o.kind != ObjectKind::other) m.object_kinds[o.id] = to_string(o.kind);
    if (!o.name.empty()) m.object_names[o.id] = o.name;
    if (o.site) m.object_sites[o.id] = o.site;
  }
  for (const auto& r : m.t.records) {
    if (r.kind == EventKind::spawn && r.text && r.task && !m.task_names.count(r.task))
      m.task_names[r.task] = std::string(m.t.text(r));
    if (is_object_create(r.kind) && r.object) {
      if (r.text) m.object_names.emplace(r.object, std::string(m.t.text(r)));
      if (r.site) m.object_sites.emplace(r.object, r.site);
      if (r.value >= 0 && ObjectKind(r.value) != ObjectKind::other)
        m.object_kinds.emplace(r.object, to_string(ObjectKind(r.value)));
    }
    if (const char* kind = sync_kind(r.kind); kind && r.object) m.object_kinds.emplace(r.object, kind);
  }
  // A namespace every qualified task name shares says nothing in a picture: "scenarios::load_profile"
  // and "scenarios::on_click" are drawn as "load_profile" and "on_click" (the Tasks table keeps
  // the full names). A class name is kept whenever the names differ in it.
  std::string common;
  bool first = true;
  for (const auto& [id, name] : m.task_names) {
    auto at = name.find("::");
    if (at == std::string::npos) continue;
    std::string prefix = name.substr(0, at + 2);
    if (first) common = prefix, first = false;
    else if (prefix != common) common.clear();
  }
  m.full_task_names = m.task_names;
  if (!common.empty())
    for (auto& [id, name] : m.task_names)
      if (name.size() > common.size() && name.compare(0, common.size(), common) == 0) name.erase(0, common.size());
  for (auto& [id, name] : m.task_names) name = short_name(name);
  // Two tasks of one coroutine ("handle" twice) are told apart by their ids: "handle #2".
  std::map<std::string, int> uses;
  for (const auto& [id, name] : m.task_names) ++uses[name];
  for (const auto& [name, n] : uses)
    if (n > 1) m.shared_task_names.insert(name);
  // Objects: 'mutex "cache"', else the kind and declaration site ("mutex at stock.cpp:30"),
  // else "mutex #3"; a label two objects share gets their ids ("mutex at stock.cpp:30 #4").
  std::set<ObjectId> ids;
  for (const auto& [id, k] : m.object_kinds) ids.insert(id);
  for (const auto& [id, n] : m.object_names) ids.insert(id);
  for (const auto& [id, s] : m.object_sites) ids.insert(id);
  std::map<std::string, int> label_uses;
  for (ObjectId id : ids) {
    std::string kind = m.object_kind(id), label;
    auto n = m.object_names.find(id);
    auto s = m.object_sites.find(id);
    std::string where = s != m.object_sites.end() && !library_file(m.t.site_at(s->second).file) ? m.short_site(s->second) : "";
    if (n != m.object_names.end())
      label = kind + " \"" + n->second + "\"";
    else if (!where.empty())
      label = kind + " at " + where;
    else
      label = kind + " #" + std::to_string(id);
    ++label_uses[label];
    m.object_labels[id] = label;
  }
  for (auto& [id, label] : m.object_labels)
    if (label_uses[label] > 1 && label != m.object_kind(id) + " #" + std::to_string(id)) label += " #" + std::to_string(id);
}

}  // namespace

namespace {
// An invariant about data is told by the accesses of the weft::Shared variables two agents
// (tasks, or a thread outside any) use, one of them writing: a lost update reads "read,
// read, write, write" across the tasks. The last `budget` of those accesses are kept, and
// the last `drawn` of them up to the violation (records before `until`) are anchors: a
// picture draws each on its own rather than folding it into a grey run ("access x3"), for
// they are the story (who read the value, who wrote it in between).
void keep_racing_accesses(const Trace& t, std::vector<bool>& keep, std::vector<bool>& anchor, std::size_t until,
                          std::size_t budget = 32, std::size_t drawn = 8) {
  const auto& rs = t.records;
  struct Use {
    std::set<std::uint64_t> agents;
    bool written = false;
  };
  std::map<ObjectId, Use> use;
  for (const auto& r : rs)
    if (r.kind == EventKind::access) {
      Use& u = use[r.object];
      u.agents.insert(r.task ? r.task : (std::uint64_t(1) << 40) | r.thread);
      u.written = u.written || r.value == std::int64_t(VariableAccess::write);
    }
  for (std::size_t i = rs.size(); i-- > 0 && budget > 0;) {
    if (rs[i].kind != EventKind::access) continue;
    const Use& u = use[rs[i].object];
    if (u.agents.size() < 2 || !u.written) continue;
    keep[i] = true, --budget;
    if (i < until && drawn > 0) anchor[i] = true, --drawn;
  }
}
}  // namespace

Model build_model(const Trace& t, const Violation* violation, bool full) {
  const Violation* v = violation && violation->kind != ViolationKind::none ? violation : nullptr;
  Model m(t, v);
  const auto& rs = t.records;
  m.key.assign(rs.size(), false);
  m.keep.assign(rs.size(), true);
  m.involved.assign(rs.size(), false);
  m.anchor.assign(rs.size(), false);
  add_names(m);
  m.hb = happens_before(t);
  if (!v) return m;

  m.red_threads.insert(v->threads.begin(), v->threads.end());
  for (auto i : v->records)
    if (i < rs.size()) m.key[i] = true;
  const std::set<TaskId> vtasks(v->tasks.begin(), v->tasks.end());
  for (std::size_t i = 0; i < rs.size(); ++i) m.involved[i] = rs[i].task && vtasks.count(rs[i].task);
  if (v->kind == ViolationKind::lost_exception) {
    std::size_t spawn = SIZE_MAX, drop = SIZE_MAX;
    for (std::size_t i = 0; i < rs.size(); ++i) {
      const auto& r = rs[i];
      if (!vtasks.count(r.task)) continue;
      if (r.kind == EventKind::spawn && spawn == SIZE_MAX) spawn = i;
      if (r.kind == EventKind::exception_dropped) drop = i;
      if (r.kind == EventKind::spawn || is_faulted_complete(r) || r.kind == EventKind::exception_thrown ||
          r.kind == EventKind::exception_dropped)
        m.key[i] = true;
    }
    if (spawn != SIZE_MAX && drop != SIZE_MAX && spawn != drop)
      m.culprit.push_back({std::uint32_t(spawn), std::uint32_t(drop), Edge::lost, "its exception is lost"});
  }
  if (v->kind == ViolationKind::deadlock) {
    bool by_threads = std::any_of(v->records.begin(), v->records.end(),
                                  [&](std::uint32_t i) { return i < rs.size() && rs[i].kind == EventKind::block; });
    if (by_threads && !v->threads.empty())
      add_deadlock_cycle(m);
    else
      add_record_chain(m);
  } else if (v->kind == ViolationKind::hang) {
    add_record_chain(m);
  }
  // A violation that names tasks but no records (a hang): each task's last step is where it
  // stopped, the culprit to show.
  if (std::none_of(m.key.begin(), m.key.end(), [](bool b) { return b; }))
    for (TaskId task : vtasks) {
      std::size_t last = last_index(t, [&](const TraceRecord& r) { return r.task == task; });
      if (last != SIZE_MAX) m.key[last] = true;
    }
  // Who holds what the red records wait for: the last acquisition of each waited-for mutex or
  // semaphore before the wait (a mutex cycle reads "lock stock ... wait for orders").
  for (std::size_t i = 0; i < rs.size(); ++i) {
    if (!m.key[i] || (rs[i].kind != EventKind::mutex_wait && rs[i].kind != EventKind::sem_wait)) continue;
    EventKind take = rs[i].kind == EventKind::mutex_wait ? EventKind::mutex_acquire : EventKind::sem_acquire;
    for (std::size_t j = i; j-- > 0;)
      if (rs[j].kind == take && rs[j].object == rs[i].object) {
        m.anchor[j] = true;
        break;
      }
  }
  for (std::size_t i = 0; i < rs.size(); ++i) m.anchor[i] = m.anchor[i] && !m.key[i];
  if (full) return m;

  // Focus: the tasks and threads of the violation, the tasks its key records belong to or
  // wait for, and one step of causal history into each of them.
  m.focused = true;
  std::set<TaskId> tasks = vtasks;
  std::set<ThreadIndex> threads = m.red_threads;
  for (std::size_t i = 0; i < rs.size(); ++i) {
    if (!m.key[i]) continue;
    const auto& r = rs[i];
    if (r.task) tasks.insert(r.task);
    if (r.kind == EventKind::block && r.other) tasks.insert(r.other);
    threads.insert(r.thread);
    if (r.task == 0) {
      // A record outside any task (a when_all child's lost exception): the task running on
      // that thread then, and the tasks that faulted with the same message.
      for (std::size_t j = i; j-- > 0;)
        if (rs[j].thread == r.thread && rs[j].kind == EventKind::resume) {
          tasks.insert(rs[j].task);
          break;
        }
      if (r.text)
        for (std::size_t j = 0; j < i; ++j)
          if (is_faulted_complete(rs[j]) && rs[j].text == r.text) tasks.insert(rs[j].task), m.key[j] = true;
    }
  }
  for (const auto& e : m.culprit) threads.insert(rs[e.from].thread), threads.insert(rs[e.to].thread);
  std::vector<bool> keep(rs.size(), false);
  for (std::size_t i = 0; i < rs.size(); ++i) {
    const auto& r = rs[i];
    bool mine = r.task && tasks.count(r.task);
    bool waits_here = (r.kind == EventKind::block || r.kind == EventKind::wake) && threads.count(r.thread);
    bool waits_for_mine = r.kind == EventKind::block && tasks.count(r.other);
    keep[i] = m.key[i] || mine || waits_here || waits_for_mine;
    // Routine bookkeeping of a thread that only hosts the story (thread start, executor
    // creation) says nothing about it.
    if (keep[i] && !m.key[i] && (r.kind == EventKind::thread_start || r.kind == EventKind::executor_create)) keep[i] = false;
    // An injected fault that fired (a lost segment, a refused connect, a short read) made
    // this execution what it is: shown whichever task it struck.
    if (r.kind == EventKind::fault && r.value != 0) keep[i] = true;
  }
  for (const auto& e : m.culprit) keep[e.from] = keep[e.to] = true;
  for (std::size_t i = 0; i < rs.size(); ++i) keep[i] = keep[i] || m.anchor[i];
  if (v->kind == ViolationKind::invariant) {
    std::size_t until = 0;  // just after the violation's last record
    for (std::size_t i = 0; i < rs.size(); ++i)
      if (m.key[i]) until = i + 1;
    keep_racing_accesses(t, keep, m.anchor, until);
  }
  // One step back along happens-before: what made a shown step possible (the timer armed,
  // the spawn, the completion that woke a thread).
  std::vector<bool> pred(rs.size(), false);
  for (const auto& e : m.hb)
    if (keep[e.to] && !keep[e.from]) pred[e.from] = true;
  for (std::size_t i = 0; i < rs.size(); ++i) keep[i] = keep[i] || pred[i];
  // Too little to tell a story (a key record outside any task, as an invariant checked in a
  // handler): the steps just before each key record, on every thread, are its context.
  if (std::count(keep.begin(), keep.end(), true) < 6)
    for (std::size_t i = 0; i < rs.size(); ++i)
      if (m.key[i])
        for (std::size_t j = i > 12 ? i - 12 : 0; j < i; ++j) keep[j] = true;
  // A focus that would show nothing (a violation without records) shows everything.
  if (std::none_of(keep.begin(), keep.end(), [](bool b) { return b; })) {
    m.focused = false;
    return m;
  }
  m.keep = std::move(keep);
  std::set<TaskId> shown_tasks;
  std::set<ThreadIndex> shown_threads;
  for (std::size_t i = 0; i < rs.size(); ++i)
    if (m.keep[i]) {
      if (rs[i].task) shown_tasks.insert(rs[i].task);
      shown_threads.insert(rs[i].thread);
    }
  for (std::size_t i = 0; i < rs.size(); ++i) {
    if (m.keep[i]) continue;
    ++m.hidden_records;
    if (rs[i].task && !shown_tasks.count(rs[i].task)) m.hidden_tasks.insert(rs[i].task);
    if (!shown_threads.count(rs[i].thread)) m.hidden_threads.insert(rs[i].thread);
  }
  return m;
}

std::vector<Repeat> find_repeats(const Trace& t, const std::vector<std::uint32_t>& seq, const std::vector<bool>& pinned,
                                 std::size_t period_max) {
  const auto& rs = t.records;
  auto sig = [&](std::uint32_t i) { return std::make_tuple(rs[i].kind, rs[i].task, rs[i].site, rs[i].text); };
  std::vector<Repeat> pieces;
  for (std::size_t k = 0; k < seq.size();) {
    std::size_t best_p = 0, best_reps = 0;
    for (std::size_t p = 1; p <= period_max && k + 2 * p <= seq.size(); ++p) {
      bool clean = true;
      for (std::size_t j = k; j < k + p && clean; ++j) clean = !pinned[seq[j]];
      if (!clean) break;
      std::size_t reps = 1;
      for (;;) {
        std::size_t base = k + reps * p;
        if (base + p > seq.size()) break;
        bool same = true;
        for (std::size_t j = 0; j < p && same; ++j) same = sig(seq[base + j]) == sig(seq[k + j]) && !pinned[seq[base + j]];
        if (!same) break;
        ++reps;
      }
      if (reps >= 2 && p * reps >= 3 && p * reps > best_p * best_reps) best_p = p, best_reps = reps;
    }
    if (best_p) {
      pieces.push_back({k, best_p, best_reps});
      k += best_p * best_reps;
    } else {
      pieces.push_back({k, 1, 1});
      ++k;
    }
  }
  return pieces;
}

namespace {

// Records the sequence views leave out unless they are red: bookkeeping that a neighbouring
// step already says (a resume follows its queue entry, a suspend precedes the next await).
bool quiet(const TraceRecord& r) {
  switch (r.kind) {
    case EventKind::resume:
    case EventKind::suspend:
    case EventKind::schedule:
    case EventKind::thread_start:
    case EventKind::thread_exit:
    case EventKind::executor_create:
    case EventKind::wake:
      return true;
    default:
      return is_object_create(r.kind);
  }
}

}  // namespace

Story build_story(const Model& m, std::size_t steps_max) {
  const auto& rs = m.t.records;
  Story s;
  std::vector<bool> pinned = m.key;
  for (std::size_t i = 0; i < rs.size(); ++i) pinned[i] = pinned[i] || (m.anchor[i] && m.keep[i]);
  for (const auto& e : m.culprit) pinned[e.from] = pinned[e.to] = true;
  std::vector<std::uint32_t> seq;
  for (std::size_t i = 0; i < rs.size(); ++i)
    if (m.keep[i] && (pinned[i] || !quiet(rs[i]))) seq.push_back(std::uint32_t(i));

  std::map<std::pair<TaskId, ThreadIndex>, std::size_t> actor_of;
  auto actor = [&](const TraceRecord& r) {
    // A spawn is something its parent does.
    TaskId task = r.kind == EventKind::spawn ? r.other : r.task;
    std::pair<TaskId, ThreadIndex> k{task, task ? ThreadIndex(0) : r.thread};
    auto it = actor_of.find(k);
    if (it != actor_of.end()) return it->second;
    Actor a{task, r.thread, task ? m.task(task) : m.thread(r.thread)};
    s.actors.push_back(a);
    actor_of[k] = s.actors.size() - 1;
    return s.actors.size() - 1;
  };
  std::vector<std::size_t> step_of(rs.size(), SIZE_MAX);
  for (const Repeat& p : find_repeats(m.t, seq, pinned, 8)) {
    Step st;
    st.period = p.period;
    st.reps = p.reps;
    for (std::size_t j = p.begin; j < p.begin + p.period * p.reps; ++j) st.records.push_back(seq[j]);
    st.actor = actor(rs[st.records.front()]);
    for (auto i : st.records) st.red = st.red || m.key[i];
    if (s.steps.size() >= steps_max) {
      ++s.dropped_steps;
      continue;
    }
    for (auto i : st.records) step_of[i] = s.steps.size();
    s.steps.push_back(std::move(st));
  }
  // A message whose end is a record the story leaves out lands on the next shown step of the
  // same task (a spawn reaches the task's first step, a queued continuation its next one).
  auto owner = [&](const TraceRecord& r) { return r.kind == EventKind::spawn ? r.other : r.task; };
  auto shown_at_or_after = [&](std::uint32_t i) {
    for (std::size_t j = i; j < rs.size(); ++j) {
      if (step_of[j] != SIZE_MAX && (j == i || (owner(rs[i]) && owner(rs[j]) == owner(rs[i])) ||
                                     (!owner(rs[i]) && rs[j].thread == rs[i].thread)))
        return step_of[j];
      if (j - i > 4096) break;
    }
    return SIZE_MAX;
  };
  auto shown_at_or_before = [&](std::uint32_t i) {
    for (std::size_t j = i + 1; j-- > 0;) {
      if (step_of[j] != SIZE_MAX && (j == i || (owner(rs[i]) && owner(rs[j]) == owner(rs[i])) ||
                                     (!owner(rs[i]) && rs[j].thread == rs[i].thread)))
        return step_of[j];
      if (i - j > 4096) break;
    }
    return SIZE_MAX;
  };
  std::set<std::tuple<std::size_t, std::size_t, Edge>> seen;
  auto add = [&](const RecordEdge& e, bool red) {
    std::size_t a = shown_at_or_before(e.from), b = shown_at_or_after(e.to);
    if (a == SIZE_MAX || b == SIZE_MAX || a == b) return;
    if (s.steps[a].actor == s.steps[b].actor && !red) return;
    if (!seen.insert({a, b, e.kind}).second) return;
    s.messages.push_back({a, b, std::max(a, b), e.kind, e.label, red});
  };
  for (const auto& e : m.culprit) add(e, true);
  for (const auto& e : m.hb)
    if (m.keep[e.from] && m.keep[e.to]) add(e, false);
  std::stable_sort(s.messages.begin(), s.messages.end(),
                   [](const Message& a, const Message& b) { return a.at_step < b.at_step; });
  return s;
}

std::string step_text(const Model& m, const Story& s, const Step& st) {
  const auto& rs = m.t.records;
  // The column already names the actor: "timer armed load_profile" -> "timer armed".
  auto headline = [&](std::uint32_t i) {
    const auto& r = rs[i];
    std::string h = m.headline(r);
    const std::string& name = s.actors[st.actor].name;
    if (r.task && h.size() > name.size() + 1 && h.compare(h.size() - name.size() - 1, std::string::npos, " " + name) == 0)
      h.resize(h.size() - name.size() - 1);
    return h;
  };
  auto one = [&](std::uint32_t i) {
    const auto& r = rs[i];
    std::string h = headline(i);
    std::string more = m.specifics(r);
    // The column names who did it: "spawn task 2 (on pool)", "block_on task 2".
    if (r.kind == EventKind::spawn) more = r.object ? "on " + m.t.executor_name(r.object) : "inline";
    if (r.kind == EventKind::spawn && r.value) more += ", detached";
    if (r.kind == EventKind::block) more.clear();
    // "lock mutex "stock" (by reserve, ...)" in reserve's own column: the "by" goes.
    const std::string by = "by " + s.actors[st.actor].name;
    if (more.rfind(by, 0) == 0 && (more.size() == by.size() || more.compare(by.size(), 2, ", ") == 0))
      more.erase(0, more.size() == by.size() ? by.size() : by.size() + 2);
    return more.empty() ? h : h + " (" + more + ")";
  };
  if (st.reps == 1) return one(st.records.front());
  std::string out = "×" + std::to_string(st.reps) + ": ";
  for (std::size_t k = 0; k < st.period; ++k) out += (k ? " → " : "") + headline(st.records[k]);
  return out;
}

namespace {
// How a record ends its task's turn on its thread ("<who> waits"), or null.
const char* turn_ended(EventKind k) {
  switch (k) {
    case EventKind::block: return " blocks";
    case EventKind::timer_arm: return " sleeps";
    case EventKind::io_submit: return " awaits I/O";
    case EventKind::mutex_wait:
    case EventKind::sem_wait:
    case EventKind::event_wait:
    case EventKind::join_wait:
    case EventKind::channel_wait: return " waits";
    case EventKind::complete: return " finished";
    default: return nullptr;
  }
}
}  // namespace

std::string switch_reason(const Model& m, const Story& s, std::size_t step) {
  if (step == 0) return "start";
  const Step& prev = s.steps[step - 1];
  const Step& cur = s.steps[step];
  if (prev.actor == cur.actor) return "";
  for (const auto& msg : s.messages)
    if (msg.to_step == step && msg.from_step < step && s.steps[msg.from_step].actor != cur.actor) {
      switch (msg.kind) {
        case Edge::spawn: return "spawned by " + s.actors[s.steps[msg.from_step].actor].name;
        case Edge::timer: return "timer fired";
        case Edge::io: return "I/O completed";
        case Edge::done: return s.actors[s.steps[msg.from_step].actor].name + " finished";
        case Edge::mutex: return "lock released";
        case Edge::permit: return "permit released";
        case Edge::message: return "value sent";
        default: break;
      }
    }
  const auto& rs = m.t.records;
  const auto& r = rs[prev.records.back()];
  const std::string& who = s.actors[prev.actor].name;
  // The steps that ended the previous actor's turn may be left out of the story (a task shown
  // only for its accesses of a shared variable): its next records up to the switch tell
  // whether it waited or finished rather than being preempted.
  if (r.task)
    for (std::size_t i = std::size_t(prev.records.back()) + 1; i < cur.records.front() && i < rs.size(); ++i) {
      if (rs[i].task != r.task || rs[i].thread != r.thread) continue;
      if (const char* why = turn_ended(rs[i].kind)) return who + why;
    }
  if (const char* why = turn_ended(r.kind)) return who + why;
  switch (r.kind) {
    case EventKind::spawn: return who + " spawned " + m.task(r.task);
    case EventKind::blocking_begin: return who + " is in blocking work";
    case EventKind::schedule: return who + "'s continuation queued";
    default: return "preempted";
  }
}

}  // namespace detail
}  // namespace weft::render
