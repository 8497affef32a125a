// Must-show 1 (heavy): over 1,000 seeds, the median number of executions until the
// two-lock inversion shows is at most 3 for random and at most 5 for PCT-3.
#include <algorithm>
#include <catch2/catch.hpp>
#include <iostream>

#include "programs.hpp"

using namespace weft;
using namespace weft::model_test;

namespace {

std::uint64_t median_executions(const std::string& strategy, void (*program)(bool), std::uint64_t seeds) {
  std::vector<std::uint64_t> found;
  std::uint64_t missed = 0;
  for (std::uint64_t seed = 0; seed < seeds; ++seed) {
    model::ExploreOptions o;
    o.strategy = strategy;
    o.seed = seed;
    o.iterations = 200;
    o.shrink = false;
    o.nondeterminism_check_every = 0;
    auto r = model::explore(o, [program] { program(false); }, outcome_checker);
    if (r.executions_to_first_bug)
      found.push_back(*r.executions_to_first_bug);
    else
      ++missed, found.push_back(~std::uint64_t(0));
  }
  std::sort(found.begin(), found.end());
  std::uint64_t mean_num = 0, n = 0;
  for (auto f : found)
    if (f != ~std::uint64_t(0)) mean_num += f, ++n;
  std::cout << strategy << ": median " << found[found.size() / 2] << ", mean " << (n ? double(mean_num) / double(n) : 0.0)
            << ", p90 " << found[found.size() * 9 / 10] << ", missed " << missed << " of " << seeds << " seeds\n";
  return found[found.size() / 2];
}

}  // namespace

TEST_CASE("two-lock inversion: random and PCT-3 find it fast over 1,000 seeds", "[explorer][heavy]") {
  CHECK(median_executions("random", two_locks, 1000) <= 3);
  CHECK(median_executions("pct:3", two_locks, 1000) <= 5);
  CHECK(median_executions("random", two_locks_block_on, 1000) <= 3);
  CHECK(median_executions("pct:3", two_locks_block_on, 1000) <= 5);
}
