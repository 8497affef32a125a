// The execution as a Chrome trace-event timeline (opens in Perfetto and chrome://tracing).
// Format: https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU
#include <cstdio>
#include <set>
#include <vector>

#include "model.hpp"
#include "weft/render/render.hpp"

namespace weft::render {

namespace {

using trace::Trace;
using trace::TraceRecord;

constexpr int kPid = 1;


// Virtual nanoseconds as trace-event microseconds, exactly: "2000000.000".
std::string micros(Nanos ns) {
  std::string sign = ns < 0 ? "-" : "";
  std::uint64_t v = ns < 0 ? std::uint64_t(0) - std::uint64_t(ns) : std::uint64_t(ns);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%llu.%03llu", static_cast<unsigned long long>(v / 1000),
                static_cast<unsigned long long>(v % 1000));
  return sign + buf;
}

std::string site_str(const Trace& t, std::uint32_t site) {
  if (site == 0 || site >= t.sites.size()) return "";
  return relative_path(t.sites[site].file) + ":" + std::to_string(t.sites[site].line);
}

std::string_view text_of(const Trace& t, const TraceRecord& r) {
  return r.text < t.strings.size() ? std::string_view(t.strings[r.text]) : std::string_view();
}

// What opens a slice on a thread and what closes it.
enum class Slice : std::uint8_t { none, run, blocking, block_on };

Slice opens(const TraceRecord& r) {
  switch (r.kind) {
    case EventKind::resume: return Slice::run;
    case EventKind::blocking_begin: return Slice::blocking;
    case EventKind::block: return Slice::block_on;
    default: return Slice::none;
  }
}

Slice closes(const TraceRecord& r) {
  switch (r.kind) {
    case EventKind::suspend: return Slice::run;
    case EventKind::blocking_end: return Slice::blocking;
    case EventKind::wake: return Slice::block_on;
    default: return Slice::none;
  }
}

// The record that closes it: the same task (for block_on: the same awaited task).
bool matches(const TraceRecord& open, const TraceRecord& close) {
  if (opens(open) != closes(close)) return false;
  if (open.kind == EventKind::block) return open.other == close.other;
  return open.task == close.task;
}

struct Args {
  std::string body;
  void add(const char* key, const std::string& json_value) {
    body += body.empty() ? "" : ",";
    body += '"';
    body += key;
    body += "\":" + json_value;
  }
  void num(const char* key, std::int64_t v) { add(key, std::to_string(v)); }
  void str(const char* key, std::string_view v) { add(key, json_string(v)); }
};

Args args_of(const detail::Model& m, const TraceRecord& r) {
  const Trace& t = m.t;
  Args a;
  a.str("kind", to_string(r.kind));
  a.num("step", r.step);
  if (r.task) a.num("task", r.task), a.str("task_name", m.task(r.task));
  if (r.other) a.num("other", r.other);
  if (r.object) a.num("object", r.object);
  if (r.object && detail::is_sync(r)) a.str("object_name", m.object(r.object));
  if (r.value) a.num("value", r.value);
  std::string site = site_str(t, r.site);
  if (!site.empty()) a.str("site", site);
  if (r.text) a.str("text", text_of(t, r));
  return a;
}

std::string slice_name(const detail::Model& m, const TraceRecord& open) {
  const Trace& t = m.t;
  switch (opens(open)) {
    case Slice::run: {
      std::string name = m.task(open.task);
      if (const auto* info = t.task(open.task); info && info->site) name += " (" + site_str(t, info->site) + ")";
      return name;
    }
    case Slice::blocking:
      return (open.object == ObjectId(WorkKind::cpu_work) ? "cpu_work " : "blocking_io ") + format_duration(open.value);
    case Slice::block_on: return "block_on " + m.task(open.other);
    case Slice::none: break;
  }
  return to_string(open.kind);
}

const char* category(const TraceRecord& r) {
  switch (opens(r)) {
    case Slice::run: return "task";
    case Slice::blocking: return "blocking";
    case Slice::block_on: return "block_on";
    case Slice::none: break;
  }
  return "event";
}

}  // namespace

