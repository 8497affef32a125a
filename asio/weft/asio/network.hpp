// Where a weft::asio context's sockets go: real TCP through weft::io (an epoll reactor),
// or a simulated network (weft/asio/sim_network.hpp adapts sim::Network). A context uses
// real sockets unless given another network with use_network().
#pragma once

#include <asio/ip/tcp.hpp>

#include <memory>
#include <stop_token>

#include "weft/asio/io_context.hpp"
#include "weft/io/net.hpp"

namespace weft::asio {

class network {
 public:
  virtual ~network() = default;
  // Listens on `at` (real sockets: loopback only). Throws io::NetError.
  virtual std::unique_ptr<io::Listener> listen(const ::asio::ip::tcp::endpoint& at) = 0;
  virtual Task<std::unique_ptr<io::Stream>> connect(::asio::ip::tcp::endpoint to, std::stop_token stop) = 0;
};

// Gives `ctx` the network its sockets use (before any socket is opened).
void use_network(io_context& ctx, std::shared_ptr<network> n);
// The network of `ctx`: the one given, else real sockets (on the real platform only).
network& network_of(io_context& ctx);

}  // namespace weft::asio
