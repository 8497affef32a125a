// TraceIndex: what it answers equals a plain scan of the trace, on executions with tasks,
// children, waits and completions; and a user's Property added to the defaults is checked.
#include <set>

#include "properties/harness.hpp"
#include <weft/model/explorer.hpp>
#include <weft/properties/index.hpp>

using namespace weft;

namespace {

Task<int> leaf() {
  co_await sleep_for(1_ms);
  co_return 1;
}
Task<int> parent(ThreadPool& pool, Mutex& m, int& shared) {
  auto a = spawn(pool, leaf());
  auto b = spawn(pool, leaf());
  {
    auto lock = co_await m.lock();
    shared += co_await std::move(a);
  }
  co_return shared + co_await std::move(b);
}
void family() {
  ThreadPool pool(2, "pool");
  Mutex m("m");
  int shared = 0;
  auto x = spawn(pool, parent(pool, m, shared));
  auto y = spawn(pool, parent(pool, m, shared));
  x.join();
  y.join();
}

// The index's answers against a scan written here, record by record.
void compare(const sim::Trace& t) {
  properties::TraceIndex ix(t);
  std::set<EventKind> kinds;
  Nanos last = 0;
  for (const auto& r : t.records) kinds.insert(r.kind), last = std::max(last, r.time);
  for (unsigned k = 0; k <= unsigned(EventKind::object_create); ++k)
    REQUIRE(ix.has(EventKind(k)) == (kinds.count(EventKind(k)) != 0));
  REQUIRE(ix.last_time() == last);
  for (const auto& ti : t.tasks) {
    if (!ti.id) continue;
    bool done = false;
    std::vector<std::uint32_t> mine;
    std::uint32_t alive = properties::TraceIndex::none;
    for (std::uint32_t i = 0; i < t.records.size(); ++i) {
      const auto& r = t.records[i];
      if (r.task != ti.id) continue;
      mine.push_back(i);
      done = done || r.kind == EventKind::complete;
      if (r.kind != EventKind::race_lost && r.kind != EventKind::exception_dropped &&
          r.kind != EventKind::exception_observed)
        alive = i;
    }
    std::vector<TaskId> kids;
    for (const auto& c : t.tasks)
      if (c.id && c.parent == ti.id) kids.push_back(c.id);
    REQUIRE(ix.completed(ti.id) == done);
    REQUIRE(ix.records_of(ti.id) == mine);
    REQUIRE(ix.last_record(ti.id) == alive);
    REQUIRE(ix.children(ti.id) == kids);
  }
  sim::WaitGraph g(t);
  g.apply_all();
  REQUIRE(ix.waits().blocked_threads() == g.blocked_threads());
  REQUIRE(ix.waits().waiting_tasks() == g.waiting_tasks());
}

// A user's property: a task that spawned more than `most` children.
class TooManyChildren final : public properties::Property {
 public:
  explicit TooManyChildren(std::size_t most) : most_(most) {}
  const char* name() const noexcept override { return "too-many-children"; }
  void check(const properties::Execution& e, std::vector<Violation>& out) const override {
    for (const auto& ti : e.trace.tasks) {
      if (!ti.id || e.index.children(ti.id).size() <= most_) continue;
      Violation v;
      v.kind = ViolationKind::invariant;
      v.tasks.push_back(ti.id);
      v.message = "task " + std::to_string(ti.id) + " spawned " + std::to_string(e.index.children(ti.id).size()) +
                  " children";
      out.push_back(std::move(v));
    }
  }

 private:
  std::size_t most_;
};

}  // namespace

TEST_CASE("TraceIndex: answers what a scan of the trace answers", "[properties][index]") {
  sim::SimPlatform sp;
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    sim::RandomSource rs(seed);
    auto r = sp.run(family, rs);
    REQUIRE(r.outcome == sim::Outcome::completed);
    compare(sp.trace());
  }
  // And on an empty trace, and on one whose tasks name a parent it does not have.
  sim::Trace empty;
  compare(empty);
  properties::TraceIndex ix(empty);
  CHECK_FALSE(ix.completed(7));
  CHECK(ix.children(7).empty());
  CHECK(ix.last_record(7) == properties::TraceIndex::none);
  sim::Trace odd;
  sim::TaskInfo orphan;
  orphan.id = 1;
  orphan.parent = 99;
  odd.tasks.push_back(orphan);
  properties::TraceIndex oix(odd);
  CHECK(oix.children(0) == std::vector<TaskId>{1});
}

TEST_CASE("Config::extra: a user's property runs beside the built-in ones", "[properties][index]") {
  sim::SimPlatform sp;
  sim::RandomSource rs(1);
  auto r = sp.run(family, rs);
  properties::Config config;
  CHECK(properties::check_all(sp.trace(), r, config).empty());
  config.extra.push_back(std::make_shared<TooManyChildren>(1));
  auto vs = properties::check_all(sp.trace(), r, config);
  REQUIRE(vs.size() == 2);  // both parents spawned two leaves
  CHECK(vs[0].message.find("spawned 2 children") != std::string::npos);
  config.extra = {std::make_shared<TooManyChildren>(2)};
  CHECK(properties::check_all(sp.trace(), r, config).empty());

  // Through the explorer, as weft::check runs it: the user's property finds the bug.
  model::ExploreOptions o;
  o.iterations = 5;
  o.properties.extra.push_back(std::make_shared<TooManyChildren>(1));
  auto rep = model::explore(o, family);
  REQUIRE_FALSE(rep.findings.empty());
  CHECK(rep.findings.front().violation.message.find("children") != std::string::npos);
  CHECK(*rep.executions_to_first_bug == 1);
}
