// The throughput side of pool starvation, in virtual time: the field's setup (10 workers,
// a 2 s database) with blocking vs awaiting handlers at 10, 11, 100, 1,000 and 10,000
// concurrent requests. Each cell is one simulated execution (a seeded random walk, no
// trace); the whole table takes milliseconds of wall time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "weft/platform.hpp"

namespace weft::scenarios {

struct CapacityCell {
  bool blocking = false;
  std::uint32_t requests = 0;
  Nanos completion = 0;             // virtual time until the last response
  double throughput_rps = 0;        // requests / completion
  Nanos latency_p50 = 0;
  Nanos latency_p99 = 0;
  std::uint32_t peak_threads_busy = 0;  // workers blocked inside the database call at once
};

// One cell: `requests` handlers arrive at once on a 10-worker pool.
CapacityCell measure_capacity(bool blocking, std::uint32_t requests, std::uint64_t seed = 1);

// Every cell, as a Markdown table.
std::string capacity_table();

}  // namespace weft::scenarios
