// A user's own scenario on the weft CLI: link weft::main, register, and `list`/`run` work.
#include <weft/scenarios/scenario.hpp>
#include <weft/sim/sim.hpp>
#include <weft/weft.hpp>

using namespace weft;

namespace {
void leaky_update() {
  ThreadPool pool(2);
  spawn_detached(pool, []() -> Task<void> {
    co_await sleep_for(10_ms);
    throw std::runtime_error("feed unavailable");
  }());
  weft::sim::settle();
}
void supervised_update() {
  ThreadPool pool(2);
  spawn_supervised(pool, []() -> Task<void> {
    co_await sleep_for(10_ms);
    throw std::runtime_error("feed unavailable");
  }(), [](std::exception_ptr) {});
  weft::sim::settle();
}
scenarios::Register reg(scenarios::Scenario{"my-feed", ViolationKind::lost_exception,
                                            "a user's detached feed update throws", leaky_update,
                                            supervised_update, {}});
}  // namespace
