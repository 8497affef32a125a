// The detection benchmark: schedule-dependent bugs re-expressed on weft's public API from
// their public descriptions (SCTBench's families, and async-specific ones), each with a
// clean twin that differs only in the synchronisation that fixes it.
//
// Every shared step of the original programs (an access another thread could interleave
// with) is a scheduling point here: an `await` of a trivial async call (`step`), a lock,
// a channel or event operation, a timer. Plain variables between two such points are
// what the bug races on; they are invisible to footprints (see model/happens_before.hpp),
// which is why the bugs are judged by invariants and deadlocks, never by race reports.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "weft/model/explorer.hpp"
#include "weft/properties/violation.hpp"
#include "weft/sim/sim.hpp"

namespace weft::detection {

struct Bug {
  std::string name;    // "reorder_10"
  std::string family;  // "reorder_N"
  ViolationKind kind;  // what the checker must report for the bug
  std::string story;   // one line: what goes wrong
  std::function<void()> bug;
  std::function<void()> twin;
};

// Every bug of the suite, in a fixed order.
const std::vector<Bug>& all_bugs();

// How the suite explores: no shrinking, no replay checks (they cost executions that are
// not the strategy's), and errors only -- the steps are trivial hops by design, which the
// redundant-hop lint would flag as a warning.
inline model::ExploreOptions explore_options(const std::string& strategy, std::uint64_t seed, std::uint64_t iterations) {
  model::ExploreOptions o;
  o.strategy = strategy;
  o.seed = seed;
  o.iterations = iterations;
  o.shrink = false;
  o.nondeterminism_check_every = 0;
  o.warnings = model::Warnings::off;
  return o;
}

}  // namespace weft::detection
