// The trace of one simulated execution: what the runtime reported (spawn, resume, block,
// timers, exceptions, ...) stamped with virtual time, virtual thread and step. It feeds the
// properties and the renderers. Identities are stable (creation order within the
// execution), never pointer values, so the same schedule gives the same trace, byte for byte.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "weft/trace/event.hpp"

namespace weft::trace {

// The trace schema: what each field of a TraceRecord means for each EventKind, the values of
// EventKind and ObjectKind, and the fields a record has. Appending a kind keeps the schema (a
// reader that meets a kind it does not know says so: "written by a newer weft?"); changing
// what a field means for an existing kind, renumbering a kind, or adding a field to records
// raises it. Written wherever a trace leaves the process: a finding file's "trace-schema"
// line, the first line of trace.txt (schema_line()), the Chrome timeline's otherData and
// `weft run|replay --json` ("trace_schema"). The trace hash does not mix it in.
//   1  the first schema.
//   2  thread_start carries the executor the thread belongs to (object) and whether it
//      serves it (other = 1) or only helps it (0); the recorder fills Trace::threads from it.
//      Finding files of schema 1 are read with those fields filled from their threads table.
inline constexpr std::uint32_t kTraceSchema = 2;
// The schema whose fields the trace hash covers. The schedule formats that carry a trace
// hash (w2 tokens, weft-schedule 2 files) carry these hashes: a schema that adds only what
// Trace::hash leaves out (as 2 did) keeps them; one that changes what is hashed comes with
// a new schedule version.
inline constexpr std::uint32_t kTraceHashSchema = 1;
// "weft-trace schema 2": the first line of a dump written to a file.
std::string schema_line();

// Appends `s` in double quotes with quotes, backslashes and control characters escaped
// (\n, \t, \x01, ...): one line whatever the text holds. Trace dumps and finding files use it.
void append_quoted(std::string& out, std::string_view s);

using ThreadIndex = std::uint16_t;  // virtual thread, in creation order (0 = the main thread)

struct TraceRecord {
  Nanos time = 0;            // virtual time
  std::uint32_t step = 0;    // scheduling step at which it happened
  ThreadIndex thread = 0;    // virtual thread that reported it
  EventKind kind{};
  TaskId task = 0;
  TaskId other = 0;
  ObjectId object = 0;
  std::int64_t value = 0;
  std::uint32_t site = 0;    // index into Trace::sites (0 = none)
  std::uint32_t text = 0;    // index into Trace::strings (0 = none)
};

struct SourceSite {
  std::string file;
  std::uint32_t line = 0;
  std::string str() const { return file + ":" + std::to_string(line); }
};

struct ThreadInfo {
  std::string name;           // "main", "pool-0", "ui", "timer", ...
  ObjectId executor = 0;      // executor it serves (0 = none), told by its thread_start, or
                              // the last one it resumed a task of
  ObjectId attached = 0;      // executor it belongs to: the one it serves, or the one it
                              // helps (a pool's injector); 0 = none
};

struct TaskInfo {
  TaskId id = 0;
  TaskId parent = 0;
  std::uint32_t site = 0;        // spawn site (index into sites)
  ObjectId executor = 0;         // executor it was spawned on (0 = inline / block_on)
  std::uint64_t stable_key = 0;  // hash of (parent key, spawn site, ordinal under parent)
  bool detached = false;
  std::string name;              // from the spawn record's text (given or the coroutine's name)
};

// A synchronisation object, from its object_create record.
struct ObjectInfo {
  ObjectId id = 0;
  ObjectKind kind = ObjectKind::other;
  std::string name;              // empty when not named
  std::uint32_t site = 0;        // declaration site (index into sites)
};

struct ExecutorInfo {
  ObjectId id = 0;
  std::string name;
};

class Trace {
 public:
  std::vector<TraceRecord> records;
  std::vector<std::string> strings{""};    // [0] = none
  std::vector<SourceSite> sites{SourceSite{}};  // [0] = none
  std::vector<ThreadInfo> threads;
  std::vector<TaskInfo> tasks;             // tasks[id - 1]
  std::vector<ExecutorInfo> executors;
  std::vector<ObjectInfo> objects;          // in creation order

  std::string_view text(const TraceRecord& r) const { return strings[r.text]; }
  // The site with index i, or the empty site [0] for an index this trace does not have.
  const SourceSite& site_at(std::uint32_t i) const { return i < sites.size() ? sites[i] : sites[0]; }
  const SourceSite& site(const TraceRecord& r) const { return site_at(r.site); }
  const TaskInfo* task(TaskId id) const { return id && id <= tasks.size() ? &tasks[id - 1] : nullptr; }
  std::string executor_name(ObjectId id) const;
  const ObjectInfo* object(ObjectId id) const;
  // "cache" for a named object, else "<kind> #id" ("mutex #3"), "object #id" if unknown.
  std::string object_name(ObjectId id) const;
  // The task's name ("refresh-prices", "orders::fetch_user"), else "task N".
  std::string task_name(TaskId id) const;
  // The forms reports use: 'task 4 "refresh-prices"' / 'task 4', and 'mutex #3 "cache"' /
  // 'mutex #3' (`kind` stands in when the object has no object_create record).
  std::string task_label(TaskId id) const;
  std::string object_label(ObjectId id, std::string_view kind) const;
  std::string thread_name(ThreadIndex t) const { return t < threads.size() ? threads[t].name : "?"; }

  std::uint32_t intern_site(const char* file, std::uint32_t line);
  std::uint32_t intern_text(std::string_view s);
  void clear();
  // FNV-1a over every record and string: equal traces have equal hashes.
  std::uint64_t hash() const;
  // One line per record, for humans and for golden files.
  std::string dump() const;
};

}  // namespace weft::trace

// The names of these types while they lived in the simulator's target; in-tree code and
// users' code keep saying sim::Trace, sim::TraceRecord, ...
namespace weft::sim {
using trace::ExecutorInfo;
using trace::kTraceHashSchema;
using trace::kTraceSchema;
using trace::ObjectInfo;
using trace::SourceSite;
using trace::TaskInfo;
using trace::ThreadIndex;
using trace::ThreadInfo;
using trace::Trace;
using trace::TraceRecord;
}  // namespace weft::sim
