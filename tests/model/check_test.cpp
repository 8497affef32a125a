// weft::check as a user's test sees it: the artefact directory, the failure message (every
// finding, causes first, kind once, detail, a replay line), WEFT_REPLAY matched by name,
// WEFT_FILTER, the recorded finding file, and the watchdog on a real blocking call.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "programs.hpp"
#include "weft/model/check.hpp"
#include "weft/model/finding_file.hpp"
#include "weft/sim/sim.hpp"
#include "weft/timer.hpp"

using namespace weft;
using namespace weft::model_test;
namespace fs = std::filesystem;

namespace {

struct Env {  // sets variables for one scope
  std::vector<std::string> names;
  Env& set(const char* n, const std::string& v) {
    ::setenv(n, v.c_str(), 1);
    names.push_back(n);
    return *this;
  }
  ~Env() {
    for (auto& n : names) ::unsetenv(n.c_str());
  }
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path fresh_dir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("weft-check-test-" + name);
  fs::remove_all(d);
  return d;
}

// A detached task that fails at once: its exception is lost (found in the same execution as
// the deadlock, which the simulator reports the moment the wait-for cycle forms).
Task<void> give_up_after(const bool* done) {
  if (!*done) throw std::runtime_error("transfers timed out");
  co_return;
}
Task<void> nap() { co_await sleep_for(1_ms); }

void deadlock_and_lost() {
  ThreadPool pool(2, "pool");
  Mutex m1, m2;
  bool done = false;
  spawn_detached(pool, give_up_after(&done));
  block_on(nap());  // the detached task has failed by now
  auto a = spawn(pool, lock_both(&pool, &m1, &m2));
  auto b = spawn(pool, lock_both(&pool, &m2, &m1));
  block_on(a);
  block_on(b);
  done = true;
  sim::settle();  // lets the detached task finish before the pool goes
}

model::ExploreOptions named(const std::string& name, std::uint64_t iterations = 200) {
  model::ExploreOptions o;
  o.name = name;
  o.strategy = "random";
  o.iterations = iterations;
  return o;
}

}  // namespace

TEST_CASE("causes come before symptoms, errors before warnings", "[check]") {
  std::vector<Violation> vs(4);
  vs[0].kind = ViolationKind::lost_exception;
  vs[1].kind = ViolationKind::misuse;
  vs[1].severity = Severity::warning;
  vs[2].kind = ViolationKind::deadlock;
  vs[3].kind = ViolationKind::hang;
  model::order_by_cause(vs);
  CHECK(vs[0].kind == ViolationKind::deadlock);
  CHECK(vs[1].kind == ViolationKind::hang);
  CHECK(vs[2].kind == ViolationKind::lost_exception);
  CHECK(vs[3].kind == ViolationKind::misuse);
}

TEST_CASE("a finding of weft::check writes the whole artefact directory and a full message", "[check]") {
  fs::path out = fresh_dir("artefacts");
  Env env;
  env.set("WEFT_OUT", out.string());
  auto r = weft::check(named("orders"), deadlock_and_lost);
  REQUIRE(r.findings.size() >= 2);
  CHECK(r.findings[0].violation.kind == ViolationKind::deadlock);  // the cause first
  fs::path dir = out / "orders";
  for (const char* f : {"schedule.weft", "token.txt", "trace.txt", "finding.weft", "report.md", "schedule.svg",
                        "schedule.dot", "timeline.json"})
    CHECK(fs::file_size(dir / f) > 0);
  std::string msg = weft::failure_message(r, "my test");
  INFO(msg);
  CHECK(msg.find("1. deadlock: ") != std::string::npos);
  CHECK(msg.find("2. lost-exception: ") != std::string::npos);
  CHECK(msg.find("deadlock: deadlock") == std::string::npos);
  CHECK(msg.find("     | ") != std::string::npos);  // the detail
  CHECK(msg.find("replay: WEFT_REPLAY=" + (dir / "schedule.weft").string() + " ") != std::string::npos);
  CHECK(msg.find(" 'my test'\n") != std::string::npos);
  CHECK(msg.find("trace hash: ") != std::string::npos);

  // The recorded execution reads back whole: same trace hash, every violation.
  std::string error;
  auto rec = model::parse_finding_file(slurp(dir / "finding.weft"), error);
  REQUIRE(rec);
  CHECK(rec->name == "orders");
  // Whole: every record as it happened; only source paths are made relative to the project.
  const sim::Trace& t = r.findings[0].trace;
  REQUIRE(rec->trace.records.size() == t.records.size());
  for (std::size_t i = 0; i < t.records.size(); ++i) {
    const auto &a = rec->trace.records[i], &b = t.records[i];
    CHECK((a.time == b.time && a.step == b.step && a.thread == b.thread && a.kind == b.kind && a.task == b.task &&
           a.other == b.other && a.object == b.object && a.value == b.value && a.site == b.site && a.text == b.text));
  }
  CHECK(rec->trace.strings == t.strings);
  for (const auto& site : rec->trace.sites) CHECK((site.file.empty() || (site.file[0] != '/' && site.file.rfind("../", 0) != 0)));
  REQUIRE(rec->violations.size() >= 2);
  CHECK(rec->violations[0].kind == ViolationKind::deadlock);
  // The same message, its paths made relative like every site.
  CHECK(rec->violations[0].message.substr(0, 30) == r.findings[0].violation.message.substr(0, 30));
  CHECK(rec->violations[0].message.find("../") == std::string::npos);
  CHECK(rec->violations[0].detail.find("each task waits") != std::string::npos);
  CHECK(rec->replay_command.rfind("WEFT_REPLAY=", 0) == 0);

  // A damaged file is one line of error, never a crash.
  std::string text = slurp(dir / "finding.weft");
  for (std::size_t cut : {std::size_t(0), std::size_t(5), text.size() / 2}) {
    std::string bad = text.substr(0, cut) + "record 1 2\n";
    CHECK_FALSE(model::parse_finding_file(bad, error));
    CHECK(error.find('\n') == std::string::npos);
  }
  fs::remove_all(out);
}

