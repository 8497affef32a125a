// The catalogue's contract: every scenario is registered under its name with its verdict,
// every bug is flagged with that verdict by the general properties, and every fix passes.
// Fast set: a short exploration per fix (the heavy test runs 10,000 per fix).
#include <catch2/catch.hpp>

#include <array>
#include <string_view>

#include "catalogue_support.hpp"
#include "weft/scenarios/capacity.hpp"

using namespace weft;
using namespace weft::scenarios;
using namespace weft::scenarios::testing;

namespace {
struct Contract {
  std::string_view name;
  ViolationKind expected;
};
constexpr std::array<Contract, 13> kContract = {{
    {"sync-over-async", ViolationKind::deadlock},
    {"pool-starvation", ViolationKind::starvation},
    {"async-over-sync", ViolationKind::starvation},
    {"redundant-hop", ViolationKind::misuse},
    {"fire-and-forget", ViolationKind::lost_exception},
    {"block-on-under-load", ViolationKind::deadlock},
    {"when-all-exceptions", ViolationKind::lost_exception},
    {"when-any-leak", ViolationKind::hang},
    {"uncancelled-query", ViolationKind::cancellation},
    {"heartbeat", ViolationKind::starvation},
    {"double-await", ViolationKind::misuse},
    {"capture-context", ViolationKind::deadlock},
    {"web-server", ViolationKind::starvation},
}};
}  // namespace

TEST_CASE("the catalogue registers every contract name, in order, with its verdict", "[scenarios]") {
  REQUIRE(all().size() >= kContract.size());
  for (std::size_t i = 0; i < kContract.size(); ++i) {
    INFO(kContract[i].name);
    CHECK(all()[i].name == kContract[i].name);
    const Scenario* s = find(kContract[i].name);
    REQUIRE(s != nullptr);
    CHECK(s->expected == kContract[i].expected);
    CHECK(s->options.name == s->name);
    CHECK_FALSE(s->summary.empty());
  }
  CHECK(find("no-such-scenario") == nullptr);
}

TEST_CASE("every bug is flagged with its expected kind", "[scenarios]") {
  for (const auto& s : all()) {
    DYNAMIC_SECTION(s.name) {
      auto report = explore_variant(s, Variant::bug, 200);
      INFO(describe_findings(report));
      CHECK(flagged_with(report, s.expected));
    }
  }
}

TEST_CASE("every fix passes a short exploration", "[scenarios]") {
  for (const auto& s : all()) {
    DYNAMIC_SECTION(s.name) {
      auto report = explore_variant(s, Variant::fix, 300);
      INFO(describe_findings(report));
      CHECK(report.findings.empty());
      CHECK(report.executions == 300);
    }
  }
}

TEST_CASE("capacity: blocking handlers queue behind 10 workers, awaiting ones do not", "[scenarios][capacity]") {
  auto blocking11 = measure_capacity(true, 11);
  CHECK(blocking11.completion == 4_s);  // the 11th request waits a whole database call
  CHECK(blocking11.peak_threads_busy == 10);
  auto blocking1000 = measure_capacity(true, 1000);
  CHECK(blocking1000.completion == 200_s);
  CHECK(blocking1000.throughput_rps == Approx(5.0));
  auto awaiting10000 = measure_capacity(false, 10'000);
  CHECK(awaiting10000.completion == 2_s);
  CHECK(awaiting10000.latency_p99 == 2_s);
  CHECK(awaiting10000.peak_threads_busy == 0);
  auto table = capacity_table();
  CHECK(table.find("| blocking | 10000 |") != std::string::npos);
  CHECK(table.find("| awaiting | 10000 |") != std::string::npos);
}