std::string to_chrome_json(const RenderInput& in) {
  const Trace& t = in.trace;
  const auto& rs = t.records;
  const Violation* v = in.violation && in.violation->kind != ViolationKind::none ? in.violation : nullptr;
  const detail::Model model = detail::build_model(t, v, true);
  std::set<TaskId> red_tasks;
  std::set<std::uint32_t> red_records;
  if (v) {
    red_tasks.insert(v->tasks.begin(), v->tasks.end());
    red_records.insert(v->records.begin(), v->records.end());
  }

  // Pair openers with closers per thread. Slices nest; closing one closes what was opened
  // inside it (truncated there), so the timeline stays well nested.
  constexpr std::size_t kOpen = SIZE_MAX;
  std::vector<std::size_t> close_of(rs.size(), kOpen);
  std::vector<bool> consumed(rs.size(), false);  // closers that ended a slice
  std::vector<std::vector<std::size_t>> stacks;
  for (std::size_t i = 0; i < rs.size(); ++i) {
    const auto& r = rs[i];
    if (stacks.size() <= r.thread) stacks.resize(r.thread + 1u);
    auto& st = stacks[r.thread];
    if (opens(r) != Slice::none) {
      st.push_back(i);
    } else if (closes(r) != Slice::none) {
      for (std::size_t k = st.size(); k-- > 0;) {
        if (!matches(rs[st[k]], r)) continue;
        for (std::size_t j = k; j < st.size(); ++j) close_of[st[j]] = i;
        st.resize(k);
        consumed[i] = true;
        break;
      }
    }
  }
  const Nanos end_time = rs.empty() ? 0 : rs.back().time;

  std::string out = "{\"traceEvents\":[\n";
  bool first = true;
  auto emit = [&](const std::string& ev) {
    out += first ? "" : ",\n";
    out += ev;
    first = false;
  };
  auto head = [](const char* ph, std::size_t tid) {
    return std::string("{\"ph\":\"") + ph + "\",\"pid\":" + std::to_string(kPid) + ",\"tid\":" + std::to_string(tid);
  };

  emit(head("M", 0) + ",\"name\":\"process_name\",\"args\":{\"name\":" +
       json_string(in.title.empty() ? std::string("weft") : in.title) + "}}");
  std::set<std::size_t> tids;
  for (std::size_t i = 0; i < t.threads.size(); ++i) tids.insert(i);
  for (const auto& r : rs) tids.insert(r.thread);
  for (std::size_t tid : tids) {
    std::string name = tid < t.threads.size() ? t.threads[tid].name : "thread " + std::to_string(tid);
    emit(head("M", tid) + ",\"name\":\"thread_name\",\"args\":{\"name\":" + json_string(name) + "}}");
    emit(head("M", tid) + ",\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":" + std::to_string(tid) + "}}");
  }

  for (std::size_t i = 0; i < rs.size(); ++i) {
    const auto& r = rs[i];
    if (consumed[i]) continue;  // shown as the end of its slice
    bool red = red_records.count(std::uint32_t(i)) || (r.task && red_tasks.count(r.task));
    Args a = args_of(model, r);
    std::string ev;
    if (opens(r) != Slice::none) {
      std::size_t c = close_of[i];
      Nanos end = c == kOpen ? end_time : rs[c].time;
      if (c == kOpen) a.add("unfinished", "true");
      else a.num("end_step", rs[c].step);
      ev = head("X", r.thread) + ",\"name\":" + json_string(slice_name(model, r)) + ",\"cat\":\"" + category(r) +
           "\",\"ts\":" + micros(r.time) + ",\"dur\":" + micros(end - r.time);
    } else {
      // Named as people read it ("lock mutex \"cache\"", "timer armed load_profile"); the record
      // kind is in args.kind.
      ev = head("i", r.thread) + ",\"s\":\"t\",\"name\":" + json_string(model.headline(r)) + ",\"cat\":\"event\",\"ts\":" +
           micros(r.time);
    }
    if (red) ev += ",\"cname\":\"terrible\"";
    ev += ",\"args\":{" + a.body + "}}";
    emit(ev);
  }

  // Flow arrows along happens-before (spawn -> run, continuation queued -> resumed, task done ->
  // waiter woken, timer armed -> fired, I/O submitted -> completed, unlock -> lock): a task that
  // hops between threads stays linked. Each binds to the slice enclosing its end point.
  {
    std::uint64_t id = 0;
    for (const auto& e : model.hb) {
      const auto& a = rs[e.from];
      const auto& b = rs[e.to];
      const char* name = "flow";
      switch (e.kind) {
        case detail::Edge::spawn: name = "spawn"; break;
        case detail::Edge::queued: name = "resume"; break;
        case detail::Edge::done: name = "wake"; break;
        case detail::Edge::timer: name = "timer"; break;
        case detail::Edge::io: name = "I/O"; break;
        case detail::Edge::mutex: name = "unlock"; break;
        case detail::Edge::exception: name = "exception"; break;
        case detail::Edge::permit: name = "permit"; break;
        case detail::Edge::message: name = "message"; break;
        case detail::Edge::reads: name = "read by"; break;
        default: break;
      }
      ++id;
      emit(head("s", a.thread) + ",\"name\":\"" + name + "\",\"cat\":\"flow\",\"id\":" + std::to_string(id) +
           ",\"ts\":" + micros(a.time) + ",\"args\":{}}");
      emit(head("f", b.thread) + ",\"bp\":\"e\",\"name\":\"" + name + "\",\"cat\":\"flow\",\"id\":" +
           std::to_string(id) + ",\"ts\":" + micros(b.time) + ",\"args\":{}}");
    }
  }

  if (v) {
    Args a;
    a.str("kind", to_string(v->kind));
    a.str("message", detail::message_without_kind(*v));
    if (!v->detail.empty()) a.str("detail", detail::relative_text(v->detail));
    emit(head("i", 0) + ",\"s\":\"g\",\"name\":" + json_string(detail::violation_line(*v)) +
         ",\"cat\":\"violation\",\"ts\":" + micros(v->time) + ",\"cname\":\"terrible\",\"args\":{" + a.body + "}}");
  }

  out += "\n],\"displayTimeUnit\":\"ns\"";
  {
    Args meta;
    meta.str("title", in.title);
    if (!in.replay_command.empty()) meta.str("replay", in.replay_command);
    if (v) meta.str("violation", to_string(v->kind));
    meta.num("weft_trace_schema", trace::kTraceSchema);
    out += ",\"otherData\":{" + meta.body + "}";
  }
  out += "}\n";
  return out;
}

// A JSON string literal. Besides what JSON requires (quote, backslash, controls), <, > and &
// are escaped so the text stays inert if the JSON is ever embedded in an HTML page, and
// U+2028/U+2029 so it stays valid JavaScript.
std::string json_string(std::string_view s) {
  std::string in = detail::sanitize_utf8(s);
  std::string out = "\"";
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '<': out += "\\u003c"; break;
      case '>': out += "\\u003e"; break;
      case '&': out += "\\u0026"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
          out += buf;
        } else if (c == '\xE2' && i + 2 < in.size() && in[i + 1] == '\x80' && (in[i + 2] == '\xA8' || in[i + 2] == '\xA9')) {
          out += in[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
          i += 2;
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace weft::render
