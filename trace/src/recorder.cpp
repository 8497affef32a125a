#include "weft/trace/recorder.hpp"

#include <string>

#include "weft/detail/hash.hpp"

namespace weft::trace {

std::uint32_t Recorder::record(const TraceEvent& e, Nanos time, std::uint32_t step, ThreadIndex thread, bool on_thread) {
  Trace& tr = *trace_;
  TraceRecord r;
  r.time = time;
  r.step = step;
  r.thread = on_thread ? thread : 0;
  r.kind = e.kind;
  r.task = e.task;
  r.other = e.other;
  r.object = e.object;
  r.value = e.value;
  if (e.file) r.site = tr.intern_site(e.file, e.line);
  if (!e.text.empty()) r.text = tr.intern_text(e.text);
  tr.records.push_back(r);
  switch (e.kind) {
    case EventKind::spawn: {
      TaskInfo ti;
      ti.id = e.task;
      ti.parent = e.other;
      ti.site = r.site;
      ti.executor = e.object;
      ti.detached = e.value != 0;
      ti.name = std::string(e.text);
      if (child_ordinals_.size() <= e.task) child_ordinals_.resize(e.task + 1, 0);
      std::uint32_t ordinal = child_ordinals_[e.other]++;
      std::uint64_t parent_key = 0;
      if (const TaskInfo* p = tr.task(e.other)) parent_key = p->stable_key;
      // Each byte of the file name is fed widened to 8 bytes: the keys saved so far say so.
      weft::detail::Fnv1a h(weft::detail::fnv1a64_short_basis);
      h.u64(parent_key);
      for (char c : weft::detail::hashed_file(e.file ? e.file : "")) h.u64(std::uint8_t(c));
      h.u64(e.line);
      h.u64(ordinal);
      ti.stable_key = h.value();
      if (tr.tasks.size() < e.task) tr.tasks.resize(e.task);
      tr.tasks[e.task - 1] = ti;
      break;
    }
    case EventKind::executor_create: tr.executors.push_back(ExecutorInfo{e.object, std::string(e.text)}); break;
    case EventKind::object_create:
      tr.objects.push_back(ObjectInfo{e.object, ObjectKind(e.value), std::string(e.text), r.site});
      break;
    case EventKind::thread_start:
      if (std::uint64_t(e.value) < tr.threads.size()) {
        ThreadInfo& ti = tr.threads[std::size_t(e.value)];
        ti.attached = e.object;
        ti.executor = e.other ? e.object : 0;
      }
      break;
    case EventKind::resume:
      if (on_thread && thread < tr.threads.size()) tr.threads[thread].executor = e.object;
      break;
    default: break;
  }
  return std::uint32_t(tr.records.size() - 1);
}

}  // namespace weft::trace
