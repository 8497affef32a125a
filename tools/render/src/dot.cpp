// The schedule graph as DOT. Also home of the text helpers every renderer shares
// (format_duration, sanitize_utf8).
#include <algorithm>
#include <cstdio>
#include <deque>
#include <map>
#include <set>
#include <tuple>
#include <vector>

#include "weft/render/render.hpp"

namespace weft::render {

std::string format_duration(Nanos d) {
  if (d == 0) return "0 s";
  std::string sign = d < 0 ? "-" : "";
  // Magnitude as unsigned so that INT64_MIN does not overflow.
  std::uint64_t v = d < 0 ? std::uint64_t(0) - std::uint64_t(d) : std::uint64_t(d);
  struct Unit {
    std::uint64_t ns;
    const char* name;
    bool always_fraction;  // seconds always show milliseconds: "2.000 s"
  };
  static constexpr Unit units[] = {{1000000000ull, "s", true}, {1000000ull, "ms", false}, {1000ull, "µs", false}};
  for (const auto& u : units) {
    if (v < u.ns) continue;
    std::uint64_t whole = v / u.ns;
    std::uint64_t frac = (v % u.ns) * 1000 / u.ns;  // three digits, truncated
    char buf[64];
    if (u.always_fraction || v % u.ns != 0)
      std::snprintf(buf, sizeof buf, "%llu.%03llu %s", static_cast<unsigned long long>(whole),
                    static_cast<unsigned long long>(frac), u.name);
    else
      std::snprintf(buf, sizeof buf, "%llu %s", static_cast<unsigned long long>(whole), u.name);
    return sign + buf;
  }
  return sign + std::to_string(v) + " ns";
}

namespace detail {

std::string sanitize_utf8(std::string_view s) {
  static constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
      out += char(b0);
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      len = 2;
      cp = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      len = 3;
      cp = b0 & 0x0F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      len = 4;
      cp = b0 & 0x07;
    }
    bool ok = len != 0 && i + len <= s.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      auto b = static_cast<unsigned char>(s[i + k]);
      ok = (b & 0xC0) == 0x80;
      cp = (cp << 6) | (b & 0x3F);
    }
    // Reject overlong forms, surrogates and code points beyond U+10FFFF.
    if (ok) ok = !(len == 3 && cp < 0x800) && !(len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) &&
                 !(cp >= 0xD800 && cp <= 0xDFFF);
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += kReplacement;
      ++i;
    }
  }
  return out;
}

}  // namespace detail

