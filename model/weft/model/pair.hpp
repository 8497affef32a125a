// The minimal pair of a finding: the nearest passing schedule (the failing one with a single
// thread decision changed) and what that decision changes, for the report and the picture.
#pragma once

#include <cstddef>
#include <string>

#include "weft/model/explorer.hpp"

namespace weft::model {

struct NearestPass {
  bool found = false;
  std::size_t tried = 0;      // schedules replayed
  std::size_t decision = 0;   // index of the decision that differs
  std::string failing;        // "ui runs on_click first (resume)" (what the failing schedule did there)
  std::string passing;        // "timer runs load_profile first (timer_fire)"
  std::string sentence;       // the flip in one line
  Schedule passing_schedule;  // replays strictly
};

// Tries, from the last thread decision backwards, every other thread at that decision (the
// rest of the schedule followed where it still applies); the first that runs without a
// violation of `kind` is the nearest passing schedule. At most `runs_max` replays.
NearestPass nearest_pass(const Schedule& failing, ViolationKind kind, const Body& body, const Checker& checker,
                         const sim::Options& sim = {}, std::size_t runs_max = 64);

}  // namespace weft::model
