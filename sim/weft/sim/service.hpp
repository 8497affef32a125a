// A fake remote service (a database, a payment gateway, a feed): request -> response with a
// latency drawn from a uniform distribution, an error rate and an optional timeout. Every
// draw goes through the platform (random_below / fault), so in the simulator each one is a
// recorded decision the explorer can vary and replay.
#pragma once

#include <cstdint>
#include <source_location>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>

#include "weft/weft.hpp"

namespace weft::sim {

// Trivially destructible on purpose: g++ 12 may destroy a by-value coroutine argument
// built in a co_await expression twice (GCC PR 99576); the catalogue keeps arguments of
// coroutines plain, or builds them in a named variable first.
struct Request {
  std::uint32_t id = 0;
  std::string_view what;  // static text: "SELECT order"
};

struct Response {
  std::uint32_t id = 0;
  std::string body;
  Nanos latency = 0;  // what the service took
};

class ServiceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ServiceOptions {
  std::string name = "db";
  Nanos latency_min = 2_s;   // uniform in [min, max], drawn in steps of latency_step
  Nanos latency_max = 2_s;
  Nanos latency_step = 1_ms;
  std::uint32_t error_per_million = 0;  // a fault point named after the service
  Nanos timeout = 0;                    // 0 = none; else TimedOut after this long
};

class Service {
 public:
  explicit Service(ServiceOptions options = {});

  // The legacy synchronous client: occupies the calling thread for the whole latency.
  Response call(const Request& r, std::source_location where = std::source_location::current());
  // The asynchronous client: the caller's thread is free while the request is in flight.
  // A stop on `token` abandons the wait at once (OperationCancelled).
  Task<Response> call_async(Request r, std::stop_token token = {});

  const ServiceOptions& options() const noexcept { return options_; }

 private:
  Nanos draw_latency();
  bool draw_error();
  ServiceOptions options_;
};

}  // namespace weft::sim