namespace {

using sim::ThreadIndex;
using sim::Trace;
using sim::TraceRecord;

constexpr std::size_t kCollapseMin = 4;     // runs of routine steps at least this long collapse
constexpr std::size_t kLabelTextMax = 48;   // code points of a message shown on a node

// Text inside an HTML-like label: entities for markup characters, controls become spaces.
std::string html(std::string_view s) {
  std::string in = detail::sanitize_utf8(s);
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

// A DOT double-quoted string (tooltips, edge labels). Graphviz decodes entities in these strings
// and re-escapes them for SVG, so markup characters go in as entities and the DOT text holds no
// raw markup from user strings. A backslash is written as two entities: a raw backslash before the
// closing quote would escape it, and Graphviz gives backslash sequences meaning (\N, \l, \") after
// decoding entities, so the pair comes out as one literal backslash.
std::string quoted(std::string_view s) {
  std::string in = detail::sanitize_utf8(s);
  std::string out = "\"";
  for (char c : in) {
    switch (c) {
      case '"': out += "&quot;"; break;
      case '\\': out += "&#92;&#92;"; break;  // decoded, then unescaped by Graphviz: one backslash
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
          out += ' ';
        else
          out += c;
    }
  }
  out += '"';
  return out;
}

// At most `max` code points of valid UTF-8 `s`, with an ellipsis when cut.
std::string truncate(std::string_view s, std::size_t max) {
  std::string v = detail::sanitize_utf8(s);
  std::size_t count = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if ((static_cast<unsigned char>(v[i]) & 0xC0) == 0x80) continue;
    if (count++ == max) return v.substr(0, i) + "…";
  }
  return v;
}

std::string short_site(const sim::SourceSite& s) {
  if (s.file.empty() && s.line == 0) return "";
  auto slash = s.file.find_last_of("/\\");
  std::string base = slash == std::string::npos ? s.file : s.file.substr(slash + 1);
  return base + ":" + std::to_string(s.line);
}

std::string lane_name(const Trace& t, ThreadIndex i) {
  return i < t.threads.size() ? t.threads[i].name : "thread " + std::to_string(i);
}

std::string_view text_of(const Trace& t, const TraceRecord& r) {
  return r.text < t.strings.size() ? std::string_view(t.strings[r.text]) : std::string_view();
}

bool is_faulted_complete(const TraceRecord& r) { return r.kind == EventKind::complete && r.text != 0; }

// Steps that only move a task along (nothing blocked, failed, timed or awaited across threads):
// a long run of them says nothing a count cannot say.
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

enum class Edge : std::uint8_t { spawn, queued, done, timer, io, mutex, exception, wait_for };

struct EdgeStyle {
  const char* label;
  const char* color;
  const char* extra;
};

EdgeStyle style_of(Edge e) {
  switch (e) {
    case Edge::spawn: return {"spawn", "#1f77b4", ""};
    case Edge::queued: return {"queued", "#2ca02c", ""};
    case Edge::done: return {"done", "#9467bd", ""};
    case Edge::timer: return {"timer", "#ff7f0e", ""};
    case Edge::io: return {"I/O", "#17becf", ""};
    case Edge::mutex: return {"unlock", "#8c564b", ""};
    case Edge::exception: return {"exception", "#d62728", ", style=dashed"};
    case Edge::wait_for: return {"waits for", "red", ", penwidth=2, style=bold, constraint=false"};
  }
  return {"", "black", ""};
}

struct RecordEdge {
  std::uint32_t from;
  std::uint32_t to;
  Edge kind;
  std::string label;  // empty: the kind's label
};

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

struct Highlight {
  std::vector<bool> key;       // drawn filled red: the records that make the violation
  std::vector<bool> involved;  // outlined red: records of tasks named by the violation
  std::set<ThreadIndex> threads;
  std::vector<RecordEdge> wait_for;
};

std::size_t last_index(const Trace& t, auto&& pred) {
  for (std::size_t i = t.records.size(); i-- > 0;)
    if (pred(t.records[i])) return i;
  return SIZE_MAX;
}

// The wait-for cycle of a deadlock: thread blocks on task (block record -> the task's last
// step), task needs a thread that is itself blocked (that step -> the thread's block record).
void add_deadlock_cycle(const Trace& t, const Violation& v, Highlight& h) {
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
    if (block != SIZE_MAX) h.key[block] = true;
    if (pending == SIZE_MAX) continue;
    h.key[pending] = true;
    if (block != SIZE_MAX)
      h.wait_for.push_back({std::uint32_t(block), std::uint32_t(pending), Edge::wait_for,
                            "waits for task " + std::to_string(task)});
    // Which thread the task needs: the one serving the executor its continuation is queued on;
    // otherwise the next thread of the cycle.
    std::size_t needed = SIZE_MAX;
    const auto& p = t.records[pending];
    if (p.kind == EventKind::schedule && p.object != 0) {
      for (ThreadIndex th : v.threads)
        if (th < t.threads.size() && t.threads[th].executor == p.object && needed == SIZE_MAX) {
          needed = block_on_thread(th);
        }
    }
    if (needed == SIZE_MAX && !v.threads.empty()) needed = block_on_thread(v.threads[(i + 1) % v.threads.size()]);
    if (needed != SIZE_MAX) {
      h.key[needed] = true;
      std::string who = lane_name(t, t.records[needed].thread);
      h.wait_for.push_back({std::uint32_t(pending), std::uint32_t(needed), Edge::wait_for, "needs " + who});
    }
  }
}

Highlight highlight(const Trace& t, const Violation* v) {
  Highlight h;
  h.key.assign(t.records.size(), false);
  h.involved.assign(t.records.size(), false);
  if (!v || v->kind == ViolationKind::none) return h;
  h.threads.insert(v->threads.begin(), v->threads.end());
  for (auto i : v->records)
    if (i < t.records.size()) h.key[i] = true;
  const std::set<TaskId> tasks(v->tasks.begin(), v->tasks.end());
  for (std::size_t i = 0; i < t.records.size(); ++i) {
    const auto& r = t.records[i];
    if (!tasks.count(r.task)) continue;
    h.involved[i] = true;
    if (v->kind == ViolationKind::lost_exception &&
        (r.kind == EventKind::spawn || is_faulted_complete(r) || r.kind == EventKind::exception_thrown ||
         r.kind == EventKind::exception_dropped))
      h.key[i] = true;
  }
  if (v->kind == ViolationKind::deadlock) add_deadlock_cycle(t, *v, h);
  return h;
}

