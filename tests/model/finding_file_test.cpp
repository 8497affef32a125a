// The finding file's versions and the trace schema it carries (model/src/finding_file.cpp):
// what weft writes now, that files written before the schema was numbered still read, and
// that a newer schema or a missing schema line is one line of error.
#include <catch2/catch.hpp>

#include <string>

#include "weft/model/finding_file.hpp"
#include "weft/trace/trace.hpp"

using namespace weft;

namespace {

model::RecordedFinding small_finding() {
  model::RecordedFinding f;
  f.name = "orders";
  f.replay_command = "WEFT_REPLAY=x ./tests";
  f.trace_hash = 0x1234;
  f.trace.threads.push_back({"main", 0, 0});
  f.trace.tasks.push_back({1, 0, f.trace.intern_site("app/a.cpp", 3), 0, 7, false, "only"});
  f.trace.records.push_back({0, 0, 0, EventKind::spawn, 1, 0, 0, 0, 1, f.trace.intern_text("only")});
  f.trace.records.push_back({5, 1, 0, EventKind::complete, 1, 0, 0, 0, 0, 0});
  return f;
}

std::string replace_first(std::string s, const std::string& from, const std::string& to) {
  auto at = s.find(from);
  REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("a finding file carries the trace schema, and older files still read", "[finding-file]") {
  STATIC_REQUIRE(trace::kTraceSchema == 2);
  CHECK(trace::schema_line() == "weft-trace schema 2");
  model::RecordedFinding f = small_finding();
  std::string text = model::to_finding_file(f);
  CHECK(text.rfind("weft-finding 2\ntrace-schema 2\nname \"orders\"\n", 0) == 0);

  std::string error;
  auto back = model::parse_finding_file(text, error);
  REQUIRE(back);
  CHECK(back->trace.hash() == f.trace.hash());
  CHECK(back->trace.task_name(1) == "only");

  // Version 1, as weft wrote it before the schema had a number: read as schema 1.
  std::string v1 = replace_first(replace_first(text, "trace-schema 2\n", ""), "weft-finding 2", "weft-finding 1");
  auto old = model::parse_finding_file(v1, error);
  REQUIRE(old);
  CHECK(old->trace.hash() == f.trace.hash());

  // A newer schema, a version 2 without its schema line, a bad one: one line each.
  for (auto [bad, says] : {std::pair{replace_first(text, "trace-schema 2", "trace-schema 3"), "trace schema 3 is newer"},
                           std::pair{replace_first(text, "trace-schema 2\n", ""), "expected \"trace-schema <n>\""},
                           std::pair{std::string("weft-finding 2\n"), "no \"trace-schema <n>\" line"},
                           std::pair{replace_first(text, "trace-schema 2", "trace-schema 0"), "expected \"trace-schema <n>\""},
                           std::pair{replace_first(text, "weft-finding 2", "weft-finding 3"), "or a newer version"}}) {
    INFO(bad);
    CHECK_FALSE(model::parse_finding_file(bad, error));
    CHECK(error.find(says) != std::string::npos);
    CHECK(error.find('\n') == std::string::npos);
  }
}

// Written by weft before schema 2 (weft catalogue's out/sync-over-async.bug/finding.weft):
// the executor of thread 1 ("ui", a serial executor's thread) is in its `thread` line only;
// its thread_start (record 1) and the timer thread's (record 6) say nothing of it.
const char* const kSchema1Finding = R"weft(weft-finding 2
trace-schema 1
name "sync-over-async.bug"
replay "weft replay w2.E3N5bmMtb3Zlci1hc3luYy5idWcOcG9ydGZvbGlvL3N1cncABmNvYXJzZQUwLjEuMAALhZDtpcue6ez3AQ.8b970b6e"
trace-hash f7d9a4f4b4bb4805
end-time 40000000
violation deadlock error 40000000 "deadlock: ui waits for task 2 \"scenarios::load_profile\" queued on ui" "chain: ui waits on task 2 \"scenarios::load_profile\" (scenarios/src/sync-over-async.cpp:29) -> task 2 \"scenarios::load_profile\"'s continuation is queued on ui, whose threads are all blocked (ui) -> back to ui (a cycle)\nwait-for cycle (found when it formed):\n  ui is blocked at scenarios/src/sync-over-async.cpp:29 waiting for task 2 \"scenarios::load_profile\" (spawned at scenarios/src/sync-over-async.cpp:29)\n    task 2 \"scenarios::load_profile\"'s continuation is queued on ui since 40.000 ms, never resumed\n    every thread of ui is blocked: ui\n"
violation-threads 1
violation-tasks 2
violation-locations "scenarios/src/sync-over-async.cpp:29"
violation-records 8 10
string "ui"
string "scenarios::on_click_blocking"
string "scenarios::load_profile"
site "scenarios/src/sync-over-async.cpp" 42
site "scenarios/src/sync-over-async.cpp" 29
thread "main" 0
thread "ui" 1
thread "timer" 0
task 1 0 1 1 11935276006840431412 0
task 2 1 2 0 14634475892652807605 0
executor 1 "ui"
record 0 0 0 2 0 0 1 0 0 1
record 0 0 0 0 0 0 0 1 0 0
record 0 0 0 3 1 0 1 0 1 2
record 0 0 0 4 1 0 1 0 0 0
record 0 2 1 5 1 0 1 0 0 0
record 0 2 1 3 2 1 0 0 2 3
record 0 2 1 0 0 0 0 2 0 0
record 0 2 1 10 2 0 0 40000000 0 0
record 0 2 1 8 1 2 0 0 2 0
record 40000000 4 2 11 2 0 0 40000000 0 0
record 40000000 4 2 4 2 0 1 0 0 0
)weft";

TEST_CASE("a finding file of trace schema 1 reads as schema 2, with the same trace hash", "[finding-file][schema]") {
  std::string error;
  auto f = model::parse_finding_file(kSchema1Finding, error);
  REQUIRE(f);
  const sim::Trace& t = f->trace;
  CHECK(f->trace_hash == 0xf7d9a4f4b4bb4805ull);  // the run's hash (trace and decisions), as saved
  // The trace as schema 1 had it: thread_start without executor. Schema 2's fields are left
  // out of the hash, so the migrated trace hashes as the schema-1 one did, and the tokens and
  // schedule files recorded under schema 1 still match.
  sim::Trace as_saved = t;
  for (auto& r : as_saved.records)
    if (r.kind == EventKind::thread_start) r.object = r.other = 0;
  const std::uint64_t schema1_hash = as_saved.hash();
  CHECK(t.hash() == schema1_hash);
  // The migration: thread_start records carry the executor from the threads table.
  REQUIRE(t.records.size() == 11);
  const sim::TraceRecord& ui = t.records[1];
  REQUIRE(ui.kind == EventKind::thread_start);
  CHECK(ui.value == 1);
  CHECK(ui.object == 1);  // executor 1, "ui"
  CHECK(ui.other == 1);   // it serves it
  const sim::TraceRecord& timer = t.records[6];
  REQUIRE(timer.kind == EventKind::thread_start);
  CHECK(timer.value == 2);
  CHECK(timer.object == 0);
  CHECK(timer.other == 0);
  CHECK(t.threads[1].executor == 1);
  CHECK(t.threads[1].attached == 1);
  REQUIRE(f->violations.size() == 1);
  CHECK(f->violations[0].kind == ViolationKind::deadlock);

  // Written again it is a schema-2 file that reads back the same, attachment included.
  std::string text = model::to_finding_file(*f);
  CHECK(text.rfind("weft-finding 2\ntrace-schema 2\n", 0) == 0);
  CHECK(text.find("\nrecord 0 0 0 0 0 1 1 1 0 0\n") != std::string::npos);  // kind 0 = thread_start
  auto again = model::parse_finding_file(text, error);
  REQUIRE(again);
  CHECK(again->trace.hash() == schema1_hash);
  CHECK(again->trace.records[1].object == 1);
  CHECK(again->trace.threads[1].attached == 1);

  // Schema 2 keeps a helper's attachment that the table's executor does not say.
  std::string helper = replace_first(text, "record 0 2 1 0 0 0 0 2 0 0", "record 0 2 1 0 0 0 1 2 0 0");
  auto h = model::parse_finding_file(helper, error);
  REQUIRE(h);
  CHECK(h->trace.threads[2].executor == 0);
  CHECK(h->trace.threads[2].attached == 1);
  CHECK(h->trace.hash() == schema1_hash);
}

// weft::Shared's records: an appended kind (access) and object kind (variable). Appending
// keeps the schema (trace.hpp): files without them read as before (above), files with them
// round-trip, and a kind past the last one this weft knows is one line of error.
TEST_CASE("a finding file carries Shared variables' records", "[finding-file][shared]") {
  model::RecordedFinding f = small_finding();
  std::uint32_t site = f.trace.intern_site("app/a.cpp", 9);
  f.trace.records.insert(f.trace.records.begin() + 1,
                         {1, 0, 0, EventKind::object_create, 1, 0, 4, std::int64_t(ObjectKind::variable), site,
                          f.trace.intern_text("balance")});
  f.trace.records.insert(f.trace.records.begin() + 2,
                         {2, 0, 0, EventKind::access, 1, 0, 4, std::int64_t(VariableAccess::write), site, 0});
  std::string text = model::to_finding_file(f);
  CHECK(text.rfind("weft-finding 2\ntrace-schema 2\n", 0) == 0);
  std::string error;
  auto back = model::parse_finding_file(text, error);
  REQUIRE(back);
  CHECK(back->trace.hash() == f.trace.hash());
  const sim::ObjectInfo* o = back->trace.object(4);
  REQUIRE(o);
  CHECK(o->kind == ObjectKind::variable);
  CHECK(back->trace.object_name(4) == "balance");
  CHECK(back->trace.records[2].kind == EventKind::access);

  const std::string access_kind = "record 2 0 0 " + std::to_string(unsigned(EventKind::access)) + " ";
  const std::string next_kind = "record 2 0 0 " + std::to_string(unsigned(EventKind::access) + 1) + " ";
  auto newer = model::parse_finding_file(replace_first(text, access_kind, next_kind), error);
  CHECK_FALSE(newer);
  CHECK(error.find("newer weft") != std::string::npos);
}
