// Trace lookups shared by the built-in properties (see common.hpp).
#include "common.hpp"

#include <algorithm>

namespace weft::properties::detail {

std::string site_str(const trace::Trace& t, std::uint32_t site) {
  if (site == 0 || site >= t.sites.size()) return "";
  return t.sites[site].str();
}

std::string spawn_site(const trace::Trace& t, TaskId id) {
  const trace::TaskInfo* ti = t.task(id);
  return ti ? site_str(t, ti->site) : "";
}

std::string describe_task(const trace::Trace& t, TaskId id) {
  std::string s = "task " + std::to_string(id);
  const trace::TaskInfo* ti = t.task(id);
  if (!ti) return s;
  if (!ti->name.empty()) s += " \"" + ti->name + "\"";
  std::string where = site_str(t, ti->site);
  if (!where.empty() || ti->executor) {
    s += " (";
    if (!where.empty()) s += "spawned at " + where;
    if (ti->executor) s += std::string(where.empty() ? "" : " ") + "on " + t.executor_name(ti->executor);
    s += ")";
  }
  return s;
}

std::string format_ms(Nanos d) {
  bool neg = d < 0;
  std::uint64_t v = neg ? std::uint64_t(-d) : std::uint64_t(d);
  std::uint64_t whole = v / 1000000, frac = (v % 1000000) / 1000;
  std::string f = std::to_string(frac);
  f.insert(0, 3 - f.size(), '0');
  return (neg ? "-" : "") + std::to_string(whole) + "." + f + " ms";
}

std::vector<trace::ThreadIndex> threads_of(const trace::Trace& t, ObjectId e) {
  std::vector<trace::ThreadIndex> out;
  if (e == 0) return out;
  for (std::size_t i = 0; i < t.threads.size(); ++i)
    if (t.threads[i].executor == e) out.push_back(trace::ThreadIndex(i));
  return out;
}

bool descends_from(const trace::Trace& t, TaskId id, TaskId ancestor) {
  if (ancestor == 0) return id != 0;  // every task descends from the body
  std::size_t guard = t.tasks.size() + 1;
  for (const trace::TaskInfo* ti = t.task(id); ti && guard--; ti = t.task(ti->parent)) {
    if (ti->parent == ancestor) return true;
    if (ti->parent == 0) return false;
  }
  return false;
}

Violation violation_at(const trace::Trace& t, std::uint32_t index, ViolationKind kind) {
  const trace::TraceRecord& r = t.records[index];
  Violation v;
  v.kind = kind;
  v.time = r.time;
  v.threads.push_back(r.thread);
  if (r.task) v.tasks.push_back(r.task);
  v.records.push_back(index);
  add_unique(v.locations, site_str(t, r.site));
  return v;
}

void add_unique(std::vector<std::string>& v, const std::string& s) {
  if (!s.empty() && std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

}  // namespace weft::properties::detail
