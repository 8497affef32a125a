// A replay proves it reproduced the execution, not only its decisions: schedules carry the
// trace hash and record count; trace-only divergence, left-over decisions, corrupt schedule
// files, the first execution and heap addresses are all caught.
#include <catch2/catch.hpp>
#include <cstdint>
#include <iostream>
#include <memory>

#include "programs.hpp"
#include "weft/model/strategies/random.hpp"
#include "weft/platform.hpp"

using namespace weft;
using namespace weft::model_test;

namespace {

std::uint64_t g_calls = 0;  // survives executions: state outside the simulator

Task<void> note_calls(ThreadPool* pool) {
  co_await spawn(*pool, noop());
  weft::annotate("call " + std::to_string(++g_calls));  // same questions, other trace
}

// Asks the same scheduling questions every time; writes a global into the trace.
void reads_a_global() {
  ThreadPool pool(2, "pool");
  auto a = spawn(pool, note_calls(&pool));
  auto b = spawn(pool, noop());
  block_on(a);
  block_on(b);
}

Task<void> note_address(ThreadPool* pool) {
  auto block = std::make_unique<std::uint64_t[]>(5);
  co_await spawn(*pool, noop());
  weft::annotate("block at " + std::to_string(reinterpret_cast<std::uintptr_t>(block.get()) % 100000));
}

// Prints a heap address into the trace (as a log line with a pointer would).
void prints_an_address() {
  ThreadPool pool(2, "pool");
  auto a = spawn(pool, note_address(&pool));
  block_on(a);
}

Task<void> branch_on_address(ThreadPool* pool) {
  auto block = std::make_unique<std::uint64_t[]>(5);
  // A decision taken on an address: one more hop (one more scheduling point) or not.
  if (reinterpret_cast<std::uintptr_t>(block.get()) & 16) co_await spawn(*pool, noop());
  co_await spawn(*pool, noop());
}

void branches_on_an_address() {
  ThreadPool pool(2, "pool");
  auto a = spawn(pool, branch_on_address(&pool));
  auto b = spawn(pool, noop());
  block_on(a);
  block_on(b);
}

struct Recorded {
  model::Schedule schedule;
  sim::Trace trace;
  sim::RunResult result;
};

Recorded record(const std::function<void()>& body, std::uint64_t seed) {
  sim::SimPlatform sim;
  model::RandomStrategy strategy(seed);
  strategy.begin_execution(0);
  Recorded out;
  out.result = sim.run(body, strategy);
  out.schedule = model::schedule_of(sim, model::ExploreOptions{});
  model::stamp_trace(out.schedule, out.result, sim.trace());
  out.trace = sim.trace();
  return out;
}

}  // namespace

TEST_CASE("a schedule carries its trace through the token and the file", "[replay][proof]") {
  Recorded r = record([] { two_locks(true); }, 3);
  REQUIRE(r.schedule.trace_records == r.trace.records.size());
  REQUIRE(r.schedule.trace_records > 0);
  const std::string token = model::to_token(r.schedule);
  CHECK(token.rfind("w2.", 0) == 0);
  auto t = model::parse_token(token);
  REQUIRE(t.ok());
  CHECK(t.value() == r.schedule);
  const std::string file = model::to_file(r.schedule);
  CHECK(file.rfind("weft-schedule 2\n", 0) == 0);
  CHECK(file.find("\ntrace: ") != std::string::npos);
  CHECK(file.find("\nchecksum: ") != std::string::npos);
  auto f = model::parse_file(file);
  REQUIRE(f.ok());
  CHECK(f.value() == r.schedule);
  // Without a trace the formats stay version 1, as before.
  model::Schedule plain = r.schedule;
  plain.trace_hash = plain.trace_records = 0;
  CHECK(model::to_token(plain).rfind("w1.", 0) == 0);
  CHECK(model::to_file(plain).rfind("weft-schedule 1\n", 0) == 0);
}

TEST_CASE("same decisions, another trace: every replay says so, at the first differing record", "[replay][proof]") {
  int reported = 0, with_record = 0;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    Recorded r = record(reads_a_global, seed);
    // From the token alone (what a bug report carries): the hash and the record count.
    auto parsed = model::parse_token(model::to_token(r.schedule));
    REQUIRE(parsed.ok());
    auto again = model::replay(parsed.value(), reads_a_global, outcome_checker);
    if (again.diverged && again.trace_only) ++reported;
    // With the recorded trace at hand: the first record that differs.
    auto located = model::replay(r.schedule, reads_a_global, outcome_checker, {}, &r.trace);
    if (located.diverged && located.divergence.find("at record ") != std::string::npos &&
        located.divergence.find("recorded user") != std::string::npos)
      ++with_record;
    if (seed == 0) std::cout << "trace-only divergence: " << located.divergence << "\n";
  }
  CHECK(reported == 20);
  CHECK(with_record == 20);
}

