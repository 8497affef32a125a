// Coverage feedback (model/feedback.hpp) on lockstep_N (lockstep.hpp): interleaving
// coverage names what happened, not ids; a corpus is a function of the seeds it saw, and
// rebuilt from its entries it goes on exactly as before; a mutated execution replays from
// its schedule alone (the whole of it, or the kept prefix with strategy "mutate" and the
// seed); and on a bug behind many lucky orderings in a row, feedback finds what random
// alone misses. Deterministic: every execution is a function of its seed and the corpus.
#include <catch2/catch.hpp>

#include "lockstep.hpp"
#include "weft/model/feedback.hpp"
#include "weft/model/happens_before.hpp"

using namespace weft;

namespace {

model::ExploreOptions options(std::uint64_t seed) {
  model::ExploreOptions o;
  o.name = "lockstep";
  o.seed = seed;
  o.iterations = 1;
  o.shrink = false;
  o.nondeterminism_check_every = 0;
  o.warnings = model::Warnings::off;
  return o;
}

auto body(int n, bool fixed = false) {
  return [n, fixed] { feedback_bench::lockstep(n, fixed); };
}

struct Ran {
  std::string strategy;
  std::optional<std::uint64_t> entry;
  std::size_t kept = 0, added = 0;
  std::uint64_t hash = 0;
  friend bool operator==(const Ran&, const Ran&) = default;
};

// Seeds [from, to) through the corpus, as a campaign job runs them.
std::vector<Ran> run(model::Corpus& corpus, std::uint64_t from, std::uint64_t to, int n) {
  std::vector<Ran> out;
  for (std::uint64_t s = from; s < to; ++s) {
    std::uint64_t hash = 0;
    model::ExploreOptions o = options(s);
    o.on_execution = [&](const sim::SimPlatform&, const sim::RunResult& r, const std::string&) { hash = r.trace_hash; };
    model::FeedbackRun r = model::run_with_feedback(corpus, o, body(n));
    out.push_back(Ran{r.strategy, r.entry_seed, r.kept, r.new_points, hash});
  }
  return out;
}

bool same_entries(const model::Corpus& a, const model::Corpus& b) {
  if (a.size() != b.size() || a.coverage() != b.coverage()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto& x = a.entries()[i];
    const auto& y = b.entries()[i];
    if (x.seed != y.seed || x.strategy != y.strategy || x.decisions != y.decisions || x.points != y.points) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("feedback: interleaving coverage is a function of the execution, and deeper rounds add points", "[feedback]") {
  sim::SimPlatform sim;
  std::vector<std::uint64_t> first;
  std::size_t most = 0, least = SIZE_MAX;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    auto strategy = model::make_strategy("random", seed);
    strategy->begin_execution(0);
    sim.run(body(6), *strategy);
    std::vector<std::uint64_t> c = model::interleaving_coverage(sim.trace());
    REQUIRE(std::is_sorted(c.begin(), c.end()));
    REQUIRE(std::adjacent_find(c.begin(), c.end()) == c.end());
    most = std::max(most, c.size());
    least = std::min(least, c.size());
    // The same decisions again: the same points.
    model::Schedule s;
    for (const sim::RecordedDecision& d : sim.decisions())
      s.decisions.push_back(model::Decision{model::DecisionKind(d.kind), d.value, d.kind == sim::RecordedKind::thread ? d.key : 0u});
    model::ReplayResult again = model::replay(s, body(6), [](const sim::Trace&, const sim::RunResult&) { return std::vector<Violation>{}; });
    REQUIRE_FALSE(again.diverged);
    CHECK(model::interleaving_coverage(again.trace) == c);
  }
  // A client that gets further meets the server on more rounds' locks.
  CHECK(most > least);
}

TEST_CASE("feedback: the same seeds give the same corpus and the same executions", "[feedback]") {
  model::Corpus a, b;
  std::vector<Ran> ra = run(a, 1000, 1400, 8);
  std::vector<Ran> rb = run(b, 1000, 1400, 8);
  CHECK(ra == rb);
  CHECK(same_entries(a, b));
  CHECK(a.size() >= 5);
  std::size_t mutations = std::count_if(ra.begin(), ra.end(), [](const Ran& r) { return r.entry.has_value(); });
  CHECK(mutations > 100);  // about half the seeds once the corpus has an entry
  CHECK(mutations < 300);
  for (const Ran& r : ra) CHECK((r.strategy.rfind("portfolio/", 0) == 0 || r.strategy.rfind("mutate/", 0) == 0));
}

TEST_CASE("feedback: a corpus rebuilt from its entries in order goes on as the original", "[feedback]") {
  model::Corpus original;
  run(original, 0, 250, 8);
  model::Corpus rebuilt;
  for (const model::Corpus::Entry& e : original.entries()) rebuilt.add(e);
  REQUIRE(same_entries(original, rebuilt));
  for (std::uint64_t s = 250; s < 300; ++s) {
    const model::FeedbackPlan p = original.plan(s), q = rebuilt.plan(s);
    CHECK((p.mutate == q.mutate && p.entry == q.entry && p.keep == q.keep));
  }
  CHECK(run(original, 250, 500, 8) == run(rebuilt, 250, 500, 8));
  CHECK(same_entries(original, rebuilt));
}

TEST_CASE("feedback: past its size limit a corpus keeps coverage but no more decisions", "[feedback]") {
  model::Corpus small(2);
  run(small, 0, 300, 8);
  REQUIRE(small.size() > 2);
  for (std::size_t i = 0; i < small.size(); ++i) CHECK(small.entries()[i].decisions.empty() == (i >= 2));
  for (std::uint64_t s = 0; s < 100; ++s) {
    const model::FeedbackPlan p = small.plan(s);
    if (p.mutate) CHECK(p.entry < 2);
  }
}

TEST_CASE("feedback: a mutation's finding replays from its schedule alone", "[feedback]") {
  model::Corpus corpus;
  std::optional<model::Schedule> prefix;
  bool checked = false;
  for (std::uint64_t s = 0; s < 4000 && !checked; ++s) {
    model::ExploreOptions o = options(s);
    o.name = "lockstep_10";
    std::optional<model::Schedule> kept;
    model::FeedbackRun r = model::run_with_feedback(corpus, o, body(10), {}, [&](const model::Schedule& p, std::uint64_t) { kept = p; });
    if (r.report.findings.empty() || !r.entry_seed) continue;
    const model::Finding& f = r.report.findings.front();
    REQUIRE(kept);
    CHECK(f.schedule.strategy.rfind("mutate/", 0) == 0);
    CHECK(kept->strategy == "mutate");
    CHECK(kept->seed == s);
    REQUIRE(kept->decisions.size() == r.kept);
    CHECK(std::equal(kept->decisions.begin(), kept->decisions.end(), f.schedule.decisions.begin()));
    // 1. Strictly, every decision from the schedule: the same execution and violation.
    model::ReplayResult rr = model::replay(f.schedule, body(10));
    CHECK_FALSE(rr.diverged);
    REQUIRE_FALSE(rr.violations.empty());
    CHECK(rr.violations.front().signature() == f.violation.signature());
    CHECK(rr.result.trace_hash == f.trace_hash);
    // 2. Only the prefix (what a crashed campaign job can record): strategy "mutate" with
    // the seed runs the same execution, with no corpus at hand.
    model::ExploreOptions again = options(s);
    again.name = "lockstep_10";
    again.strategy = "mutate";
    again.schedule = *kept;
    model::ExploreReport er = model::explore(again, body(10));
    REQUIRE_FALSE(er.findings.empty());
    CHECK(er.findings.front().trace_hash == f.trace_hash);
    CHECK(er.findings.front().schedule.decisions == f.schedule.decisions);
    checked = true;
  }
  CHECK(checked);
}

TEST_CASE("feedback: lockstep_12 is found by every feedback campaign within 3,000 executions, by no random one", "[feedback]") {
  // Measured by weft_feedback_bench; here three campaigns of each (seed bases 10^7 k).
  for (std::uint64_t k = 0; k < 3; ++k) {
    CAPTURE(k);
    model::Corpus corpus;
    std::optional<std::uint64_t> feedback, random;
    for (std::uint64_t i = 0; i < 3000 && !feedback; ++i)
      if (!model::run_with_feedback(corpus, options(10'000'000 * k + i), body(12)).report.findings.empty()) feedback = i + 1;
    for (std::uint64_t i = 0; i < 3000 && !random; ++i) {
      model::ExploreOptions o = options(10'000'000 * k + i);
      o.strategy = "random";
      if (!model::explore(o, body(12)).findings.empty()) random = i + 1;
    }
    CHECK(feedback.has_value());
    CHECK_FALSE(random.has_value());
  }
}

TEST_CASE("feedback: the twin stays clean under 2,000 feedback executions", "[feedback]") {
  model::Corpus corpus;
  for (std::uint64_t s = 0; s < 2000; ++s)
    REQUIRE(model::run_with_feedback(corpus, options(s), body(8, true)).report.findings.empty());
  CHECK(corpus.size() >= 5);
}
