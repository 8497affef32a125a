#include "weft/properties/index.hpp"

#include <algorithm>

namespace weft::properties {

// Kinds are bits of a 64-bit mask.
static_assert(unsigned(EventKind::access) < 64, "TraceIndex: more than 64 record kinds");

struct TraceIndex::Tasks {
  std::vector<std::uint8_t> completed;               // by task id
  std::vector<std::uint32_t> last;                   // by task id; none = no record
  std::vector<std::vector<std::uint32_t>> records;   // by task id
  std::vector<std::vector<TaskId>> children;         // by parent id (0 = outside any task)
  static const std::vector<std::uint32_t> no_records;
  static const std::vector<TaskId> no_children;
};
const std::vector<std::uint32_t> TraceIndex::Tasks::no_records{};
const std::vector<TaskId> TraceIndex::Tasks::no_children{};

TraceIndex::TraceIndex(const trace::Trace& trace) : trace_(trace), kinds_(kinds_of(trace)) {}
TraceIndex::TraceIndex(const trace::Trace& trace, std::uint64_t kinds) noexcept : trace_(trace), kinds_(kinds) {}

void TraceIndex::spans() const noexcept {
  std::size_t max_thread = 0;
  Nanos last = 0;
  for (const trace::TraceRecord& r : trace_.records) {
    last = std::max(last, r.time);
    max_thread = std::max<std::size_t>(max_thread, r.thread);
  }
  last_time_ = last;
  threads_ = trace_.threads.size();
  if (!trace_.records.empty()) threads_ = std::max(threads_, max_thread + 1);
  spans_ = true;
}

TraceIndex::~TraceIndex() = default;

const TraceIndex::Tasks& TraceIndex::tasks() const {
  if (tasks_) return *tasks_;
  auto t = std::make_unique<Tasks>();
  std::size_t n = trace_.tasks.size() + 1;
  for (const trace::TraceRecord& r : trace_.records) n = std::max<std::size_t>(n, std::size_t(r.task) + 1);
  t->completed.assign(n, 0);
  t->last.assign(n, none);
  t->records.resize(n);
  t->children.resize(n);
  const auto& recs = trace_.records;
  for (std::uint32_t i = 0; i < recs.size(); ++i) {
    const trace::TraceRecord& r = recs[i];
    if (!r.task) continue;
    t->records[r.task].push_back(i);
    if (r.kind == EventKind::complete) t->completed[r.task] = 1;
    if (r.kind != EventKind::race_lost && r.kind != EventKind::exception_dropped &&
        r.kind != EventKind::exception_observed)
      t->last[r.task] = i;
  }
  for (const trace::TaskInfo& ti : trace_.tasks) {
    if (!ti.id) continue;
    // A parent outside the trace (a trace read back from a file) counts as none.
    t->children[ti.parent < n ? ti.parent : 0].push_back(ti.id);
  }
  tasks_ = std::move(t);
  return *tasks_;
}

bool TraceIndex::completed(TaskId id) const {
  const Tasks& t = tasks();
  return id < t.completed.size() && t.completed[id];
}

std::uint32_t TraceIndex::last_record(TaskId id) const {
  const Tasks& t = tasks();
  return id < t.last.size() ? t.last[id] : none;
}

const std::vector<std::uint32_t>& TraceIndex::records_of(TaskId id) const {
  const Tasks& t = tasks();
  return id < t.records.size() ? t.records[id] : Tasks::no_records;
}

const std::vector<TaskId>& TraceIndex::children(TaskId id) const {
  const Tasks& t = tasks();
  return id < t.children.size() ? t.children[id] : Tasks::no_children;
}

const trace::WaitGraph& TraceIndex::waits() const {
  if (!waits_) {
    waits_ = std::make_unique<trace::WaitGraph>(trace_);
    waits_->apply_all();
  }
  return *waits_;
}

}  // namespace weft::properties
