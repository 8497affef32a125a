// partial-deadlock — two request handlers take the "stock" and "orders" locks (async
// mutexes) in opposite orders, with an await in between, while a heartbeat task keeps
// ticking every 10 ms. When both handlers hold their first lock the two wait for each
// other forever, yet the process looks alive: the heartbeat runs, timers fire, virtual time
// moves. Bites services whose health check is a timer in the same process. Verdict: the bug
// is a deadlock, reported when the wait-for cycle forms (not when some limit is reached),
// with the chain: task -> mutex "stock"/"orders" held by the other task -> back. The fix
// takes the locks in one order everywhere; the heartbeat then stops when the work is done.
#include "support/options.hpp"
#include "weft/scenarios/scenario.hpp"
#include "weft/sim/sim.hpp"
#include "weft/weft.hpp"

namespace weft::scenarios {
namespace {

Task<void> heartbeat(const bool* done) {
  while (!*done) co_await sleep_for(10_ms);
}

Task<void> handle(Mutex* first, Mutex* second, int* updates) {
  auto g1 = co_await first->lock();
  co_await sleep_for(1_ms);  // read the row
  auto g2 = co_await second->lock();
  ++*updates;
}

void run(bool fixed) {
  ThreadPool pool(2, "app");
  Mutex stock{"stock"}, orders{"orders"};
  bool done = false;
  int updates = 0;
  auto beat = spawn(pool, heartbeat(&done));
  auto reserve = spawn(pool, handle(&stock, &orders, &updates), "reserve");
  auto cancel = spawn(pool, fixed ? handle(&stock, &orders, &updates) : handle(&orders, &stock, &updates), "cancel");
  reserve.join();
  cancel.join();
  done = true;
  beat.join();
}

const Register reg{Scenario{
    "partial-deadlock",
    ViolationKind::deadlock,
    "two handlers lock in opposite orders while a heartbeat keeps ticking",
    [] { run(false); },
    [] { run(true); },
    explore_options("partial-deadlock", 60_s),
}};

}  // namespace
}  // namespace weft::scenarios
