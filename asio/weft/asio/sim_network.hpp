// A weft::asio context's sockets over the simulator's network (sim::Network: latency,
// loss, partitions, refused connects, every draw a recorded decision). An endpoint's
// address is the simulated host's name ("127.0.0.1" is a host like any other); a
// connection comes from the host `from`. Needs weft::sim.
//
//   sim::Network wire;
//   net::io_context ctx;
//   net::use_network(ctx, net::simulated_network(wire));
#pragma once

#include <memory>
#include <string>

#include "weft/asio/network.hpp"
#include "weft/sim/net.hpp"

namespace weft::asio {

class sim_network final : public network {
 public:
  explicit sim_network(sim::Network& wire, std::string from = "client") : wire_(wire), from_(std::move(from)) {}
  std::unique_ptr<io::Listener> listen(const ::asio::ip::tcp::endpoint& at) override {
    return wire_.listen(host(at), at.port());
  }
  Task<std::unique_ptr<io::Stream>> connect(::asio::ip::tcp::endpoint to, std::stop_token stop) override {
    return wire_.connect(from_, host(to), to.port(), std::move(stop));
  }

 private:
  // Listening on "any address" is listening on the loopback host.
  static std::string host(const ::asio::ip::tcp::endpoint& ep) {
    return ep.address().is_unspecified() ? std::string("127.0.0.1") : ep.address().to_string();
  }
  sim::Network& wire_;
  std::string from_;
};

inline std::shared_ptr<network> simulated_network(sim::Network& wire, std::string from = "client") {
  return std::make_shared<sim_network>(wire, std::move(from));
}

}  // namespace weft::asio
