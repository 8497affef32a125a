// RapidCheck generators for schedules and fault plans. Header-only so that only code that
// uses RapidCheck pulls it in.
#pragma once

#include <rapidcheck.h>

#include <cstddef>
#include <string>
#include <vector>

#include "weft/model/schedule.hpp"
#include "weft/model/strategies/rapidcheck.hpp"
#include "weft/version.hpp"

namespace weft::model::gen {

// Choices for RapidCheckStrategy: small numbers (they are taken modulo the enabled count),
// shrinking towards shorter vectors and zeros (= non-preemptive, lowest thread first).
inline rc::Gen<std::vector<std::size_t>> choices(std::size_t value_max = 7) {
  return rc::gen::container<std::vector<std::size_t>>(rc::gen::inRange<std::size_t>(0, value_max + 1));
}

// A fault plan: which of the fault points reached fire; shrinks towards "nothing fires".
inline rc::Gen<FaultPlan> fault_plan() {
  return rc::gen::map(rc::gen::container<std::vector<bool>>(rc::gen::arbitrary<bool>()),
                      [](std::vector<bool> fire) { return FaultPlan{std::move(fire)}; });
}

inline rc::Gen<Decision> decision(std::uint32_t threads_max = 8) {
  return rc::gen::oneOf(
      rc::gen::map(rc::gen::pair(rc::gen::inRange<std::uint64_t>(0, threads_max), rc::gen::inRange<std::uint32_t>(0, 64)),
                   [](std::pair<std::uint64_t, std::uint32_t> p) { return Decision{DecisionKind::thread, p.first, p.second}; }),
      rc::gen::map(rc::gen::arbitrary<std::uint64_t>(),
                   [](std::uint64_t v) { return Decision{DecisionKind::random, v, 0}; }),
      rc::gen::map(rc::gen::arbitrary<bool>(),
                   [](bool fired) { return Decision{DecisionKind::fault, fired ? 1u : 0u, 0}; }));
}

// A valid Schedule (passes validate()) for the given scenario.
inline rc::Gen<Schedule> schedule(std::string scenario = "rapidcheck", std::uint32_t threads_max = 8) {
  return rc::gen::map(rc::gen::pair(rc::gen::arbitrary<std::uint64_t>(),
                                    rc::gen::container<std::vector<Decision>>(decision(threads_max))),
                      [scenario](std::pair<std::uint64_t, std::vector<Decision>> p) {
                        Schedule s;
                        s.scenario = scenario;
                        s.strategy = "rapidcheck";
                        s.seed = p.first;
                        s.weft_version = WEFT_VERSION_STRING;
                        s.decisions = std::move(p.second);
                        return s;
                      });
}

}  // namespace weft::model::gen
