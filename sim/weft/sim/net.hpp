// A fake network: io::Listener / io::Stream between named hosts as in-memory byte pipes,
// so the service code that runs on real sockets runs unchanged inside a SimPlatform.
//
// Time is the platform's (sleep_for), every random draw and fault is a Platform decision
// (recorded, replayable): a segment takes `latency` (+ jitter) to arrive; a lost segment
// ("net.loss") is sent again after `retransmit_timeout`; a segment sent across a partition
// waits for the partition to heal and resets the connection after `partition_give_up`;
// a connect may be refused ("net.refuse"); a read may return fewer bytes than are waiting
// ("net.short_read"), or writes that have already arrived together ("net.coalesce").
// Byte order is kept: a stream is TCP-like.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "weft/io/net.hpp"

namespace weft::sim {

struct NetOptions {
  Nanos latency = 100_us;                 // one way, per segment
  Nanos latency_jitter = 0;               // extra uniform delay in [0, jitter]
  std::uint32_t loss_per_million = 0;     // per segment: resent after retransmit_timeout
  Nanos retransmit_timeout = 200_ms;
  std::uint32_t refuse_per_million = 0;   // per connect: ECONNREFUSED
  Nanos partition_give_up = 1_s;          // a segment stuck this long resets the connection
  // Per read that could return more than one byte: it returns a random shorter count
  // instead (at least one byte), as TCP may deliver a write in pieces. Code that takes one
  // read for one message then fails as it would on a real network. 0 = whole segments.
  std::uint32_t short_read_per_million = 0;
  // Per read that has taken a write to its end with room left in the buffer: the next
  // write that has already arrived comes in the same read (again, at this rate, for the
  // one after), as TCP may hand over two writes at once. Code that takes one read for one
  // message then drops or merges the second. 0 = one write per read at most.
  std::uint32_t coalesce_per_million = 0;
};

class Network {
 public:
  explicit Network(NetOptions options = {}, Platform& p = current_platform());
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // Gives host `name` addresses (literals such as "192.0.2.5", "2001:db8::5"): everywhere a
  // host is named below, one of its addresses names it too, and resolve() maps the name to
  // them as DNS would. A host without addresses is known by its name only.
  void add_host(const std::string& name, std::vector<std::string> addresses);
  // The host an address belongs to (the argument itself when it is no known address).
  std::string canonical(const std::string& host_or_address);
  // The addresses of `name` in the order given (empty: none; a literal resolves to itself).
  std::vector<std::string> resolve(const std::string& name);

  // Listens on host:port. Throws io::NetError(EADDRINUSE) if taken.
  std::unique_ptr<io::Listener> listen(const std::string& host, std::uint16_t port);
  // Connects from host `from` to host:port. Throws io::NetError (ECONNREFUSED, ETIMEDOUT).
  Task<std::unique_ptr<io::Stream>> connect(std::string from, std::string host, std::uint16_t port,
                                            std::stop_token stop = {});

  // Cuts (or restores) both directions between two hosts.
  void partition(const std::string& a, const std::string& b);
  void heal(const std::string& a, const std::string& b);
  bool partitioned(const std::string& a, const std::string& b);

  const NetOptions& options() const noexcept { return options_; }
  Platform& platform() const noexcept { return p_; }

  struct ListenerState;

 private:
  friend class SimListener;
  void unlisten(const std::string& host, std::uint16_t port);
  NetOptions options_;
  Platform& p_;
  std::unique_ptr<PlatformMutex> m_;
  std::map<std::pair<std::string, std::uint16_t>, std::shared_ptr<ListenerState>> listeners_;  // guarded by m_
  std::set<std::pair<std::string, std::string>> cuts_;                                        // guarded by m_
  std::map<std::string, std::string> host_of_;                    // address -> host, guarded by m_
  std::map<std::string, std::vector<std::string>> addresses_;     // host -> addresses, guarded by m_
};

}  // namespace weft::sim
