// SURW (model/strategies/surw.cpp). Deterministic per (seed, index). The argument for the
// bounds: SURW never gives an enabled thread weight 0 (every weight is at least 1),
// so every schedule of the program keeps a positive probability; on the two-lock inversion
// the crossing order needs one choice among two lockers' first steps going each way, which
// happens with probability at least 1/8 per execution once weights are learnt, so 100
// executions miss with probability below (7/8)^100 < 2e-6 -- and for fixed seeds, never.
#include <catch2/catch.hpp>

#include <numeric>

#include "weft/shared.hpp"

#include "strategy_support.hpp"

using namespace weft;
using namespace weft::model_test;

namespace {
// SCTBench's reorder on one pool worker per task, sharing no object: setters write a then
// b, with a hop between; the checker (queued last) reads a, hops, reads b, and throws when
// it saw a from a setter and b from before any setter (or the reverse).
// The fields are plain ints or weft::Shared<int> (V).
template <class V>
struct Fields {
  V a{0};
  V b{0};
};
int get(const int& v) { return v; }
int get(const Shared<int>& v) { return v.load(); }
void put(int& v, int x) { v = x; }
void put(Shared<int>& v, int x) { v.store(x); }

template <class V>
Task<void> set_fields(ThreadPool* pool, Fields<V>* f) {
  put(f->a, 1);
  co_await spawn(*pool, noop());
  put(f->b, -1);
}
template <class V>
Task<void> check_fields(ThreadPool* pool, Fields<V>* f, bool* torn) {
  int a = get(f->a);
  co_await spawn(*pool, noop());
  *torn = (a == 1) != (get(f->b) == -1);
}
template <class V = int>
void reorder(int n) {
  ThreadPool pool(std::uint32_t(n), "pool");
  Fields<V> f;
  bool torn = false;
  std::vector<JoinHandle<void>> hs;
  for (int i = 0; i + 1 < n; ++i) hs.push_back(spawn(pool, set_fields(&pool, &f)));
  hs.push_back(spawn(pool, check_fields(&pool, &f, &torn)));
  for (auto& h : hs) block_on(h);
  if (torn) throw std::runtime_error("reorder: a and b from different writes");
}

// The decisions (values and kinds) of `n` executions of surw under `seed`, in order.
template <class Body>
std::vector<std::uint64_t> decision_log(std::uint64_t seed, std::uint64_t n, Body body) {
  sim::SimPlatform sim;
  auto strategy = model::make_strategy("surw", seed);
  std::vector<std::uint64_t> out;
  for (std::uint64_t i = 0; i < n && strategy->begin_execution(i); ++i) {
    sim::RunResult r = sim.run(body, *strategy);
    for (const sim::RecordedDecision& d : sim.decisions()) out.push_back(d.value * 8 + std::uint64_t(d.kind));
    out.push_back(~std::uint64_t(0));  // end of an execution
    strategy->end_execution(model::Execution{r, sim.trace(), sim.decisions()});
  }
  return out;
}
}  // namespace

TEST_CASE("surw: same seed, same executions", "[surw]") {
  auto body = [] { counter(); };
  CHECK(hashes("surw", 5, 40, body) == hashes("surw", 5, 40, body));
  CHECK(distinct(hashes("surw", 5, 40, body)) > 3);
}

TEST_CASE("surw: finds the two-lock inversion for every one of 50 seeds within 100 executions", "[surw]") {
  auto found = executions_to_bug("surw", 50, 100, [] { two_locks(false); });
  CHECK(std::count(found.begin(), found.end(), 0u) == 0);
}

TEST_CASE("surw: the counter's lost update never shows (the mutex is respected)", "[surw]") {
  auto r = model::explore(quick("surw", 2, 300), counter, outcome_checker);
  CHECK(r.findings.empty());
}

TEST_CASE("surw: the inversion among noise tasks is found as often as by a uniform walk", "[surw]") {
  // Many hopping tasks that touch no lock: SURW weighs the lockers by their lock steps left,
  // so the noise does not drown them. Both strategies, 20 seeds, 2,000 executions each.
  auto body = [] { two_locks_in_noise(4, 3); };
  auto surw = executions_to_bug("surw", 20, 2000, body);
  auto random = executions_to_bug("random", 20, 2000, body);
  CHECK(std::count(surw.begin(), surw.end(), 0u) <= std::count(random.begin(), random.end(), 0u));
}

TEST_CASE("surw: with no shared object, a walk uniform over all steps finds reorder faster than random", "[surw]") {
  // No object is touched by two threads, so every step is interesting and each thread
  // weighs what it has left: the checker, started last, is pushed through its two halves
  // while setters are between theirs. Fixed seeds, a measured gap (about 2x on this
  // program), not a timing: the totals over 20 seeds, a miss counted as the budget.
  auto body = [] { reorder(5); };
  auto total = [](std::vector<std::uint64_t> v) {
    for (auto& x : v) x = x ? x : 1000;
    return std::accumulate(v.begin(), v.end(), std::uint64_t(0));
  };
  auto surw = executions_to_bug("surw", 20, 1000, body);
  auto random = executions_to_bug("random", 20, 1000, body);
  CAPTURE(surw, random);
  CHECK(std::count(surw.begin(), surw.end(), 0u) == 0);
  CHECK(total(surw) * 3 < total(random) * 2);
}

// Why surw never selects a weft::Shared variable: selected, the variables every reorder task
// touches weighed each worker by the two accesses it had left, nearly random's walk (bench/
// detection, 20 seeds: reorder_10 took a median of 205 executions against 107 unselected).
// The argument: an access is not a scheduling point (shared_test), and surw skips variable
// keys as it skips executors, so its estimates, selections and weights -- its decisions --
// are those of the same program with plain ints. Fails if surw learns variables as objects:
// reorder has no other shared object, so with a and b known it leaves the all-steps walk.
TEST_CASE("surw: Shared variables leave its decisions as with plain fields", "[surw]") {
  for (std::uint64_t seed = 0; seed < 4; ++seed) {
    auto plain = decision_log(seed, 40, [] { reorder<int>(4); });
    auto shared = decision_log(seed, 40, [] { reorder<Shared<int>>(4); });
    CHECK(plain.size() > 40 * 4);
    CHECK(plain == shared);
  }
}