const char* fill_of(const TraceRecord& r) {
  switch (r.kind) {
    case EventKind::spawn: return "#dbe9f6";
    case EventKind::complete: return r.text ? "#fde0c5" : "#dff3df";
    case EventKind::block:
    case EventKind::mutex_wait:
    case EventKind::channel_wait: return "#fff2b3";
    case EventKind::timer_arm:
    case EventKind::timer_fire: return "#ffe6cc";
    case EventKind::io_submit:
    case EventKind::io_complete: return "#d9f2f5";
    case EventKind::blocking_begin:
    case EventKind::blocking_end: return "#e8dcf0";
    case EventKind::exception_thrown:
    case EventKind::exception_observed:
    case EventKind::exception_dropped:
    case EventKind::misuse: return "#fde0c5";
    default: return "#ffffff";
  }
}

std::string work_kind(ObjectId o) { return o == ObjectId(WorkKind::cpu_work) ? "cpu_work" : "blocking_io"; }

// What happened, in words: the first line of a node.
std::string headline(const TraceRecord& r) {
  std::string task = r.task ? " task " + std::to_string(r.task) : "";
  switch (r.kind) {
    case EventKind::block: return "block_on task " + std::to_string(r.other);
    case EventKind::wake: return "woken";
    case EventKind::complete: return (r.text ? "faulted" : "complete") + task;
    case EventKind::timer_arm: return "timer armed" + task;
    case EventKind::timer_fire: return "timer fired" + task;
    case EventKind::io_submit: return "I/O submit" + task;
    case EventKind::io_complete: return "I/O done" + task;
    case EventKind::blocking_begin: return work_kind(r.object) + " begin" + task;
    case EventKind::blocking_end: return work_kind(r.object) + " end" + task;
    case EventKind::exception_thrown: return "exception thrown" + task;
    case EventKind::exception_observed: return "exception observed" + task;
    case EventKind::exception_dropped: return "exception lost" + task;
    default: return to_string(r.kind) + task;
  }
}

// The second line: the other party and the numbers, already HTML-escaped.
std::string specifics(const Trace& t, const TraceRecord& r) {
  std::string text = html(truncate(text_of(t, r), kLabelTextMax));
  switch (r.kind) {
    case EventKind::spawn: {
      std::string s = "on " + html(t.executor_name(r.object));
      if (r.other) s += ", by task " + std::to_string(r.other);
      if (r.value) s += ", detached";
      return s;
    }
    case EventKind::schedule: return "queued on " + html(t.executor_name(r.object));
    case EventKind::block: return r.task ? "from task " + std::to_string(r.task) : "";
    case EventKind::wake: return r.other ? "task " + std::to_string(r.other) + " done" : "";
    case EventKind::timer_arm:
    case EventKind::timer_fire: return "deadline " + html(format_duration(r.value));
    case EventKind::blocking_begin:
    case EventKind::blocking_end: return "for " + html(format_duration(r.value));
    case EventKind::executor_create: return text;
    case EventKind::mutex_wait:
    case EventKind::mutex_acquire:
    case EventKind::mutex_release: return "mutex #" + std::to_string(r.object);
    case EventKind::channel_wait:
    case EventKind::channel_wake: return "object #" + std::to_string(r.object);
    case EventKind::race_lost: return "lost to task " + std::to_string(r.other);
    case EventKind::probe: {
      std::string s = "latency " + html(format_duration(r.value));
      if (r.other) s += ", deadline " + html(format_duration(Nanos(r.other)));
      return s;
    }
    default: return text;
  }
}

std::string record_label(const Trace& t, const TraceRecord& r) {
  std::string label = "<b>" + html(headline(r)) + "</b>";
  std::string more = specifics(t, r);
  if (!more.empty()) label += "<br/>" + more;
  label += "<br/><font point-size=\"8\">t=" + html(format_duration(r.time)) + " · step " + std::to_string(r.step);
  std::string where = short_site(t.site(r));
  if (!where.empty()) label += " · " + html(where);
  label += "</font>";
  return label;
}

