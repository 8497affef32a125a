// asio-future-in-handler — the asio form of sync-over-async. A request handler running on
// a one-thread io_context needs a value from a coroutine and takes the shortcut
// `co_spawn(ctx, lookup(), use_future).get()`. The coroutine's continuation (its timer
// completion) is queued on that same io_context, behind the thread that now blocks waiting
// for it: the server freezes on its first request, every time. Verdict: a deadlock with
// the wait-for cycle io_context thread -> get() on the lookup task -> its continuation
// queued on io_context -> the io_context thread. The fix makes the handler a coroutine
// that co_awaits the lookup, so the thread stays free.
#include <chrono>
#include <string>

#include "support/options.hpp"
#include "weft/asio.hpp"
#include "weft/scenarios/scenario.hpp"
#include "weft/weft.hpp"

namespace weft::scenarios {
namespace {

namespace net = weft::asio;
using namespace std::chrono_literals;

net::awaitable<std::string> lookup(int user) {
  net::steady_timer db(co_await net::this_coro::executor, 20ms);  // the database's latency
  co_await db.async_wait(net::use_awaitable);
  co_return "user-" + std::to_string(user);
}

net::awaitable<void> handle_awaiting(int user) {
  std::string name = co_await lookup(user);
  annotate("served " + name);
}

void run(bool blocking) {
  net::io_context ctx;  // one thread, like a GUI or a single-threaded server loop
  if (blocking) {
    net::post(ctx, [&ctx] {
      auto name = net::co_spawn(ctx, lookup(7), net::use_future);
      annotate("served " + name.get());  // blocks the only thread of ctx
    });
  } else {
    net::co_spawn(ctx, handle_awaiting(7), net::detached);
  }
  ctx.run();
}

const Register reg{Scenario{
    "asio-future-in-handler",
    ViolationKind::deadlock,
    "asio: co_spawn(ctx, f, use_future).get() inside a handler of a one-thread io_context",
    [] { run(true); },
    [] { run(false); },
    explore_options("asio-future-in-handler", 60_s),
}};

}  // namespace
}  // namespace weft::scenarios
