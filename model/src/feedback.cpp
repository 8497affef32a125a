#include "weft/model/feedback.hpp"

#include <algorithm>

#include "weft/model/happens_before.hpp"
#include "weft/model/strategies/random.hpp"

namespace weft::model {

FeedbackPlan Corpus::plan(std::uint64_t seed) const {
  FeedbackPlan p;
  if (mutable_.empty()) return p;
  sim::RandomSource rng(mix_seed(seed, 0xfeedbacc));
  if (rng.random(2) == 0) return p;
  const std::size_t m = mutable_.size();
  std::size_t i = 0;
  if (rng.random(2) == 0)
    i = m - 1 - std::size_t(rng.random(std::min<std::size_t>(m, 8)));
  else
    i = std::size_t(rng.random(m));
  p.mutate = true;
  p.entry = mutable_[i];
  // Half the time in the entry's second half: what made it new is usually late in it.
  const std::size_t n = entries_[p.entry].decisions.size();
  p.keep = rng.random(2) == 0 ? std::size_t(rng.random(n)) : n / 2 + std::size_t(rng.random(n - n / 2));
  return p;
}

std::vector<std::uint64_t> Corpus::new_points(const std::vector<std::uint64_t>& coverage) const {
  std::vector<std::uint64_t> out;
  for (std::uint64_t c : coverage)
    if (!covered_.count(c)) out.push_back(c);
  return out;
}

const Corpus::Entry& Corpus::add(Entry e) {
  covered_.insert(e.points.begin(), e.points.end());
  if (entries_.size() >= entries_max_) e.decisions.clear();
  if (!e.decisions.empty()) mutable_.push_back(entries_.size());
  entries_.push_back(std::move(e));
  return entries_.back();
}

FeedbackRun run_with_feedback(Corpus& corpus, ExploreOptions o, const Body& body, const Checker& checker,
                              const std::function<void(const Schedule&, std::uint64_t)>& before) {
  FeedbackRun run;
  const FeedbackPlan plan = corpus.plan(o.seed);
  if (plan.mutate) {
    const Corpus::Entry& e = corpus.entries()[plan.entry];
    Schedule prefix;
    prefix.scenario = o.name;
    prefix.strategy = "mutate";
    prefix.seed = o.seed;
    prefix.granularity = o.sim.granularity == sim::Granularity::fine ? "fine" : "coarse";
    prefix.decisions.assign(e.decisions.begin(), e.decisions.begin() + std::ptrdiff_t(plan.keep));
    run.entry_seed = e.seed;
    run.kept = plan.keep;
    if (before) before(prefix, e.seed);
    o.strategy = "mutate";
    o.schedule = std::move(prefix);
  }
  std::optional<Corpus::Entry> fresh;
  auto chain = o.on_execution;
  o.on_execution = [&](const sim::SimPlatform& sim, const sim::RunResult& r, const std::string& name) {
    if (chain) chain(sim, r, name);
    run.strategy = name;
    std::vector<std::uint64_t> points = corpus.new_points(interleaving_coverage(sim.trace()));
    if (points.empty()) return;
    Corpus::Entry e;
    e.seed = o.seed;
    e.strategy = name;
    e.points = std::move(points);
    e.decisions.reserve(sim.decisions().size());
    for (const sim::RecordedDecision& d : sim.decisions())
      e.decisions.push_back(Decision{DecisionKind(d.kind), d.value, d.kind == sim::RecordedKind::thread ? d.key : 0u});
    fresh = std::move(e);
  };
  run.report = explore(o, body, checker);
  if (fresh) {
    run.new_points = fresh->points.size();
    corpus.add(std::move(*fresh));
  }
  return run;
}

}  // namespace weft::model
