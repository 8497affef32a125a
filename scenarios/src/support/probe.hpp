// Latency probes: the evidence the starvation property reads. A probe is a `probe` trace
// event (value = observed latency, the deadline in object:other); a heartbeat is the classic liveness
// probe, a task that must run every `period` on the pool it watches.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "weft/weft.hpp"

namespace weft::scenarios {

// Records one observed latency against its deadline (no-op when not tracing; the deadline
// is a full 64-bit duration, as trace::event::probe carries it).
void emit_probe(Nanos latency, Nanos deadline, std::string_view what = {},
                std::source_location where = std::source_location::current());

struct HeartbeatOptions {
  Nanos period = 100_ms;
  Nanos deadline = 500_ms;  // how late a beat may be
  std::uint32_t beats = 30;
};

// Spawn it on the pool it watches: each beat sleeps `period` and measures how late its
// continuation got a worker of that pool.
Task<void> heartbeat(HeartbeatOptions options);

// The p-th percentile (0 < p <= 1) by nearest rank; 0 for an empty set.
Nanos percentile(std::vector<Nanos> values, double p);

}  // namespace weft::scenarios