TEST_CASE("WEFT_REPLAY replays only into the check of the same name, WEFT_FILTER picks one", "[check]") {
  fs::path out = fresh_dir("replay");
  Env env;
  env.set("WEFT_OUT", out.string());
  auto found = weft::check(named("two locks"), [] { two_locks(false); });
  REQUIRE_FALSE(found.findings.empty());
  std::uint64_t hash = found.findings[0].trace_hash;

  for (std::string source : {model::to_token(found.findings[0].schedule), (out / "two_locks").string(),
                             (out / "two_locks" / "schedule.weft").string()}) {
    Env replay;
    replay.set("WEFT_REPLAY", source);
    auto again = weft::check(named("two locks", 999), [] { two_locks(false); });
    REQUIRE(again.executions == 1);
    REQUIRE_FALSE(again.findings.empty());
    CHECK(again.findings[0].trace_hash == hash);
    // Another check in the same binary explores as usual and keeps its own artefacts.
    auto other = weft::check(named("counter", 50), [] { counter(); });
    CHECK(other.executions == 50);
    CHECK(other.findings.empty());
  }
  {
    Env filter;
    filter.set("WEFT_FILTER", "two locks");
    auto skipped = weft::check(named("counter", 50), [] { counter(); });
    CHECK(skipped.executions == 0);
    auto picked = weft::check(named("two locks"), [] { two_locks(false); });
    CHECK_FALSE(picked.findings.empty());
  }
  fs::remove_all(out);
}

TEST_CASE("a std::mutex held across co_await is a hang finding, the test binary goes on", "[check][watchdog]") {
  fs::path out = fresh_dir("watchdog");
  Env env;
  env.set("WEFT_OUT", out.string()).set("WEFT_WATCHDOG", "1");
  auto r = weft::check(named("std mutex", 20), [] {
    ThreadPool pool(1, "pool");
    auto* m = new std::mutex;  // leaked on purpose: the stuck execution keeps using it
    auto holder = [](std::mutex* m) -> Task<void> {
      std::lock_guard g(*m);      // a real lock held across an await: the bug
      co_await sleep_for(1_ms);
    };
    auto a = spawn(pool, holder(m));
    auto b = spawn(pool, holder(m));  // blocks the only OS thread the simulation has
    a.join();
    b.join();
  });
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.violation.kind == ViolationKind::hang);
  CHECK(f.violation.message.find("made no progress for 1 s") != std::string::npos);
  CHECK(f.violation.message.find("seed 0") != std::string::npos);
  REQUIRE_FALSE(f.violation.locations.empty());
  CHECK(f.violation.locations[0].find("check_test.cpp") != std::string::npos);
  CHECK(fs::file_size(out / "std_mutex" / "schedule.svg") > 0);
  // The harness still works on this thread after abandoning one explorer.
  auto next = weft::check(named("after", 20), [] { counter(); });
  CHECK(next.findings.empty());
  CHECK(next.executions == 20);
  fs::remove_all(out);
}
