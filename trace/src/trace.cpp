#include "weft/trace/trace.hpp"

#include <algorithm>
#include <cstdio>
#include <string_view>

#include "weft/detail/hash.hpp"
#include "weft/trace/compare.hpp"

namespace weft::trace {

namespace {

using weft::detail::Fnv1a;

}  // namespace

void append_quoted(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}


std::string schema_line() { return "weft-trace schema " + std::to_string(kTraceSchema); }

std::string Trace::executor_name(ObjectId id) const {
  if (id == 0) return "none";
  for (const auto& e : executors)
    if (e.id == id) return e.name;
  return "executor#" + std::to_string(id);
}

const ObjectInfo* Trace::object(ObjectId id) const {
  for (const auto& o : objects)
    if (o.id == id) return &o;
  return nullptr;
}

std::string Trace::object_name(ObjectId id) const {
  const ObjectInfo* o = object(id);
  if (o && !o->name.empty()) return o->name;
  return std::string(to_string(o ? o->kind : ObjectKind::other)) + " #" + std::to_string(id);
}

std::string Trace::task_name(TaskId id) const {
  const TaskInfo* t = task(id);
  if (t && !t->name.empty()) return t->name;
  return "task " + std::to_string(id);
}

std::string Trace::task_label(TaskId id) const {
  std::string s = "task " + std::to_string(id);
  const TaskInfo* t = task(id);
  if (t && !t->name.empty()) s += " \"" + t->name + "\"";
  return s;
}

std::string Trace::object_label(ObjectId id, std::string_view kind) const {
  const ObjectInfo* o = object(id);
  std::string s = std::string(o && o->kind != ObjectKind::other ? std::string_view(to_string(o->kind)) : kind) + " #" +
                  std::to_string(id);
  if (o && !o->name.empty()) s += " \"" + o->name + "\"";
  return s;
}

// Linear search: sites are source locations (a few hundred at most). A hash index would
// need a member in the header; the vectors are the whole state on purpose (copyable data).
std::uint32_t Trace::intern_site(const char* file, std::uint32_t line) {
  if ((file == nullptr || *file == '\0') && line == 0) return 0;
  std::string_view f = file ? file : "";
  for (std::size_t i = sites.size(); i-- > 1;)
    if (sites[i].line == line && sites[i].file == f) return std::uint32_t(i);
  sites.push_back(SourceSite{std::string(f), line});
  return std::uint32_t(sites.size() - 1);
}

std::uint32_t Trace::intern_text(std::string_view s) {
  if (s.empty()) return 0;
  // Newest first: a repeated message is usually a recent one.
  for (std::size_t i = strings.size(); i-- > 1;)
    if (strings[i] == s) return std::uint32_t(i);
  strings.emplace_back(s);
  return std::uint32_t(strings.size() - 1);
}

void Trace::clear() {
  records.clear();
  // [0] (the empty text, no site) is kept, not rebuilt: most executions intern little.
  if (strings.empty()) strings.emplace_back();
  strings.resize(1);
  strings[0].clear();
  if (sites.empty()) sites.emplace_back();
  sites.resize(1);
  sites[0].file.clear();
  sites[0].line = 0;
  threads.clear();
  tasks.clear();
  executors.clear();
  objects.clear();
}

// Hashes contents, not indices into the tables, and never a pointer: two traces that
// describe the same execution hash equal even if their tables were filled differently.
std::uint64_t Trace::hash() const {
  Fnv1a h;
  auto site_hash = [&h](const SourceSite& s) {
    h.str(weft::detail::hashed_file(s.file));
    h.u64(s.line);
  };
  h.u64(records.size());
  for (const auto& r : records) {
    // What schema 2 put on thread_start (executor, serves) is hashed with the threads table
    // below, the executor a thread serves, as schema 1 hashed it: the hash of an execution
    // is the same under both schemas, and the tokens and schedule files saved with schema-1
    // hashes stay valid (kTraceHashSchema).
    const bool start = r.kind == EventKind::thread_start;
    h.u64(std::uint64_t(r.time));
    h.u64(r.step);
    h.u64(r.thread);
    h.u64(std::uint64_t(r.kind));
    h.u64(r.task);
    h.u64(start ? 0 : r.other);
    h.u64(start ? 0 : r.object);
    h.u64(std::uint64_t(r.value));
    site_hash(site(r));
    h.str(r.text < strings.size() ? std::string_view(strings[r.text]) : std::string_view());
  }
  h.u64(threads.size());
  for (const auto& t : threads) {
    h.str(t.name);
    h.u64(t.executor);
  }
  h.u64(tasks.size());
  for (const auto& t : tasks) {
    h.u64(t.id);
    h.u64(t.parent);
    site_hash(site_at(t.site));
    h.u64(t.executor);
    h.u64(t.stable_key);
    h.u64(t.detached);
  }
  h.u64(executors.size());
  for (const auto& e : executors) {
    h.u64(e.id);
    h.str(e.name);
  }
  return h.value();
}

namespace {
bool same_site(const SourceSite& a, const SourceSite& b) {
  return a.line == b.line && weft::detail::hashed_file(a.file) == weft::detail::hashed_file(b.file);
}
std::string_view text_of(const Trace& t, const TraceRecord& r) {
  return r.text < t.strings.size() ? std::string_view(t.strings[r.text]) : std::string_view();
}

}  // namespace

bool same_record(const Trace& a, const TraceRecord& x, const Trace& b, const TraceRecord& y) {
  return x.time == y.time && x.step == y.step && x.thread == y.thread && x.kind == y.kind && x.task == y.task &&
         x.other == y.other && x.object == y.object && x.value == y.value && same_site(a.site(x), b.site(y)) &&
         text_of(a, x) == text_of(b, y);
}

std::size_t first_difference(const Trace& a, const Trace& b) {
  const std::size_t n = std::min(a.records.size(), b.records.size());
  std::size_t i = 0;
  while (i < n && same_record(a, a.records[i], b, b.records[i])) ++i;
  return i;
}

// What Trace::hash() reads, compared instead of hashed: kept beside it so the two field
// lists change together.
bool same_content(const Trace& a, const Trace& b) {
  if (a.records.size() != b.records.size() || a.threads.size() != b.threads.size() ||
      a.tasks.size() != b.tasks.size() || a.executors.size() != b.executors.size())
    return false;
  if (first_difference(a, b) != a.records.size()) return false;
  for (std::size_t i = 0; i < a.threads.size(); ++i)
    if (a.threads[i].name != b.threads[i].name || a.threads[i].executor != b.threads[i].executor) return false;
  for (std::size_t i = 0; i < a.tasks.size(); ++i) {
    const TaskInfo& x = a.tasks[i];
    const TaskInfo& y = b.tasks[i];
    if (x.id != y.id || x.parent != y.parent || !same_site(a.site_at(x.site), b.site_at(y.site)) ||
        x.executor != y.executor || x.stable_key != y.stable_key || x.detached != y.detached)
      return false;
  }
  for (std::size_t i = 0; i < a.executors.size(); ++i)
    if (a.executors[i].id != b.executors[i].id || a.executors[i].name != b.executors[i].name) return false;
  return true;
}


std::string Trace::dump() const {
  std::string out;
  out.reserve(records.size() * 64);
  for (const auto& r : records) {
    out += "t=" + std::to_string(r.time);
    out += " s=" + std::to_string(r.step);
    out += " th=";
    std::string name = thread_name(r.thread);
    bool plain = !name.empty();
    for (char c : name) plain = plain && static_cast<unsigned char>(c) > 0x20 && c != '"' && c != 0x7f;
    if (plain)
      out += name;
    else
      append_quoted(out, name);  // a name with spaces or newlines must not break the line format
    out += ' ';
    out += to_string(r.kind);
    out += " task=" + std::to_string(r.task);
    if (r.other) out += " other=" + std::to_string(r.other);
    if (r.object) out += " object=" + std::to_string(r.object);
    if (r.value) out += " value=" + std::to_string(r.value);
    if (r.site && r.site < sites.size()) out += " at=" + sites[r.site].str();
    if (r.text && r.text < strings.size()) {
      out += " text=";
      append_quoted(out, strings[r.text]);
    }
    out += '\n';
  }
  return out;
}

}  // namespace weft::trace
