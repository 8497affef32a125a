// The bar of the detection suite: at the default settings every bug of programs.hpp is found
// with its kind within a median of 100 executions over 20 seeds, and no twin is flagged in
// 10,000 executions. (Counts of executions, not timings.)
#include <catch2/catch.hpp>
#include <iostream>

#include "measure.hpp"

using namespace weft;
using namespace weft::detection;

TEST_CASE("every bug within a median of 100 executions over 20 seeds", "[detection][heavy]") {
  for (const Case& c : cases()) {
    auto runs = executions_to_find(c, 20, 1000);
    std::cout << c.name << ": median " << median(runs) << " executions\n";
    INFO(c.name);
    CHECK(median(runs) <= 100);
  }
}

TEST_CASE("no twin is flagged in 10,000 executions", "[detection][heavy]") {
  for (const Case& c : cases()) {
    INFO(c.name);
    CHECK(twin_findings(c, 10000) == 0);
  }
}
