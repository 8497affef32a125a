// The simulator's fake devices: a remote Service and a Disk, all draws recorded decisions.
#include <catch2/catch.hpp>

#include <set>
#include <weft/sim/disk.hpp>
#include <weft/sim/service.hpp>
#include <weft/sim/sim.hpp>

using namespace weft;

TEST_CASE("a service takes its latency in virtual time, sync and async", "[sim][devices]") {
  sim::SimPlatform sp;
  sim::RandomSource rs(1);
  Nanos sync_done = 0, async_done = 0;
  auto r = sp.run([&] {
    sim::Service db(sim::ServiceOptions{"db", 2_s, 2_s, 1_ms, 0, 0});
    ThreadPool pool(2);
    spawn(pool, [](sim::Service& s) -> Task<void> {
      s.call(sim::Request{1, "SELECT 1"});
      co_return;
    }(db)).join();
    sync_done = current_platform().now();
    spawn(pool, [](sim::Service& s) -> Task<void> {
      sim::Request req{2, "SELECT 2"};
      auto call = s.call_async(req);
      auto resp = co_await std::move(call);
      (void)resp;
    }(db)).join();
    async_done = current_platform().now();
  }, rs);
  CHECK(r.outcome == sim::Outcome::completed);
  CHECK(sync_done == 2_s);
  CHECK(async_done == 4_s);
}

namespace {
// Three writes that may fail (a fault point at 50%), then a read; returns e.g. "wEw:v2".
std::string disk_program(sim::SimPlatform& sp, std::uint64_t seed) {
  sim::RandomSource rs(seed);
  std::string outcome;
  auto r = sp.run([&] {
    sim::Disk disk(sim::DiskOptions{"disk", 100_us, 100_us, 1_ms, 3_ms, 10_us, 500000});
    ThreadPool pool(1);
    outcome = spawn(pool, [](sim::Disk& d) -> Task<std::string> {
      std::string log;
      for (int i = 0; i < 3; ++i) {
        try {
          co_await d.write("k", "v" + std::to_string(i));
          log += "w";
        } catch (const sim::DiskError&) {
          log += "E";
        }
      }
      auto v = co_await d.read("k");
      co_return log + ":" + v.value_or("none");
    }(disk)).join();
  }, rs);
  REQUIRE(r.outcome == sim::Outcome::completed);
  return outcome;
}
}  // namespace

TEST_CASE("disk: data persists, latency is virtual, write errors are decisions", "[sim][devices]") {
  sim::SimPlatform sp;
  std::set<std::string> outcomes;
  for (std::uint64_t seed = 0; seed < 64; ++seed) {
    std::string outcome = disk_program(sp, seed);
    // The last successful write is what a read returns.
    auto log = outcome.substr(0, 3);
    auto last = log.find_last_of('w');
    CHECK(outcome.substr(4) == (last == std::string::npos ? "none" : "v" + std::to_string(last)));
    outcomes.insert(outcome);
    CHECK(disk_program(sp, seed) == outcome);  // same seed, same outcome
  }
  CHECK(outcomes.size() >= 4);  // the explorer can reach different fault patterns
}
