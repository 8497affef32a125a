// asio-detached-exception — asio code starts a background coroutine with
// `co_spawn(ex, refresh(), detached)`: the cache refresher's first fetch after a restart
// fails, the exception leaves the coroutine, and `detached` drops it. Nothing is logged;
// the cache simply stops being refreshed. Bites services whose periodic jobs "just stop".
// Verdict: a lost exception, reported with the co_spawn site. The fix passes a completion
// handler that observes the exception_ptr (logs and counts it), so the checker finds
// nothing. The code is ordinary asio written against `namespace net = weft::asio`.
#include <chrono>
#include <stdexcept>
#include <string>

#include "support/options.hpp"
#include "weft/asio.hpp"
#include "weft/scenarios/scenario.hpp"
#include "weft/weft.hpp"

namespace weft::scenarios {
namespace {

namespace net = weft::asio;
using namespace std::chrono_literals;

struct Cache {
  int refreshes = 0;
  int errors_logged = 0;
};

net::awaitable<void> refresh(Cache& cache) {
  net::steady_timer timer(co_await net::this_coro::executor);
  for (int round = 0; round < 3; ++round) {
    timer.expires_after(100ms);
    co_await timer.async_wait(net::use_awaitable);
    if (round == 1) throw std::runtime_error("upstream returned 503 while refreshing the cache");
    ++cache.refreshes;
  }
}

void run(bool observed) {
  net::io_context ctx;
  Cache cache;
  if (observed) {
    net::co_spawn(ctx, refresh(cache), [&cache](std::exception_ptr e) {
      if (e) {
        ++cache.errors_logged;
        annotate("cache refresh failed: " + describe(e));
      }
    });
  } else {
    net::co_spawn(ctx, refresh(cache), net::detached);
  }
  ctx.run();
}

const Register reg{Scenario{
    "asio-detached-exception",
    ViolationKind::lost_exception,
    "asio: co_spawn(ex, f, detached) whose coroutine throws; nobody sees the exception",
    [] { run(false); },
    [] { run(true); },
    explore_options("asio-detached-exception", 60_s),
}};

}  // namespace
}  // namespace weft::scenarios
