// The programs compiled twice: for real on loopback both builds give the same results;
// in the simulator the weft build gives them too, deterministically per seed, and the
// explorer varies the interleavings.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include <weft/model/check.hpp>
#include <weft/sim/net.hpp>
#include <weft/sim/sim.hpp>

#include "programs.hpp"

using namespace weft;

TEST_CASE("each program gives the same result on asio and on weft::asio, on loopback") {
  for (const char* name : programs::kNames) {
    INFO(name);
    std::string a = programs::real::run(name);
    std::string w = programs::weft_asio::run(name);
    CHECK(a == w);
    CHECK(a.find("error") == std::string::npos);
  }
  CHECK(programs::real::run("timeout") == "fast=re:fast slow=timeout");
}

TEST_CASE("in the simulator: the same results, same seed same trace over 1,000 seeds, several interleavings") {
  for (const char* name : programs::kNames) {
    INFO(name);
    std::string expected = programs::real::run(name);
    sim::SimPlatform sp;
    std::set<std::uint64_t> hashes;
    int seeds = 1000;
    for (int seed = 0; seed < seeds; ++seed) {
      std::string r1, r2;
      sim::RandomSource a(seed), b(seed);
      auto x = sp.run([&] { sim::Network wire; r1 = programs::weft_asio::run_simulated(name, wire); }, a);
      auto y = sp.run([&] { sim::Network wire; r2 = programs::weft_asio::run_simulated(name, wire); }, b);
      REQUIRE(x.outcome == sim::Outcome::completed);
      REQUIRE(x.trace_hash == y.trace_hash);
      REQUIRE(r1 == expected);
      REQUIRE(r2 == r1);
      hashes.insert(x.trace_hash);
    }
    INFO("distinct traces: " << hashes.size());
    CHECK(hashes.size() > 1);
  }
}

TEST_CASE("the programs pass the general properties under exploration") {
  for (const char* name : programs::kNames) {
    INFO(name);
    model::ExploreOptions o;
    o.name = std::string("asio-program-") + name;
    o.iterations = 200;
    auto report = weft::check(o, [&] {
      sim::Network wire;
      (void)programs::weft_asio::run_simulated(name, wire);
    });
    WEFT_REQUIRE_NO_VIOLATION(report);
  }
}
