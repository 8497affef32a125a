#include "support/net.hpp"

#include <utility>

namespace weft::scenarios {

Nanos Network::draw_latency() {
  const auto& o = options_;
  if (o.latency_max <= o.latency_min) return o.latency_min;
  auto steps = std::uint64_t((o.latency_max - o.latency_min) / 1_ms) + 1;
  return o.latency_min + Nanos(current_platform().random_below(steps)) * 1_ms;
}

Task<void> Network::send(Mailbox& to, Message m) {
  co_await sleep_for(draw_latency());
  co_await to.send(std::move(m));
}

}  // namespace weft::scenarios
