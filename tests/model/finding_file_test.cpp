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
  STATIC_REQUIRE(trace::kTraceSchema == 1);
  CHECK(trace::schema_line() == "weft-trace schema 1");
  model::RecordedFinding f = small_finding();
  std::string text = model::to_finding_file(f);
  CHECK(text.rfind("weft-finding 2\ntrace-schema 1\nname \"orders\"\n", 0) == 0);

  std::string error;
  auto back = model::parse_finding_file(text, error);
  REQUIRE(back);
  CHECK(back->trace.hash() == f.trace.hash());
  CHECK(back->trace.task_name(1) == "only");

  // Version 1, as weft wrote it before the schema had a number: read as schema 1.
  std::string v1 = replace_first(replace_first(text, "trace-schema 1\n", ""), "weft-finding 2", "weft-finding 1");
  auto old = model::parse_finding_file(v1, error);
  REQUIRE(old);
  CHECK(old->trace.hash() == f.trace.hash());

  // A newer schema, a version 2 without its schema line, a bad one: one line each.
  for (auto [bad, says] : {std::pair{replace_first(text, "trace-schema 1", "trace-schema 2"), "trace schema 2 is newer"},
                           std::pair{replace_first(text, "trace-schema 1\n", ""), "expected \"trace-schema <n>\""},
                           std::pair{std::string("weft-finding 2\n"), "no \"trace-schema <n>\" line"},
                           std::pair{replace_first(text, "trace-schema 1", "trace-schema 0"), "expected \"trace-schema <n>\""},
                           std::pair{replace_first(text, "weft-finding 2", "weft-finding 3"), "or a newer version"}}) {
    INFO(bad);
    CHECK_FALSE(model::parse_finding_file(bad, error));
    CHECK(error.find(says) != std::string::npos);
    CHECK(error.find('\n') == std::string::npos);
  }
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
  CHECK(text.rfind("weft-finding 2\ntrace-schema 1\n", 0) == 0);
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
