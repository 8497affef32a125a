#include "weft/asio/network.hpp"

#include <cerrno>

#include <asio/error.hpp>

#include "weft/asio/ip/tcp.hpp"
#include "weft/io/epoll.hpp"

namespace weft::asio {

namespace {
// Real sockets: one epoll reactor thread per context; completions resume on the context.
class real_network final : public network {
 public:
  std::unique_ptr<io::Listener> listen(const ::asio::ip::tcp::endpoint& at) override {
    return io::tcp_listen(reactor_, at.port());
  }
  Task<std::unique_ptr<io::Stream>> connect(::asio::ip::tcp::endpoint to, std::stop_token stop) override {
    return io::tcp_connect(reactor_, to.address().to_string(), to.port(), std::move(stop));
  }

 private:
  io::EpollReactor reactor_;
};
}  // namespace

void use_network(io_context& ctx, std::shared_ptr<network> n) { ctx.set_network(std::move(n)); }

network& network_of(io_context& ctx) {
  if (network* n = ctx.network_ptr()) return *n;
  if (&ctx.platform() != &real_platform())
    throw std::logic_error("weft::asio: a simulated context has no real sockets; give it one with use_network()");
  return ctx.set_network_if_unset(std::make_shared<real_network>());
}

namespace detail {
std::error_code to_error_code(const std::exception_ptr& e) noexcept {
  try {
    std::rethrow_exception(e);
  } catch (const io::NetError& x) {
    return std::error_code(x.code(), ::asio::error::get_system_category());
  } catch (const OperationCancelled&) {
    return ::asio::error::operation_aborted;
  } catch (const TimedOut&) {
    return ::asio::error::timed_out;
  } catch (...) {
    return std::error_code(EIO, ::asio::error::get_system_category());
  }
}
}  // namespace detail

}  // namespace weft::asio
