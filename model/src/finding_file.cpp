#include "weft/model/finding_file.hpp"

#include <cstdio>
#include <cstring>

namespace weft::model {

namespace {

void put_string(std::string& out, std::string_view s) {
  out += ' ';
  trace::append_quoted(out, s);
}

void put_u(std::string& out, std::uint64_t v) { out += ' ' + std::to_string(v); }
void put_i(std::string& out, std::int64_t v) { out += ' ' + std::to_string(v); }

// One line split into its keyword and its fields (quoted strings unescaped, bare words as is).
struct Line {
  std::string keyword;
  std::vector<std::string> fields;
  std::vector<bool> quoted;
};

bool split(std::string_view line, Line& out, std::string& error) {
  std::size_t i = 0;
  auto skip = [&] {
    while (i < line.size() && line[i] == ' ') ++i;
  };
  skip();
  while (i < line.size() && line[i] != ' ') out.keyword += line[i++];
  for (skip(); i < line.size(); skip()) {
    std::string f;
    if (line[i] == '"') {
      ++i;
      bool closed = false;
      while (i < line.size()) {
        char c = line[i++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c != '\\') {
          f += c;
          continue;
        }
        if (i >= line.size()) break;
        char e = line[i++];
        if (e == 'n') f += '\n';
        else if (e == 'r') f += '\r';
        else if (e == 't') f += '\t';
        else if (e == '"' || e == '\\') f += e;
        else if (e == 'x' && i + 2 <= line.size()) {
          auto hex = [](char h) {
            return h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
          };
          int hi = hex(line[i]), lo = hex(line[i + 1]);
          if (hi < 0 || lo < 0) {
            error = "bad \\x escape";
            return false;
          }
          f += char(hi * 16 + lo);
          i += 2;
        } else {
          error = "bad escape";
          return false;
        }
      }
      if (!closed) {
        error = "unterminated string";
        return false;
      }
      out.fields.push_back(std::move(f));
      out.quoted.push_back(true);
    } else {
      while (i < line.size() && line[i] != ' ') f += line[i++];
      out.fields.push_back(std::move(f));
      out.quoted.push_back(false);
    }
  }
  return true;
}

bool to_u64(const std::string& s, std::uint64_t& v, int base = 10) {
  if (s.empty() || s.size() > 20) return false;
  v = 0;
  for (char c : s) {
    int d = c >= '0' && c <= '9' ? c - '0' : base == 16 && c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return false;
    std::uint64_t next = v * std::uint64_t(base) + std::uint64_t(d);
    if (next / std::uint64_t(base) != v && v != 0) return false;
    v = next;
  }
  return true;
}

bool to_i64(const std::string& s, std::int64_t& v) {
  std::uint64_t u = 0;
  if (!s.empty() && s[0] == '-') {
    if (!to_u64(s.substr(1), u) || u > std::uint64_t(INT64_MAX) + 1) return false;
    v = std::int64_t(0 - u);
    return true;
  }
  if (!to_u64(s, u) || u > std::uint64_t(INT64_MAX)) return false;
  v = std::int64_t(u);
  return true;
}

// Schema 1 kept a thread's executor in the threads table only: its thread_start records get
// it (the executor the thread serves; it serves it). From schema 2 the records say it, and
// the table's attachment (not written in the file) comes from them.
void migrate_thread_starts(sim::Trace& t, std::uint64_t schema) {
  for (auto& r : t.records) {
    if (r.kind != EventKind::thread_start || std::uint64_t(r.value) >= t.threads.size()) continue;
    sim::ThreadInfo& th = t.threads[std::size_t(r.value)];
    if (schema < 2) {
      r.object = th.executor;
      r.other = th.executor ? 1 : 0;
    } else {
      th.attached = r.object;
    }
  }
}

bool known_event_kind(std::uint64_t k) {
  return k <= 255 && std::strcmp(to_string(EventKind(k)), "?") != 0;
}

}  // namespace

std::string to_finding_file(const RecordedFinding& f) {
  std::string out = "weft-finding 2\ntrace-schema " + std::to_string(trace::kTraceSchema) + "\n";
  out += "name";
  put_string(out, f.name);
  out += "\nreplay";
  put_string(out, f.replay_command);
  char hash[20];
  std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(f.trace_hash));
  out += "\ntrace-hash " + std::string(hash) + "\nend-time " + std::to_string(f.end_time) + "\n";
  for (const Violation& v : f.violations) {
    out += "violation ";
    out += to_string(v.kind);
    out += v.severity == Severity::error ? " error" : " warning";
    put_i(out, v.time);
    put_string(out, v.message);
    put_string(out, v.detail);
    out += "\nviolation-threads";
    for (auto t : v.threads) put_u(out, t);
    out += "\nviolation-tasks";
    for (auto t : v.tasks) put_u(out, t);
    out += "\nviolation-locations";
    for (const auto& l : v.locations) put_string(out, l);
    out += "\nviolation-records";
    for (auto r : v.records) put_u(out, r);
    out += '\n';
  }
  const sim::Trace& t = f.trace;
  for (std::size_t i = 1; i < t.strings.size(); ++i) {
    out += "string";
    put_string(out, t.strings[i]);
    out += '\n';
  }
  for (std::size_t i = 1; i < t.sites.size(); ++i) {
    out += "site";
    put_string(out, t.sites[i].file);
    put_u(out, t.sites[i].line);
    out += '\n';
  }
  for (const auto& th : t.threads) {
    out += "thread";
    put_string(out, th.name);
    put_u(out, th.executor);
    out += '\n';
  }
  for (const auto& task : t.tasks) {
    out += "task";
    for (std::uint64_t v : {std::uint64_t(task.id), std::uint64_t(task.parent), std::uint64_t(task.site),
                            std::uint64_t(task.executor), task.stable_key, std::uint64_t(task.detached)})
      put_u(out, v);
    out += '\n';
  }
  for (const auto& e : t.executors) {
    out += "executor";
    put_u(out, e.id);
    put_string(out, e.name);
    out += '\n';
  }
  for (const auto& r : t.records) {
    out += "record";
    put_i(out, r.time);
    for (std::uint64_t v : {std::uint64_t(r.step), std::uint64_t(r.thread), std::uint64_t(r.kind), std::uint64_t(r.task),
                            std::uint64_t(r.other), std::uint64_t(r.object)})
      put_u(out, v);
    put_i(out, r.value);
    put_u(out, r.site);
    put_u(out, r.text);
    out += '\n';
  }
  return out;
}

