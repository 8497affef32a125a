// asio-timer-hang — asio's "timer as a condition variable" idiom: a session's writer
// coroutine waits on a timer that expires at time_point::max(), and deliver() wakes it
// with cancel_one(). When the peer goes away, stop() must cancel the timer too. The bug's
// stop() only sets a flag: the writer sleeps forever, its coroutine never completes, and
// io_context::run() never returns (the process hangs at shutdown). Verdict: a hang: the
// world went idle with the writer task never completed. The fix's stop() cancels the
// timer; the writer sees the flag and returns, and run() returns.
#include <chrono>
#include <deque>
#include <string>

#include "support/options.hpp"
#include "weft/asio.hpp"
#include "weft/scenarios/scenario.hpp"
#include "weft/weft.hpp"

namespace weft::scenarios {
namespace {

namespace net = weft::asio;
using namespace std::chrono_literals;

class Session {
 public:
  Session(net::io_context& ctx, bool cancel_on_stop) : signal_(ctx), cancel_on_stop_(cancel_on_stop) {
    signal_.expires_at(net::steady_timer::time_point::max());
  }
  void deliver(std::string msg) {
    outbox_.push_back(std::move(msg));
    signal_.cancel_one();
  }
  void stop() {
    stopped_ = true;
    if (cancel_on_stop_) signal_.cancel();
  }
  int written = 0;

  static net::awaitable<void> writer(Session& s) {
    net::steady_timer wire(co_await net::this_coro::executor);
    while (!s.stopped_) {
      if (s.outbox_.empty()) {
        std::error_code ec;
        co_await s.signal_.async_wait(net::redirect_error(net::use_awaitable, ec));
        continue;
      }
      wire.expires_after(1ms);  // the write's latency
      co_await wire.async_wait(net::use_awaitable);
      s.outbox_.pop_front();
      ++s.written;
    }
  }

 private:
  net::steady_timer signal_;
  std::deque<std::string> outbox_;
  bool stopped_ = false;
  bool cancel_on_stop_;
};

net::awaitable<void> peer(Session& s) {
  net::steady_timer t(co_await net::this_coro::executor);
  for (int i = 0; i < 3; ++i) {
    t.expires_after(5ms);
    co_await t.async_wait(net::use_awaitable);
    s.deliver("message " + std::to_string(i));
  }
  t.expires_after(5ms);
  co_await t.async_wait(net::use_awaitable);
  s.stop();  // the peer disconnected
}

void run(bool cancel_on_stop) {
  net::io_context ctx;
  Session session(ctx, cancel_on_stop);
  net::co_spawn(ctx, Session::writer(session), net::detached);
  net::co_spawn(ctx, peer(session), net::detached);
  ctx.run();
}

const Register reg{Scenario{
    "asio-timer-hang",
    ViolationKind::hang,
    "asio: a session's wake-up timer is never cancelled at stop(), so io_context::run() never returns",
    [] { run(false); },
    [] { run(true); },
    explore_options("asio-timer-hang", 60_s),
}};

}  // namespace
}  // namespace weft::scenarios
