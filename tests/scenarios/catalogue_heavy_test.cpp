// Heavy: every fix passes 10,000 explored executions with zero violations (label heavy).
#include <catch2/catch.hpp>

#include "catalogue_support.hpp"

using namespace weft::scenarios;
using namespace weft::scenarios::testing;

TEST_CASE("every fix passes 10,000 explored executions", "[scenarios][heavy]") {
  for (const auto& s : all()) {
    DYNAMIC_SECTION(s.name) {
      auto report = explore_variant(s, Variant::fix, 10'000);
      INFO(describe_findings(report));
      CHECK(report.findings.empty());
      CHECK(report.executions == 10'000);
    }
  }
}