std::optional<RecordedFinding> parse_finding_file(std::string_view text, std::string& error) {
  RecordedFinding f;
  std::size_t line_no = 0;
  bool header = false;
  bool schema_due = false;  // version 2: the trace-schema line comes next
  std::uint64_t schema = 1;  // version 1 files are schema 1
  auto fail = [&](const std::string& why) {
    error = "finding file line " + std::to_string(line_no) + ": " + why;
    return std::nullopt;
  };
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    if (raw.empty()) continue;
    if (!header) {
      if (raw != "weft-finding 1" && raw != "weft-finding 2")
        return fail("expected \"weft-finding 1\" or 2 (not a finding file, or a newer version)");
      header = true;
      schema_due = raw == "weft-finding 2";
      continue;
    }
    if (schema_due) {
      constexpr std::string_view key = "trace-schema ";
      schema = 0;
      if (raw.substr(0, key.size()) != key || !to_u64(std::string(raw.substr(key.size())), schema) || schema == 0)
        return fail("expected \"trace-schema <n>\" after \"weft-finding 2\"");
      if (schema > trace::kTraceSchema)
        return fail("trace schema " + std::to_string(schema) + " is newer than this weft reads (" +
                    std::to_string(trace::kTraceSchema) + ")");
      schema_due = false;
      continue;
    }
    Line l;
    std::string why;
    if (!split(raw, l, why)) return fail(why);
    const auto& a = l.fields;
    auto n = [&](std::size_t count) { return a.size() == count; };
    auto u = [&](std::size_t i, std::uint64_t max, std::uint64_t& v) { return !l.quoted[i] && to_u64(a[i], v) && v <= max; };
    auto s = [&](std::size_t i) { return l.quoted[i]; };
    if (l.keyword == "name" && n(1) && s(0)) {
      f.name = a[0];
    } else if (l.keyword == "replay" && n(1) && s(0)) {
      f.replay_command = a[0];
    } else if (l.keyword == "trace-hash" && n(1)) {
      if (!to_u64(a[0], f.trace_hash, 16)) return fail("bad trace hash");
    } else if (l.keyword == "end-time" && n(1)) {
      if (!to_i64(a[0], f.end_time)) return fail("bad end time");
    } else if (l.keyword == "violation" && n(5) && s(3) && s(4)) {
      Violation v;
      if (!parse_violation_kind(a[0], v.kind)) return fail("unknown violation kind '" + a[0] + "'");
      if (a[1] != "error" && a[1] != "warning") return fail("severity must be error or warning");
      v.severity = a[1] == "error" ? Severity::error : Severity::warning;
      if (!to_i64(a[2], v.time)) return fail("bad violation time");
      v.message = a[3];
      v.detail = a[4];
      f.violations.push_back(std::move(v));
    } else if (l.keyword.rfind("violation-", 0) == 0) {
      if (f.violations.empty()) return fail(l.keyword + " before any violation");
      Violation& v = f.violations.back();
      for (std::size_t i = 0; i < a.size(); ++i) {
        std::uint64_t x = 0;
        if (l.keyword == "violation-locations") {
          if (!s(i)) return fail("locations are quoted strings");
          v.locations.push_back(a[i]);
        } else if (l.keyword == "violation-threads" && u(i, UINT16_MAX, x)) {
          v.threads.push_back(std::uint16_t(x));
        } else if (l.keyword == "violation-tasks" && u(i, UINT32_MAX, x)) {
          v.tasks.push_back(TaskId(x));
        } else if (l.keyword == "violation-records" && u(i, UINT32_MAX, x)) {
          v.records.push_back(std::uint32_t(x));
        } else {
          return fail("bad " + l.keyword + " line");
        }
      }
    } else if (l.keyword == "string" && n(1) && s(0)) {
      f.trace.strings.push_back(a[0]);
    } else if (l.keyword == "site" && n(2) && s(0)) {
      std::uint64_t line = 0;
      if (!u(1, UINT32_MAX, line)) return fail("bad site line");
      f.trace.sites.push_back(sim::SourceSite{a[0], std::uint32_t(line)});
    } else if (l.keyword == "thread" && n(2) && s(0)) {
      std::uint64_t ex = 0;
      if (!u(1, UINT32_MAX, ex)) return fail("bad thread executor");
      f.trace.threads.push_back(sim::ThreadInfo{a[0], ObjectId(ex), ObjectId(ex)});
    } else if (l.keyword == "task" && n(6)) {
      std::uint64_t v[6];
      for (std::size_t i = 0; i < 6; ++i)
        if (!u(i, i == 4 ? UINT64_MAX : i == 5 ? 1 : UINT32_MAX, v[i])) return fail("bad task line");
      f.trace.tasks.push_back(sim::TaskInfo{TaskId(v[0]), TaskId(v[1]), std::uint32_t(v[2]), ObjectId(v[3]), v[4], v[5] != 0, {}});
    } else if (l.keyword == "executor" && n(2) && s(1)) {
      std::uint64_t id = 0;
      if (!u(0, UINT32_MAX, id)) return fail("bad executor id");
      f.trace.executors.push_back(sim::ExecutorInfo{ObjectId(id), a[1]});
    } else if (l.keyword == "record" && n(10)) {
      sim::TraceRecord r;
      std::uint64_t v[10] = {};
      if (!to_i64(a[0], r.time) || !to_i64(a[7], r.value)) return fail("bad record time or value");
      const std::uint64_t max[10] = {0, UINT32_MAX, UINT16_MAX, 255, UINT32_MAX, UINT32_MAX, UINT32_MAX, 0, UINT32_MAX, UINT32_MAX};
      for (std::size_t i : {1, 2, 3, 4, 5, 6, 8, 9})
        if (!u(i, max[i], v[i])) return fail("bad record line");
      if (!known_event_kind(v[3])) return fail("unknown event kind " + std::to_string(v[3]) + " (written by a newer weft?)");
      r.step = std::uint32_t(v[1]);
      r.thread = sim::ThreadIndex(v[2]);
      r.kind = EventKind(v[3]);
      r.task = TaskId(v[4]);
      r.other = TaskId(v[5]);
      r.object = ObjectId(v[6]);
      r.site = std::uint32_t(v[8]);
      r.text = std::uint32_t(v[9]);
      f.trace.records.push_back(r);
    } else {
      return fail("unexpected line '" + std::string(raw.substr(0, 40)) + "'");
    }
  }
  if (!header) {
    error = "finding file: empty";
    return std::nullopt;
  }
  if (schema_due) {
    error = "finding file: no \"trace-schema <n>\" line after \"weft-finding 2\"";
    return std::nullopt;
  }
  // Every index the renderers follow must point into this trace.
  for (const auto& r : f.trace.records)
    if (r.site >= f.trace.sites.size() || r.text >= f.trace.strings.size() || r.thread >= f.trace.threads.size()) {
      error = "finding file: a record points past the sites, strings or threads it lists";
      return std::nullopt;
    }
  for (const auto& t : f.trace.tasks)
    if (t.site >= f.trace.sites.size()) {
      error = "finding file: a task points past the sites it lists";
      return std::nullopt;
    }
  migrate_thread_starts(f.trace, schema);
  for (const auto& v : f.violations)
    for (auto r : v.records)
      if (r >= f.trace.records.size()) {
        error = "finding file: a violation highlights a record the trace does not have";
        return std::nullopt;
      }
  // Names are facts of the records (the spawn text, object_create): derived, not stored twice.
  for (const auto& r : f.trace.records) {
    if (r.kind == EventKind::spawn && r.text && r.task && r.task <= f.trace.tasks.size())
      f.trace.tasks[r.task - 1].name = f.trace.strings[r.text];
    if (r.kind == EventKind::object_create) {
      auto kind = r.value >= 0 && r.value <= std::int64_t(ObjectKind::variable) ? ObjectKind(r.value) : ObjectKind::other;
      f.trace.objects.push_back(sim::ObjectInfo{r.object, kind, f.trace.strings[r.text], r.site});
    }
  }
  return f;
}

}  // namespace weft::model
