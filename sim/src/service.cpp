#include "weft/sim/service.hpp"

#include <utility>

namespace weft::sim {

Service::Service(ServiceOptions options) : options_(std::move(options)) {}

Nanos Service::draw_latency() {
  const auto& o = options_;
  if (o.latency_max <= o.latency_min || o.latency_step <= 0) return o.latency_min;
  auto steps = std::uint64_t((o.latency_max - o.latency_min) / o.latency_step) + 1;
  return o.latency_min + Nanos(current_platform().random_below(steps)) * o.latency_step;
}

bool Service::draw_error() {
  return options_.error_per_million > 0 && current_platform().fault(options_.name, options_.error_per_million);
}

Response Service::call(const Request& r, std::source_location where) {
  Nanos latency = draw_latency();
  bool failed = draw_error();
  if (options_.timeout > 0 && latency > options_.timeout) {
    blocking_io(options_.timeout, where);
    throw TimedOut();
  }
  blocking_io(latency, where);
  if (failed) throw ServiceError(options_.name + ": request " + std::to_string(r.id) + " failed");
  return Response{r.id, options_.name + " ok " + std::string(r.what), latency};
}

Task<Response> Service::call_async(Request r, std::stop_token token) {
  Nanos latency = draw_latency();
  bool failed = draw_error();
  if (options_.timeout > 0 && latency > options_.timeout) {
    co_await sleep_for(options_.timeout, token);
    throw TimedOut();
  }
  co_await sleep_for(latency, token);
  if (failed) throw ServiceError(options_.name + ": request " + std::to_string(r.id) + " failed");
  co_return Response{r.id, options_.name + " ok " + std::string(r.what), latency};
}

}  // namespace weft::sim