TEST_CASE("a replay that ends before the schedule's last decision diverges", "[replay][proof]") {
  Recorded r = record([] { two_locks(true); }, 5);
  model::Schedule longer = r.schedule;
  longer.trace_records = 0;  // a hand-made schedule: only the decisions count
  longer.decisions.push_back(longer.decisions.back());
  auto again = model::replay(longer, [] { two_locks(true); }, outcome_checker);
  CHECK(again.diverged);
  CHECK_FALSE(again.trace_only);
  CHECK(again.divergence.find("ended after " + std::to_string(r.schedule.decisions.size()) + " of the schedule's " +
                              std::to_string(longer.decisions.size()) + " decisions") != std::string::npos);
  // The schedule as recorded replays clean.
  CHECK_FALSE(model::replay(r.schedule, [] { two_locks(true); }, outcome_checker).diverged);
}

TEST_CASE("a corrupted schedule file is refused, never replayed as the user's nondeterminism", "[replay][proof]") {
  Recorded r = record([] { two_locks(false); }, 11);
  const std::string file = model::to_file(r.schedule);
  std::uint64_t state = 12345;
  int refused = 0, same = 0, accepted_other = 0;
  for (int i = 0; i < 400; ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    std::string bad = file;
    const std::size_t at = static_cast<std::size_t>((state >> 33) % bad.size());
    const char digits[] = "0123456789 abcdeft@r";
    bad[at] = digits[(state >> 20) % 20];
    auto p = model::parse_file(bad);
    if (!p.ok())
      ++refused;
    else if (p.value() == r.schedule)
      ++same;  // e.g. a space became a space
    else
      ++accepted_other;
  }
  std::cout << "400 corrupted files: " << refused << " refused, " << same << " unchanged, " << accepted_other
            << " accepted with other content\n";
  CHECK(accepted_other == 0);
  CHECK(refused > 300);
  // An edited schedule replays once its checksum line is gone.
  std::string edited = file;
  const std::size_t c = edited.find("checksum: ");
  edited.erase(c, edited.find('\n', c) + 1 - c);
  auto p = model::parse_file(edited);
  REQUIRE(p.ok());
  CHECK(p.value() == r.schedule);
  std::string tampered = file;
  tampered[tampered.size() - 2] = tampered[tampered.size() - 2] == '0' ? '1' : '0';
  auto q = model::parse_file(tampered);
  REQUIRE_FALSE(q.ok());
  CHECK(q.error().message.find("bad checksum") != std::string::npos);
}

TEST_CASE("the nondeterminism check runs on the first execution", "[replay][proof]") {
  model::ExploreOptions o;
  o.name = "first";
  o.iterations = 1;
  o.nondeterminism_check_every = 64;
  auto report = model::explore(o, reads_a_global, outcome_checker);
  CHECK(report.nondeterminism_checks == 1);
  REQUIRE(report.findings.size() == 1);
  CHECK(report.findings[0].violation.kind == ViolationKind::nondeterminism);
}

TEST_CASE("a heap address in the trace or in a decision is nondeterminism (shifted heap)", "[replay][proof]") {
  // Through the explorer: found by its first check.
  model::ExploreOptions o;
  o.name = "address";
  o.iterations = 10;
  auto printed = model::explore(o, prints_an_address, outcome_checker);
  REQUIRE(printed.findings.size() == 1);
  CHECK(printed.findings[0].violation.kind == ViolationKind::nondeterminism);
  // A branch on an address bit: every execution is checked; report how many checks it took.
  o.iterations = 200;
  o.nondeterminism_check_every = 1;
  auto branched = model::explore(o, branches_on_an_address, outcome_checker);
  REQUIRE_FALSE(branched.findings.empty());
  CHECK(branched.findings[0].violation.kind == ViolationKind::nondeterminism);
  std::cout << "address branch caught after " << branched.nondeterminism_checks << " check(s): "
            << branched.findings[0].violation.message << "\n";
}

TEST_CASE("a finding is confirmed by a replay before it is reported", "[replay][proof]") {
  // A deadlock whose trace also carries a global: the deadlock stays, followed by the
  // nondeterminism that makes its replay inexact.
  g_calls = 0;
  auto body = [] {
    // From the third run on (after the check of execution 1), each run writes another line.
    if (++g_calls > 2) weft::annotate("run " + std::to_string(g_calls));
    two_locks(false);
  };
  model::ExploreOptions o;
  o.name = "confirm";
  o.iterations = 200;
  o.nondeterminism_check_every = 1000;  // only the confirmation replays
  auto report = model::explore(o, body, outcome_checker);
  REQUIRE(report.findings.size() == 2);
  CHECK(report.findings[0].violation.kind == ViolationKind::deadlock);
  CHECK(report.findings[1].violation.kind == ViolationKind::nondeterminism);
  CHECK(report.findings[1].violation.message.find("while confirming deadlock") != std::string::npos);
  CHECK(report.findings[0].schedule.trace_records > 0);
}
