// The only wall-clock read in model/ (the explorer's time budget). Kept in its own file so
// the determinism tidy check can whitelist exactly this one.
#pragma once

namespace weft::model::detail {

// Seconds on a monotonic clock, for budgets only; never feeds a decision.
double wall_clock_seconds_for_time_budget() noexcept;

}  // namespace weft::model::detail
