// A small fake network: endpoints are Channels, a message takes a drawn latency to arrive
// (sleep_for on the sender's side, so the wire costs no thread), and a request carries the
// channel its reply goes to. Enough for a client/server exchange under a load generator.
#pragma once

#include <cstdint>
#include <string>

#include "weft/weft.hpp"

namespace weft::scenarios {

struct Message;
using Mailbox = Channel<Message>;

struct Message {
  std::uint32_t from = 0;      // client id
  std::string payload;         // "GET /orders/17", "200 OK ..."
  Mailbox* reply_to = nullptr; // where the answer goes (null for replies)
};

struct NetworkOptions {
  Nanos latency_min = 1_ms;  // one way, uniform in [min, max] in steps of 1 ms
  Nanos latency_max = 5_ms;
};

class Network {
 public:
  explicit Network(NetworkOptions options = {}) : options_(options) {}
  // Delivers `m` to `to` after one network latency.
  Task<void> send(Mailbox& to, Message m);

 private:
  Nanos draw_latency();
  NetworkOptions options_;
};

}  // namespace weft::scenarios
