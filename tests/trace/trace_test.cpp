// weft::trace on its own: this test links weft::trace and nothing else of weft's, so it
// also proves that the trace contract (event vocabulary, Trace, its hash and dump, the
// wait-for graph, RunResult) builds and works without the runtime or the simulator.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <source_location>
#include <string>

#include "weft/trace/emit.hpp"
#include "weft/trace/event.hpp"
#include "weft/trace/recorder.hpp"
#include "weft/trace/result.hpp"
#include "weft/trace/trace.hpp"
#include "weft/trace/waits.hpp"

namespace {

using weft::EventKind;
using weft::ObjectKind;
using weft::trace::Trace;
using weft::trace::TraceRecord;
using weft::trace::WaitGraph;

// Two tasks on a pool, each holding one async mutex and waiting for the other's: the
// lock-order inversion. `prefix` is interned first so that the tables' indices differ
// between traces that describe the same execution.
Trace inversion(const char* file_a = "app/a.cpp", const char* prefix = nullptr) {
  Trace t;
  if (prefix) {
    t.intern_text(prefix);
    t.intern_site(prefix, 1);
  }
  t.threads.push_back({"main", 0, 0});
  t.threads.push_back({"pool-0", 1, 1});
  t.executors.push_back({1, "pool"});
  std::uint32_t spawn_a = t.intern_site(file_a, 10);
  std::uint32_t spawn_b = t.intern_site("app/b.cpp", 20);
  std::uint32_t lock_a = t.intern_site(file_a, 12);
  std::uint32_t lock_b = t.intern_site("app/b.cpp", 22);
  t.tasks.push_back({1, 0, spawn_a, 1, 0x11, false, "left"});
  t.tasks.push_back({2, 0, spawn_b, 1, 0x22, false, "right"});
  t.objects.push_back({10, ObjectKind::mutex, "accounts", lock_a});
  t.objects.push_back({11, ObjectKind::mutex, "", lock_b});
  auto rec = [&](std::uint32_t step, weft::trace::ThreadIndex thread, EventKind kind, weft::TaskId task, weft::TaskId other,
                 weft::ObjectId object, std::uint32_t site, std::string_view text = {}) {
    t.records.push_back(TraceRecord{weft::Nanos(step) * 1000, step, thread, kind, task, other, object, 0, site, t.intern_text(text)});
  };
  rec(0, 0, EventKind::object_create, 0, 0, 10, lock_a, "accounts");
  rec(1, 0, EventKind::spawn, 1, 0, 1, spawn_a, "left");
  rec(2, 0, EventKind::spawn, 2, 0, 1, spawn_b, "right");
  rec(3, 1, EventKind::resume, 1, 0, 0, 0);
  rec(4, 1, EventKind::mutex_acquire, 1, 0, 10, lock_a);
  rec(5, 1, EventKind::suspend, 1, 0, 0, 0);
  rec(6, 1, EventKind::resume, 2, 0, 0, 0);
  rec(7, 1, EventKind::mutex_acquire, 2, 0, 11, lock_b);
  rec(8, 1, EventKind::mutex_wait, 2, 1, 10, lock_b);  // other = the owner it saw
  rec(9, 1, EventKind::suspend, 2, 0, 0, 0);
  rec(10, 1, EventKind::resume, 1, 0, 0, 0);
  rec(11, 1, EventKind::mutex_wait, 1, 2, 11, lock_a);
  return t;
}

}  // namespace

TEST_CASE("a trace's hash depends on what happened, not on how its tables were filled", "[trace]") {
  Trace t = inversion();
  CHECK(t.hash() == inversion().hash());
  Trace copy = t;
  CHECK(copy.hash() == t.hash());
  // Same execution, other string and site indices.
  Trace shifted = inversion("app/a.cpp", "unused");
  REQUIRE(shifted.records[1].site != t.records[1].site);
  CHECK(shifted.hash() == t.hash());
  // A site reached through ./ or ../ (a launcher that rewrites paths) hashes the same.
  CHECK(inversion("./app/a.cpp").hash() == t.hash());
  CHECK(inversion("../app/a.cpp").hash() == t.hash());
  // Any field of any record changes it.
  Trace other = t;
  other.records[4].value = 1;
  CHECK(other.hash() != t.hash());
  other = t;
  other.records[7].object = 12;
  CHECK(other.hash() != t.hash());
  other = t;
  other.threads[1].name = "pool-1";
  CHECK(other.hash() != t.hash());
  other = t;
  other.strings[other.records[1].text] = "lefty";
  CHECK(other.hash() != t.hash());
  // The value at the move of these types into weft::trace: saved schedules and the corpus
  // carry trace hashes, so a change of the hash function shows here first.
  CHECK(t.hash() == 0x2f1fb36d5cc29866ull);
}

