#include "weft/trace/result.hpp"

namespace weft::trace {

const char* to_string(Outcome o) noexcept {
  switch (o) {
    case Outcome::completed: return "completed";
    case Outcome::deadlock: return "deadlock";
    case Outcome::step_limit: return "step-limit";
    case Outcome::time_limit: return "time-limit";
    case Outcome::task_limit: return "task-limit";
    case Outcome::body_threw: return "body-threw";
    case Outcome::aborted: return "aborted";
    case Outcome::crashed: return "crashed";
  }
  return "?";
}

}  // namespace weft::trace
