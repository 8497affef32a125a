// The README's harness example, kept honest: the lock inversion is found and replayable.
#include <catch2/catch.hpp>

#include <algorithm>
#include <weft/model/check.hpp>
#include <weft/model/strategy.hpp>
#include <weft/weft.hpp>

using namespace weft;

namespace {
void transfers() {
  ThreadPool pool(4);
  Mutex a, b;
  auto transfer = [](Mutex& from, Mutex& to) -> Task<void> {
    auto g1 = co_await from.lock();
    co_await sleep_for(1_ms);
    auto g2 = co_await to.lock();
  };
  auto t1 = spawn(pool, transfer(a, b));
  auto t2 = spawn(pool, transfer(b, a));
  t1.join();
  t2.join();
}
}  // namespace

TEST_CASE("the README example: the transfer lock inversion is found", "[model][readme]") {
  model::ExploreOptions o;
  o.strategy = "pct:3";
  o.iterations = 2000;
  auto report = weft::check(o, transfers);
  REQUIRE_FALSE(report.findings.empty());
  CHECK(report.findings.front().violation.kind == ViolationKind::deadlock);
  auto again = model::replay(report.findings.front().schedule, transfers);
  CHECK_FALSE(again.diverged);
  REQUIRE_FALSE(again.violations.empty());
  CHECK(again.violations.front().kind == ViolationKind::deadlock);
}

// The README's strategy of one's own (section "Strategies and the detection benchmark"):
// everything it reads comes through the interface.
namespace {
// Stays on the running thread while it keeps to itself, and switches to the next enabled
// thread after a transition that left records naming an object (a lock, a queue): a
// crude "switch at synchronisation" walk. Learns the longest execution it ran.
class SwitchAtSync final : public model::Strategy {
 public:
  bool begin_execution(std::uint64_t index) override {
    seen_ = 0;
    return index < 3;  // three executions, then the space is "exhausted"
  }
  std::string name() const override { return "switch-at-sync"; }
  std::size_t choose(const sim::Choice& c) override {
    // c.trace: what the execution recorded so far; the records since the previous choice
    // are what the thread that ran did (model::TransitionObserver makes their footprint).
    bool synchronised = false;
    for (std::size_t i = seen_; c.trace && i < c.trace->records.size(); ++i)
      synchronised = synchronised || c.trace->records[i].object != 0;
    seen_ = c.trace ? c.trace->records.size() : 0;
    auto at = std::find(c.enabled.begin(), c.enabled.end(), c.current);
    if (at == c.enabled.end()) return 0;                  // the current thread blocked
    std::size_t i = std::size_t(at - c.enabled.begin());
    return synchronised ? (i + 1) % c.enabled.size() : i;  // switch, or stay
  }
  std::uint64_t random(std::uint64_t) override { return 0; }
  void end_execution(const model::Execution& e) override {
    longest = std::max<std::size_t>(longest, e.decisions.size());
  }
  std::size_t longest = 0;

 private:
  std::size_t seen_ = 0;
};
}  // namespace

TEST_CASE("the README example: a strategy of one's own, driven by hand", "[model][readme]") {
  sim::SimPlatform sim;
  SwitchAtSync strategy;
  std::uint64_t executions = 0;
  for (std::uint64_t i = 0; strategy.begin_execution(i); ++i) {
    sim::RunResult r = sim.run(transfers, strategy.source());
    strategy.end_execution(model::Execution{r, sim.trace(), sim.decisions()});
    ++executions;
  }
  CHECK(executions == 3);
  CHECK(strategy.longest > 0);
}

namespace {
void deposits() {
  ThreadPool pool(2);
  Shared<int> balance{100, "balance"};
  auto deposit = [](Shared<int>& b, int amount) -> Task<void> {
    int seen = b.load();
    co_await sleep_for(1_ms);
    b.store(seen + amount);
  };
  auto d1 = spawn(pool, deposit(balance, 50));
  auto d2 = spawn(pool, deposit(balance, 30));
  d1.join();
  d2.join();
  weft::invariant("no deposit lost", balance.load() == 180);
}
}  // namespace

TEST_CASE("the README's Shared example: the lost deposit is found, its accesses named", "[model][readme][shared]") {
  model::ExploreOptions o;
  o.iterations = 200;
  o.shrink = false;
  auto r = model::explore(o, deposits);
  REQUIRE_FALSE(r.findings.empty());
  const model::Finding& f = r.findings.front();
  CHECK(f.violation.kind == ViolationKind::invariant);
  // Its trace: both deposits read "balance" before either wrote it.
  std::vector<std::int64_t> by_tasks;  // the accesses made inside tasks, in order
  for (const sim::TraceRecord& rec : f.trace.records)
    if (rec.kind == EventKind::access && rec.task && f.trace.object_name(rec.object) == "balance")
      by_tasks.push_back(rec.value);
  const auto read = std::int64_t(VariableAccess::read), write = std::int64_t(VariableAccess::write);
  CHECK(by_tasks == std::vector<std::int64_t>{read, read, write, write});
}
