// The baseline for bench.sh: the same service (same routes, same parser, same response
// bytes: weft::http is pure and shared) on asio 1.22 coroutines, so the comparison
// measures the I/O runtime and scheduler, not the HTTP code.
//
//   asio_http_server --port P [--threads N]
#include <asio.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "weft/http/http.hpp"

namespace {

using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;

weft::http::Response route(const weft::http::Request& request) {
  weft::http::Response r;
  r.keep_alive = request.keep_alive;
  r.headers.emplace_back("Content-Type", "text/plain");
  if (request.target != "/hello" && request.target != "/db") {
    r.status = 404;
    r.body = "not found\n";
  } else if (request.method != "GET") {
    r.status = 405;
    r.body = "method not allowed\n";
    r.headers.emplace_back("Allow", "GET");
  } else {
    r.body = request.target == "/hello" ? "hello" : "db";  // db: 0 ms, as bench.sh runs weft
  }
  return r;
}

awaitable<void> session(tcp::socket socket) {
  socket.set_option(tcp::no_delay(true));
  weft::http::RequestParser parser;
  char buffer[4096];
  try {
    for (;;) {
      std::size_t n = co_await socket.async_read_some(asio::buffer(buffer), use_awaitable);
      std::string_view pending(buffer, n);
      while (!pending.empty()) {
        std::size_t used = 0;
        auto status = parser.feed(pending, used);
        pending.remove_prefix(used);
        if (status == weft::http::RequestParser::Status::need_more) break;
        if (status == weft::http::RequestParser::Status::error) {
          std::string bytes =
              weft::http::serialize(weft::http::error_response(parser.error_status(), parser.error_message()));
          co_await asio::async_write(socket, asio::buffer(bytes), use_awaitable);
          co_return;
        }
        auto response = route(parser.take());
        std::string bytes = weft::http::serialize(response);
        co_await asio::async_write(socket, asio::buffer(bytes), use_awaitable);
        if (!response.keep_alive) co_return;
      }
    }
  } catch (const std::exception&) {
    // the client went away
  }
}

awaitable<void> listen(tcp::acceptor acceptor) {
  for (;;) {
    tcp::socket socket = co_await acceptor.async_accept(use_awaitable);
    asio::co_spawn(acceptor.get_executor(), session(std::move(socket)), asio::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  long port = -1;
  long threads = 4;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view a = argv[i];
    if (a == "--port") port = std::strtol(argv[i + 1], nullptr, 10);
    else if (a == "--threads") threads = std::strtol(argv[i + 1], nullptr, 10);
  }
  if (port < 0 || port > 65535 || threads < 1) {
    std::fprintf(stderr, "usage: asio_http_server --port P [--threads N]\n");
    return 2;
  }
  asio::io_context context(static_cast<int>(threads));
  asio::signal_set signals(context, SIGINT, SIGTERM);
  signals.async_wait([&](const asio::error_code&, int) { context.stop(); });
  tcp::acceptor acceptor(context, tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
  asio::co_spawn(context, listen(std::move(acceptor)), asio::detached);
  std::printf("listening on 127.0.0.1:%ld (asio, %ld threads)\n", port, threads);
  std::fflush(stdout);
  std::vector<std::thread> pool;
  for (long i = 1; i < threads; ++i) pool.emplace_back([&] { context.run(); });
  context.run();
  for (auto& t : pool) t.join();
  return 0;
}
