// Property::triggers() is what check_all tests before asking a property (properties/
// property.hpp): a property whose triggers are absent from an execution is not asked, so
// it must find nothing there. Checked on every execution of the catalogue's bugs and fixes
// and of a few programs for the properties the catalogue has no scenario for (invariants,
// monitors, probes, a crash, a limit): each built-in property asked directly, triggers or
// not; and check_all gives what asking every property gives.
#include <catch2/catch.hpp>

#include <map>
#include <stdexcept>

#include "catalogue_support.hpp"
#include "weft/properties/invariant.hpp"
#include "weft/weft.hpp"

using namespace weft;
using namespace weft::scenarios;

namespace {

struct Tally {
  std::map<std::string, std::uint64_t> fired, skipped, found;
};

// Every built-in property over one execution: when its triggers are absent it must find
// nothing. Returns what asking every property finds (check_all's input, before it
// removes duplicates and sorts).
model::Checker watching(Tally& tally, const properties::Config& config) {
  return [&tally, config](const sim::Trace& trace, const sim::RunResult& result) {
    static const auto props = properties::default_properties();
    properties::TraceIndex index(trace);
    properties::Execution e{trace, result, config, index};
    std::vector<Violation> every;
    for (const auto& p : props) {
      std::vector<Violation> found;
      p->check(e, found);
      const bool fire = p->triggers().fire(index, result);
      ++(fire ? tally.fired : tally.skipped)[p->name()];
      if (!found.empty()) ++tally.found[p->name()];
      INFO(p->name() << " found \"" << (found.empty() ? std::string() : found.front().message)
                     << "\" with its triggers absent (outcome " << trace::to_string(result.outcome) << ")");
      REQUIRE((fire || found.empty()));
      every.insert(every.end(), found.begin(), found.end());
    }
    // check_all asks only the properties whose triggers fire: the same findings.
    auto all = properties::check_all(trace, result, config);
    std::size_t distinct = 0;
    for (const auto& v : every) {
      bool reported = false;
      for (const auto& w : all) reported = reported || (w.kind == v.kind && w.message == v.message);
      REQUIRE(reported);
      ++distinct;
    }
    REQUIRE(all.size() <= distinct);
    return std::vector<Violation>{};
  };
}

void run(Tally& tally, const model::ExploreOptions& base, const std::function<void()>& body, std::uint64_t iterations) {
  model::ExploreOptions o = base;
  o.iterations = iterations;
  o.shrink = false;
  model::explore(o, body, watching(tally, o.properties));
}

// What the catalogue has no scenario for.
void monitor_left_hot() {
  Monitor m("reply", 10_ms);
  m.hot();
  invariant("never", false);
  probe("late", 5_ms, 1_ms);
}
void body_throws() { throw std::runtime_error("assertion as a throw"); }
Task<void> spin() {
  for (;;) co_await yield();
}
void never_ends() {
  ThreadPool pool(1, "pool");
  spawn(pool, spin()).join();
}

}  // namespace

TEST_CASE("a property whose triggers are absent finds nothing (catalogue and more)", "[scenarios][properties]") {
  Tally tally;
  for (const auto& s : all()) {
    run(tally, s.options, s.bug, 12);
    run(tally, s.options, s.fix, 12);
  }
  model::ExploreOptions plain;
  run(tally, plain, monitor_left_hot, 2);
  run(tally, plain, body_throws, 2);
  model::ExploreOptions limited;
  limited.sim.limits.steps_max = 2000;
  run(tally, limited, never_ends, 2);
  // Not vacuous: every property found something somewhere, and was skipped somewhere.
  for (const auto& p : properties::default_properties()) {
    INFO(p->name());
    CHECK(tally.found[p->name()] > 0);
    CHECK(tally.skipped[p->name()] > 0);
  }
}

TEST_CASE("a user's property without triggers is asked on every execution", "[scenarios][properties]") {
  struct Counting final : properties::Property {
    std::uint64_t* asked;
    explicit Counting(std::uint64_t* a) : asked(a) {}
    const char* name() const noexcept override { return "counting"; }
    void check(const properties::Execution&, std::vector<Violation>&) const override { ++*asked; }
  };
  std::uint64_t asked = 0;
  model::ExploreOptions o;
  o.iterations = 5;
  o.nondeterminism_check_every = 0;
  o.properties.extra.push_back(std::make_shared<Counting>(&asked));
  auto report = model::explore(o, [] {});
  REQUIRE(report.executions == 5);
  REQUIRE(asked == 5);
}
