// Shared by the real-thread and the simulated tests of bounded waits: how a wait ended, as
// text, and a task that finishes only when an event is set.
#pragma once

#include <string>
#include <weft/weft.hpp>

namespace weft::test {

// The awaited value as text, or "cancelled" / "timed out".
template <class Make>
Task<std::string> value_of(Make make) {
  try {
    int v = co_await make();
    co_return std::to_string(v);
  } catch (const TimedOut&) {
    co_return "timed out";
  } catch (const OperationCancelled&) {
    co_return "cancelled";
  }
}

// Waits for `go`, then returns `v`.
inline Task<int> gated(Event& go, int v) {
  co_await go.wait();
  co_return v;
}

}  // namespace weft::test