TEST_CASE("a trace dumps one line per record and names tasks and objects", "[trace]") {
  Trace t = inversion();
  std::string d = t.dump();
  CHECK(d.rfind("t=0 s=0 th=main object_create task=0 object=10 at=app/a.cpp:12 text=\"accounts\"\n", 0) == 0);
  CHECK(d.find("t=8000 s=8 th=pool-0 mutex_wait task=2 other=1 object=10 at=app/b.cpp:22\n") != std::string::npos);
  CHECK(std::count(d.begin(), d.end(), '\n') == long(t.records.size()));
  t.threads[1].name = "pool 0\n";
  CHECK(t.dump().find("th=\"pool 0\\n\" resume") != std::string::npos);
  CHECK(t.task_label(1) == "task 1 \"left\"");
  CHECK(t.task_name(3) == "task 3");
  CHECK(t.object_label(10, "mutex") == "mutex #10 \"accounts\"");
  CHECK(t.object_name(11) == "mutex #11");
  CHECK(t.object_name(99) == "object #99");
  CHECK(t.executor_name(1) == "pool");
  t.clear();
  CHECK(t.records.empty());
  CHECK(t.strings.size() == 1);
  CHECK(t.dump().empty());
}

TEST_CASE("the wait-for graph closes the lock-order cycle at the second wait", "[trace][waits]") {
  Trace t = inversion();
  WaitGraph g(t);
  auto last = std::uint32_t(t.records.size() - 1);
  for (std::uint32_t i = 0; i < last; ++i) g.apply(i);
  CHECK(g.deadlocked().empty());  // task 2 waits for task 1, which still runs
  CHECK(g.owner(10) == 1);
  CHECK(g.owner(11) == 2);
  CHECK(g.apply(last));
  auto stuck = g.deadlocked();
  using Node = WaitGraph::Node;
  CHECK(stuck == std::set<Node>{Node{false, 1}, Node{false, 2}});
  CHECK(g.cycle_in(stuck) == std::vector<Node>{Node{false, 1}, Node{false, 2}});
  CHECK(WaitGraph::join(g.chain(Node{false, 1})) ==
        "task 1 \"left\" waits on mutex #11 (app/a.cpp:12) held by task 2 \"right\" (locked at app/b.cpp:22) -> "
        "task 2 \"right\" waits on mutex #10 \"accounts\" (app/b.cpp:22) held by task 1 \"left\" (locked at app/a.cpp:12) -> "
        "back to task 1 \"left\" (a cycle)");
  // Fed again from the start, the same answer.
  g.clear();
  g.apply_all();
  CHECK(g.deadlocked() == stuck);
}

TEST_CASE("a run's outcome and the event vocabulary have their names here", "[trace]") {
  weft::trace::RunResult r;
  CHECK(r.outcome == weft::trace::Outcome::completed);
  CHECK(std::string(to_string(weft::trace::Outcome::step_limit)) == "step-limit");
  CHECK(std::string(weft::to_string(EventKind::object_create)) == "object_create");
  CHECK(std::string(weft::to_string(ObjectKind::other)) == "object");
  weft::TraceEvent e = weft::trace::event::probe(3, "x", 7, 4500 * weft::Nanos(1000000000), {});
  CHECK(weft::probe_deadline(e.object, e.other) == 4500 * weft::Nanos(1000000000));
}

TEST_CASE("a thread_start record tells the threads table its executor, outside the hash", "[trace][recorder]") {
  auto run = [](weft::ObjectId helper_of) {
    Trace t;
    weft::trace::Recorder rec(t);
    t.threads.push_back({"main", 0, 0});
    t.threads.push_back({"pool-0", 0, 0});
    rec.record(weft::trace::event::thread_start(1, 3, true), 0, 0, 0, true);
    t.threads.push_back({"pool-injector", 0, 0});
    rec.record(weft::trace::event::thread_start(2, helper_of, false), 0, 0, 0, true);
    return t;
  };
  Trace t = run(3);
  CHECK((t.records[0].object == 3 && t.records[0].other == 1 && t.records[0].value == 1));
  CHECK(t.threads[1].executor == 3);  // a worker serves its executor
  CHECK(t.threads[1].attached == 3);
  CHECK(t.threads[2].executor == 0);  // a helper belongs to it without serving it
  CHECK(t.threads[2].attached == 3);
  // The hash covers schema 1's fields: the executor a thread serves (in the table), not
  // thread_start's own copy, nor a helper's attachment (which schema 1 did not record).
  CHECK(run(0).hash() == t.hash());
  Trace served = run(3);
  served.threads[2].executor = 3;
  CHECK(served.hash() != t.hash());
}

