// Client-side helpers for tests that talk to a Stream (real loopback sockets or the
// simulated network): a bounded read and a whole write.
#pragma once

#include <span>
#include <string_view>
#include <weft/io/net.hpp>
#include <weft/weft.hpp>

namespace weft::testing {

inline constexpr Nanos kBound = 5_s;  // no single client wait in these tests may take longer

inline Task<std::size_t> read_some(io::Stream& s, std::span<char> buf, Nanos timeout = kBound) {
  io::Stream* p = &s;
  auto r = io::with_timeout(timeout, {}, [p, buf](std::stop_token t) { return p->read(buf, std::move(t)); });
  co_return co_await std::move(r);
}

inline Task<void> write_all(io::Stream& s, std::string_view bytes) {
  auto w = s.write(bytes);
  co_await std::move(w);
}

}  // namespace weft::testing
