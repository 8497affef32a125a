// A scenario of our own on the weft CLI: link weft::main and register it.
#include <weft/scenarios/scenario.hpp>
#include <weft/sim/sim.hpp>
#include <weft/weft.hpp>

using namespace weft;

namespace {
void leaky() {
  ThreadPool pool(2);
  spawn_detached(pool, []() -> Task<void> {
    co_await sleep_for(10_ms);
    throw std::runtime_error("feed unavailable");
  }());
  sim::settle();
}
void supervised() {
  ThreadPool pool(2);
  spawn_supervised(pool, []() -> Task<void> {
    co_await sleep_for(10_ms);
    throw std::runtime_error("feed unavailable");
  }(), [](std::exception_ptr) {});
  sim::settle();
}
scenarios::Register reg(scenarios::Scenario{"consumer-feed", ViolationKind::lost_exception,
                                            "a detached feed update throws", leaky, supervised, {}});
}  // namespace