TEST_CASE("the builders of trace::event put each fact in the field the schema gives it", "[trace][emit]") {
  namespace ev = weft::trace::event;
  const std::source_location here = std::source_location::current();
  weft::TraceEvent s = ev::spawn(4, 2, 7, true, here, "worker");
  CHECK((s.kind == EventKind::spawn && s.task == 4 && s.other == 2 && s.object == 7 && s.value == 1));
  CHECK((s.file == here.file_name() && s.line == here.line() && s.text == "worker"));
  weft::TraceEvent b = ev::blocking(false, 3, weft::WorkKind::cpu_work, 50, {});
  CHECK((b.kind == EventKind::blocking_end && b.task == 3 && b.object == weft::ObjectId(weft::WorkKind::cpu_work)));
  CHECK((b.value == 50 && b.file == nullptr && b.line == 0));
  weft::TraceEvent m = ev::monitor(true, 5, "lag", 9, here);
  CHECK((m.kind == EventKind::monitor_hot && m.task == 5 && m.value == 9 && m.text == "lag"));
  CHECK(ev::monitor(false, 5, "lag", 9, here).kind == EventKind::monitor_cold);
  weft::TraceEvent a = ev::annotation(1, "monitor x hot", here);
  CHECK((a.kind == EventKind::user && a.text == "monitor x hot" && a.value == 0));
  weft::TraceEvent c = ev::cancelled(6, 8, 2);
  CHECK((c.kind == EventKind::cancelled && c.task == 6 && c.object == 8 && c.other == 2));
  const std::source_location* none = nullptr;
  CHECK(ev::exception_observed(1, 2, none).file == nullptr);
  CHECK(ev::sync(EventKind::sem_acquire, 1, 2, 0, 3, here).value == 3);
  CHECK(ev::is_sync(EventKind::channel_close));
  CHECK(!ev::is_sync(EventKind::spawn));
  weft::TraceEvent f = ev::fault(2, "disk", true);
  CHECK((f.kind == EventKind::fault && f.value == 1 && f.text == "disk" && f.task == 2));
}

TEST_CASE("the recorder turns reported events into records and the tables beside them", "[trace][recorder]") {
  auto run = [](const char* file) {
    Trace t;
    t.threads.push_back({"main", 0, 0});
    t.threads.push_back({"pool-0", 0, 1});
    weft::trace::Recorder rec(t);
    auto ev = [&](EventKind k, weft::TaskId task, weft::TaskId other, weft::ObjectId object, std::int64_t value,
                  std::uint32_t line = 0, std::string_view text = {}) {
      weft::TraceEvent e{k};
      e.task = task;
      e.other = other;
      e.object = object;
      e.value = value;
      e.file = line ? file : nullptr;
      e.line = line;
      e.text = text;
      return e;
    };
    CHECK(rec.record(ev(EventKind::executor_create, 0, 0, 1, 0, 0, "pool"), 0, 0, 0, true) == 0);
    rec.record(ev(EventKind::object_create, 0, 0, 2, std::int64_t(ObjectKind::semaphore), 5, "slots"), 0, 0, 0, true);
    // Two children of task 0 from one site, then a grandchild.
    rec.record(ev(EventKind::spawn, 1, 0, 1, 0, 9, "worker"), 0, 1, 0, true);
    rec.record(ev(EventKind::spawn, 2, 0, 1, 1, 9), 0, 2, 0, true);
    rec.record(ev(EventKind::resume, 1, 0, 1, 0), 10, 3, 1, true);
    rec.record(ev(EventKind::spawn, 3, 1, 0, 0, 12), 10, 4, 1, true);
    rec.record(ev(EventKind::wake, 0, 0, 0, 0), 20, 5, 1, false);  // from outside any thread
    return t;
  };
  Trace t = run("app/pool.cpp");
  REQUIRE(t.records.size() == 7);
  CHECK(t.records[4].time == 10);
  CHECK(t.records[4].step == 3);
  CHECK(t.records[4].thread == 1);
  CHECK(t.records[6].thread == 0);
  CHECK(t.executor_name(1) == "pool");
  CHECK(t.object_label(2, "object") == "semaphore #2 \"slots\"");
  CHECK(t.site_at(t.object(2)->site).str() == "app/pool.cpp:5");
  REQUIRE(t.tasks.size() == 3);
  CHECK(t.task_name(1) == "worker");
  CHECK(t.tasks[1].detached);
  CHECK(t.tasks[2].parent == 1);
  CHECK(t.threads[1].executor == 1);  // it resumed a task of executor 1
  // Stable keys: by parent, site and rank under the parent, so siblings from one site differ
  // and a rerun (or the same file reached through ./) gives the same keys.
  CHECK(t.tasks[0].stable_key != t.tasks[1].stable_key);
  Trace again = run("./app/pool.cpp");
  for (std::size_t i = 0; i < 3; ++i) CHECK(again.tasks[i].stable_key == t.tasks[i].stable_key);
  CHECK(again.hash() == t.hash());
  CHECK(run("app/other.cpp").tasks[0].stable_key != t.tasks[0].stable_key);
}
