#include "support/probe.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace weft::scenarios {

void emit_probe(Nanos latency, Nanos deadline, std::string_view what, std::source_location where) {
  auto& p = current_platform();
  if (!p.tracing()) return;
  TraceEvent e{EventKind::probe};
  e.task = current_task();
  e.value = latency;
  set_probe_deadline(e, deadline);
  e.file = where.file_name();
  e.line = where.line();
  e.text = what;
  p.emit(e);
}

Task<void> heartbeat(HeartbeatOptions o) {
  auto& p = current_platform();
  for (std::uint32_t i = 0; i < o.beats; ++i) {
    Nanos due = p.now() + o.period;
    co_await sleep_for(o.period);  // resumes on this pool: late when no worker is free
    emit_probe(p.now() - due, o.deadline, "heartbeat");
  }
}

Nanos percentile(std::vector<Nanos> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  auto rank = std::size_t(std::ceil(p * double(values.size())));
  rank = std::clamp<std::size_t>(rank, 1, values.size());
  return values[rank - 1];
}

}  // namespace weft::scenarios