std::string record_tooltip(const Trace& t, const TraceRecord& r) {
  std::string tip = headline(r) + " at t=" + format_duration(r.time) + ", step " + std::to_string(r.step);
  const auto& s = t.site(r);
  if (!s.file.empty()) tip += ", " + s.str();
  if (r.text) tip += ": " + std::string(text_of(t, r));
  return tip;
}

struct Node {
  std::string id;
  std::uint32_t first;  // first and last record shown, and how many records of the lane
  std::uint32_t last;
  std::size_t count;
  std::size_t lane_pos;  // position of `first` in its lane
};

}  // namespace

std::string to_dot(const RenderInput& in) {
  const Trace& t = in.trace;
  const auto& rs = t.records;
  const Violation* v = in.violation && in.violation->kind != ViolationKind::none ? in.violation : nullptr;
  Highlight hl = highlight(t, v);
  std::vector<RecordEdge> hb = happens_before(t);

  // Endpoints of the red edges stay visible.
  std::vector<bool> pinned = hl.key;
  for (const auto& e : hl.wait_for) pinned[e.from] = pinned[e.to] = true;

  std::map<ThreadIndex, std::vector<std::uint32_t>> lanes;  // ordered by thread index
  for (std::size_t i = 0; i < rs.size(); ++i) lanes[rs[i].thread].push_back(std::uint32_t(i));

  // Nodes per lane, and which node shows each record.
  std::vector<std::size_t> node_of(rs.size(), 0);
  std::vector<Node> nodes;
  std::map<ThreadIndex, std::vector<std::size_t>> lane_nodes;
  for (const auto& [lane, idx] : lanes) {
    auto collapsible = [&](std::uint32_t i) { return is_routine(rs[i]) && !pinned[i] && !hl.involved[i]; };
    for (std::size_t k = 0; k < idx.size();) {
      std::size_t end = k;
      while (end < idx.size() && collapsible(idx[end])) ++end;
      if (end - k >= kCollapseMin) {
        nodes.push_back({"c" + std::to_string(idx[k]), idx[k], idx[end - 1], end - k, k});
        for (std::size_t j = k; j < end; ++j) node_of[idx[j]] = nodes.size() - 1;
        lane_nodes[lane].push_back(nodes.size() - 1);
        k = end;
      } else {
        nodes.push_back({"r" + std::to_string(idx[k]), idx[k], idx[k], 1, k});
        node_of[idx[k]] = nodes.size() - 1;
        lane_nodes[lane].push_back(nodes.size() - 1);
        ++k;
      }
    }
  }

  std::string out;
  out += "digraph schedule {\n";
  out += "  graph [rankdir=TB, newrank=true, nodesep=0.3, ranksep=0.35, fontname=\"Helvetica\", labelloc=t, "
         "labeljust=l";
  {
    std::string title = "<b>" + html(in.title.empty() ? std::string("weft schedule") : in.title) + "</b>";
    if (v) {
      title += "<br/><font color=\"red\">" + html(to_string(v->kind)) + ": " + html(truncate(v->message, 160)) +
               " (t=" + html(format_duration(v->time)) + ")</font>";
    }
    out += ", label=<" + title + ">";
  }
  out += "];\n";
  out += "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", fontname=\"Helvetica\", fontsize=10, "
         "margin=\"0.1,0.04\"];\n";
  out += "  edge [fontname=\"Helvetica\", fontsize=8, arrowsize=0.6];\n";

  for (const auto& [lane, ids] : lane_nodes) {
    bool red = hl.threads.count(lane) != 0;
    out += "  subgraph cluster_t" + std::to_string(lane) + " {\n";
    out += "    label=<<b>" + html(lane_name(t, lane)) + "</b>>;\n";
    out += red ? "    color=red; penwidth=2; fontcolor=red; style=rounded;\n"
               : "    color=\"#888888\"; style=rounded;\n";
    for (std::size_t n : ids) {
      const Node& node = nodes[n];
      if (node.count > 1) {
        std::map<EventKind, std::size_t> kinds;
        const auto& idx = lanes.at(lane);
        for (std::size_t k = node.lane_pos; k < node.lane_pos + node.count; ++k) ++kinds[rs[idx[k]].kind];
        std::string what;  // three kinds per line keeps the lane narrow
        std::size_t listed = 0;
        for (const auto& [k, c] : kinds) {
          if (listed) what += listed % 3 ? ", " : "<br/>";
          what += html(to_string(k)) + " ×" + std::to_string(c);
          ++listed;
        }
        const auto& a = rs[node.first];
        const auto& b = rs[node.last];
        std::string when = "t=" + html(format_duration(a.time));
        if (b.time != a.time) when += " – " + html(format_duration(b.time));
        when += a.step == b.step ? " · step " + std::to_string(a.step)
                                 : " · steps " + std::to_string(a.step) + "–" + std::to_string(b.step);
        out += "    " + node.id + " [label=<<i>… " + std::to_string(node.count) + " steps …</i><br/>" + what +
               "<br/><font point-size=\"8\">" + when +
               "</font>>, style=\"rounded,dashed,filled\", fillcolor=\"#f2f2f2\", fontcolor=\"#555555\"];\n";
        continue;
      }
      const TraceRecord& r = rs[node.first];
      out += "    " + node.id + " [label=<" + record_label(t, r) + ">, tooltip=" + quoted(record_tooltip(t, r));
      if (hl.key[node.first])
        out += ", color=red, penwidth=2, fillcolor=\"#ffd0d0\"";
      else {
        out += ", fillcolor=\"" + std::string(fill_of(r)) + "\"";
        if (hl.involved[node.first]) out += ", color=red, penwidth=2";
      }
      out += "];\n";
    }
    // The lane: steps of one thread in order.
    for (std::size_t k = 1; k < ids.size(); ++k)
      out += "    " + nodes[ids[k - 1]].id + " -> " + nodes[ids[k]].id + " [color=\"#aaaaaa\", weight=10];\n";
    out += "  }\n";
  }

  // Rows follow the schedule: each node sits below every node that started before it, in any
  // lane, so reading top to bottom replays the interleaving. (Without this, Graphviz places a
  // node anywhere its edges allow, and a spawn can drift below the steps that came after it.)
  {
    std::vector<std::size_t> by_start(nodes.size());
    for (std::size_t n = 0; n < nodes.size(); ++n) by_start[n] = n;
    std::sort(by_start.begin(), by_start.end(), [&](std::size_t a, std::size_t b) { return nodes[a].first < nodes[b].first; });
    for (std::size_t k = 1; k < by_start.size(); ++k) {
      const Node& a = nodes[by_start[k - 1]];
      const Node& b = nodes[by_start[k]];
      if (rs[a.first].thread != rs[b.first].thread) out += "  " + a.id + " -> " + b.id + " [style=invis];\n";
    }
  }

  // Happens-before across lanes, merged when collapsing maps several onto one pair of nodes.
  std::vector<std::tuple<std::size_t, std::size_t, Edge>> order;
  std::map<std::tuple<std::size_t, std::size_t, Edge>, std::size_t> merged;
  for (const auto& e : hb) {
    std::size_t a = node_of[e.from], b = node_of[e.to];
    if (a == b) continue;
    auto key = std::make_tuple(a, b, e.kind);
    if (merged[key]++ == 0) order.push_back(key);
  }
  for (const auto& key : order) {
    auto [a, b, kind] = key;
    EdgeStyle s = style_of(kind);
    std::string label = s.label;
    if (merged[key] > 1) label += " ×" + std::to_string(merged[key]);
    bool red = kind == Edge::exception && (hl.involved[nodes[a].first] || hl.key[nodes[a].first]);
    // Collapsing can make an edge point into a run that started earlier: draw it, do not rank by it.
    bool backwards = nodes[b].first < nodes[a].first;
    out += "  " + nodes[a].id + " -> " + nodes[b].id + " [color=\"" + (red ? std::string("red") : s.color) +
           "\", fontcolor=\"" + (red ? std::string("red") : s.color) + "\", label=" + quoted(label) + s.extra +
           (red ? ", penwidth=2" : "") + (backwards ? ", constraint=false" : "") + "];\n";
  }
  for (const auto& e : hl.wait_for) {
    EdgeStyle s = style_of(e.kind);
    out += "  " + nodes[node_of[e.from]].id + " -> " + nodes[node_of[e.to]].id + " [color=\"" + s.color +
           "\", fontcolor=\"" + s.color + "\", label=<<b>" + html(e.label) + "</b>>" + s.extra + "];\n";
  }
  out += "}\n";
  return out;
}

}  // namespace weft::render
