// A scenario that reads state outside the simulator: each run spawns one task more or one
// less than the run before. A campaign checks determinism on every N-th seed (the
// scenario's nondeterminism_check_every, 64 by default), as one long exploration checks
// every N-th execution; shapes_test.sh counts the findings.
#include <weft/scenarios/scenario.hpp>
#include <weft/weft.hpp>

using namespace weft;

namespace {
int runs = 0;  // outside the simulator: survives from one execution to the next

Task<void> noop() { co_return; }

void reads_outside() {
  ThreadPool pool(2, "workers");
  auto first = spawn(pool, noop());
  if (++runs % 2) {
    auto second = spawn(pool, noop());
    second.join();
  }
  first.join();
}

void deterministic() {
  ThreadPool pool(2, "workers");
  auto first = spawn(pool, noop());
  first.join();
}

scenarios::Register reg(scenarios::Scenario{"outside-state", ViolationKind::nondeterminism,
                                            "a run reads what the run before it left", reads_outside, deterministic, {}});
}  // namespace
