// The programs of tests/asio/programs/ on weft::asio (namespace net = weft::asio): for
// real on loopback, and inside the simulator over sim::Network.
#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include <weft/asio.hpp>
#include <weft/asio/sim_network.hpp>

#include "programs.hpp"

namespace programs::weft_asio {
namespace net = ::weft::asio;
#include "programs/chat.inc"
#include "programs/echo.inc"
#include "programs/fanout.inc"
#include "programs/timeout.inc"

namespace {
std::string dispatch(const std::string& name, net::io_context& ctx, unsigned short port) {
  if (name == "chat") return chat_program(ctx, port);
  if (name == "echo") return echo_program(ctx, port);
  if (name == "timeout") return timeout_program(ctx, port);
  if (name == "fanout") return fanout_program(ctx, port);
  return "unknown program";
}
}  // namespace

std::string run(const std::string& name) {
  net::io_context ctx(name == "chat" ? 2 : 1);  // the chat server runs on two threads
  return dispatch(name, ctx, 0);
}

std::string run_simulated(const std::string& name, ::weft::sim::Network& wire) {
  net::io_context ctx(name == "chat" ? 2 : 1);  // the chat server runs on two threads
  net::use_network(ctx, net::simulated_network(wire));
  return dispatch(name, ctx, 7000);
}
}  // namespace programs::weft_asio
