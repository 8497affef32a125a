// The programs of tests/asio/programs/ on asio itself (namespace net = asio).
#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include <asio.hpp>
#include <asio/experimental/awaitable_operators.hpp>

#include "programs.hpp"

namespace programs::real {
namespace net = ::asio;
#include "programs/chat.inc"
#include "programs/echo.inc"
#include "programs/fanout.inc"
#include "programs/timeout.inc"

std::string run(const std::string& name) {
  net::io_context ctx(name == "chat" ? 2 : 1);  // the chat server runs on two threads
  if (name == "chat") return chat_program(ctx, 0);
  if (name == "echo") return echo_program(ctx, 0);
  if (name == "timeout") return timeout_program(ctx, 0);
  if (name == "fanout") return fanout_program(ctx, 0);
  return "unknown program";
}
}  // namespace programs::real
