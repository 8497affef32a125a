#include "wall_clock.hpp"

#include <chrono>

namespace weft::model::detail {

double wall_clock_seconds_for_time_budget() noexcept {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace weft::model::detail
