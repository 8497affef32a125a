#include "support/probe.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace weft::scenarios {

void emit_probe(Nanos latency, Nanos deadline, std::string_view what, std::source_location where) {
  auto& p = current_platform();
  if (!p.tracing()) return;
  p.emit(trace::event::probe(current_task(), what, latency, deadline, where));
}

// Each beat reports how late its continuation got a worker of the pool it watches
// (latency = now - due) against `o.deadline`: the starvation property's evidence.
// The emit_probe call below stays on its line: it is the probe's site in every trace the
// catalogue's starvation scenarios record, a site is hashed with its trace, and the replay
// tokens and schedule files saved from those scenarios carry that hash (w2 tokens,
// weft-schedule 2): moving the call changes their hashes, though not one decision.
// Whatever is added above it in this file moves it as well.
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
