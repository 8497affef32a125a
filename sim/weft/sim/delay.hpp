// A latency range for user fakes: `co_await sim::delay(2_ms, 10_ms)` sleeps somewhere in
// [lo, hi]. In simulation the draw is a recorded decision (replayed exactly, shrunk toward lo),
// so a fake of one's own gets what sim::Service and sim::Network have: timings explored,
// not fixed.
#pragma once

#include <stop_token>

#include "weft/timer.hpp"

namespace weft::sim {

inline detail::SleepAwaiter delay(Nanos lo, Nanos hi, std::stop_token token = {}) {
  return sleep_for(lo, hi > lo ? hi - lo : 0, std::move(token));
}

}  // namespace weft::sim
