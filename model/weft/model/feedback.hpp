// Coverage feedback for campaigns, as greybox fuzzers do it: a corpus of executions that
// reached new interleaving coverage (interleaving_coverage(), weft/model/happens_before.hpp:
// ordered pairs of conflicting accesses), and executions that mutate its entries (a prefix
// of the entry's decisions kept, the rest re-drawn: strategies/mutate.hpp) taking turns
// with fresh draws of the campaign's strategy.
//
// Deterministic: what seed s runs is a function of s and of the corpus, which is a
// function of the executions before it (in the order they ran): the same seeds in the
// same order give the same corpus and the same executions. A corpus is rebuilt exactly by
// add()ing its entries again in order (what `weft fuzz --resume` does from the file it
// appends them to). An execution is replayable without the corpus: its decisions (the
// prefix and the rest) are in its schedule, and a schedule with strategy "mutate" holding
// only the prefix reproduces it from the seed.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "weft/model/explorer.hpp"

namespace weft::model {

// What one seed runs: a fresh draw, or a mutation of corpus entry `entry` keeping its
// first `keep` decisions.
struct FeedbackPlan {
  bool mutate = false;
  std::size_t entry = 0;
  std::size_t keep = 0;
};

class Corpus {
 public:
  struct Entry {
    std::uint64_t seed = 0;             // the seed whose execution reached new coverage
    std::string strategy;               // what ran it ("portfolio/pos", "mutate/random")
    std::vector<Decision> decisions;    // its decisions; none past entries_max (coverage only)
    std::vector<std::uint64_t> points;  // the coverage it added (sorted)
  };
  static constexpr std::size_t default_entries_max = 1024;
  explicit Corpus(std::size_t entries_max = default_entries_max) : entries_max_(entries_max) {}

  // Half the seeds (by a draw from the seed) mutate an entry once the corpus has one: one
  // of the 8 newest for half of those, else any, keeping a uniform prefix of its decisions.
  FeedbackPlan plan(std::uint64_t seed) const;
  // The points of `coverage` (sorted) not covered yet.
  std::vector<std::uint64_t> new_points(const std::vector<std::uint64_t>& coverage) const;
  // Its points join the coverage; past entries_max the entry keeps no decisions.
  const Entry& add(Entry e);

  std::size_t coverage() const noexcept { return covered_.size(); }
  std::size_t size() const noexcept { return entries_.size(); }
  const std::vector<Entry>& entries() const noexcept { return entries_; }

 private:
  std::size_t entries_max_;
  std::set<std::uint64_t> covered_;
  std::vector<Entry> entries_;
  std::vector<std::size_t> mutable_;  // entries with decisions
};

struct FeedbackRun {
  ExploreReport report;
  std::string strategy;                     // what ran: "portfolio/pos", "mutate/random"
  std::optional<std::uint64_t> entry_seed;  // the corpus entry it mutated (its seed)
  std::size_t kept = 0;                     // decisions kept from it
  std::size_t new_points = 0;               // coverage it added (it entered the corpus)
};

// Runs seed `options.seed` (options.iterations should be 1) with feedback from `corpus`:
// a fresh draw of options.strategy, or a mutation; its new coverage, if any, enters the
// corpus. `before` is told the prefix (a schedule with strategy "mutate", the seed and the
// decisions kept) before a mutation runs, so that a process that dies in it can still say
// what it ran.
FeedbackRun run_with_feedback(Corpus& corpus, ExploreOptions options, const Body& body, const Checker& checker = {},
                              const std::function<void(const Schedule& prefix, std::uint64_t entry_seed)>& before = {});

}  // namespace weft::model
