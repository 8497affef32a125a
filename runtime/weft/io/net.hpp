// weft::io — byte streams and listeners, written once and run on two backends: real
// sockets (io/epoll.hpp) and the simulator's fake network (sim/net.hpp). Handler code
// takes a Stream& / Listener& and never learns which one it got.
//
// Every operation is a Task (one frame per call) that resumes on the context the caller
// captured, takes a std::stop_token and throws OperationCancelled when it is stopped
// first. Callers must name the task before awaiting it (g++ 12: no by-value arguments
// with destructors inside a co_await expression).
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "weft/cancel.hpp"
#include "weft/task.hpp"
#include "weft/timer.hpp"

namespace weft::io {

// A failed network operation: refused, reset, unreachable, closed under our feet.
// `code` is an errno value (the simulator uses the same values).
class NetError : public std::runtime_error {
 public:
  NetError(int code, const std::string& what);
  int code() const noexcept { return code_; }

 private:
  int code_;
};

class Stream {
 public:
  virtual ~Stream() = default;
  // Reads at least one byte into `buf` (buf non-empty); 0 = the peer closed its side.
  virtual Task<std::size_t> read(std::span<char> buf, std::stop_token stop = {}) = 0;
  // Writes all of `data`; `data` must stay valid until the task completes.
  virtual Task<void> write(std::string_view data, std::stop_token stop = {}) = 0;
  // Closes both directions. No operation may be pending. Idempotent.
  virtual void close() = 0;
  // The executor that resumes this stream's operations without a hand-off (the event
  // loop it is registered with), or null when there is none.
  virtual Executor* home() const noexcept { return nullptr; }
};

class Listener {
 public:
  virtual ~Listener() = default;
  virtual Task<std::unique_ptr<Stream>> accept(std::stop_token stop = {}) = 0;
  // The port connections come to (the real one when listening on port 0).
  virtual std::uint16_t port() const = 0;
  // Stops listening. No accept may be pending. Idempotent.
  virtual void close() = 0;
};

// The timeout combinators live in weft/cancel.hpp; these names stay for existing callers.
using weft::with_timeout;
using weft::with_stop;
namespace detail {
using weft::detail::Deadline;
using weft::detail::ForwardStop;
using weft::detail::is_cancellation;
}  // namespace detail

}  // namespace weft::io
