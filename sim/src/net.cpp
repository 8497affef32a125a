#include "weft/sim/net.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "weft/sync.hpp"

namespace weft::sim {

namespace {

// One direction of a connection. Closing it is the sender's FIN: the receiver drains what
// was delivered, then reads 0. `reset` turns that end into ECONNRESET instead.
struct Pipe {
  explicit Pipe(Platform& p) : segments(0, p) {}
  Channel<std::string> segments;
  bool reset = false;  // set before the channel is closed; read after a receive saw it closed
};

struct Connection {
  Connection(Platform& p, std::string client, std::string server)
      : to_server(p), to_client(p), client_host(std::move(client)), server_host(std::move(server)) {}
  Pipe to_server;
  Pipe to_client;
  std::string client_host;
  std::string server_host;
  void reset_both() {
    to_server.reset = true;
    to_client.reset = true;
    to_server.segments.close();
    to_client.segments.close();
  }
};

class SimStream final : public io::Stream {
 public:
  SimStream(Network& net, std::shared_ptr<Connection> c, bool client_side)
      : net_(net), c_(std::move(c)), client_side_(client_side) {}
  ~SimStream() override { close(); }

  Task<std::size_t> read(std::span<char> buf, std::stop_token stop) override {
    while (offset_ == segment_.size()) {
      if (!c_) throw io::NetError(EBADF, "read: stream closed");
      if (eof_) co_return 0;
      Pipe& in = inbound();
      auto next = co_await in.segments.receive(stop);
      if (!next) {
        if (in.reset) throw io::NetError(ECONNRESET, "read: connection reset by peer");
        eof_ = true;
        co_return 0;
      }
      segment_ = std::move(*next);
      offset_ = 0;
    }
    std::size_t n = std::min(buf.size(), segment_.size() - offset_);
    const std::uint32_t short_reads = net_.options().short_read_per_million;
    if (n > 1 && short_reads > 0 && net_.platform().fault("net.short_read", short_reads))
      n = 1 + std::size_t(net_.platform().random_below(n - 1));  // 1 .. n-1 bytes
    std::memcpy(buf.data(), segment_.data() + offset_, n);
    offset_ += n;
    // Coalescing: with room left and this segment read to its end, the next writes that
    // have already arrived may come in the same read, as TCP hands over whatever is in the
    // receive buffer. Only what is already there: a read never waits for more.
    const std::uint32_t coalesce = net_.options().coalesce_per_million;
    while (coalesce > 0 && n < buf.size() && offset_ == segment_.size() && c_ &&
           net_.platform().fault("net.coalesce", coalesce)) {
      std::optional<std::string> next = inbound().segments.try_receive();
      if (!next) break;
      segment_ = std::move(*next);
      offset_ = std::min(buf.size() - n, segment_.size());
      std::memcpy(buf.data() + n, segment_.data(), offset_);
      n += offset_;
    }
    co_return n;
  }

  Task<void> write(std::string_view data, std::stop_token stop) override {
    if (!c_) throw io::NetError(EBADF, "write: stream closed");
    if (data.empty()) co_return;
    std::shared_ptr<Connection> c = c_;  // keeps the pipes while we wait
    Pipe& out = client_side_ ? c->to_server : c->to_client;
    const std::string& from = client_side_ ? c->client_host : c->server_host;
    const std::string& to = client_side_ ? c->server_host : c->client_host;
    const NetOptions& o = net_.options();
    Platform& p = net_.platform();
    std::string segment(data);
    Nanos stuck = 0;
    for (;;) {
      Nanos delay = o.latency;
      if (o.latency_jitter > 0) delay += Nanos(p.random_below(std::uint64_t(o.latency_jitter) + 1));
      if (delay > 0) co_await sleep_for(delay, stop);
      if (net_.partitioned(from, to)) {
        stuck += delay > 0 ? delay : 1_ms;
        if (stuck >= o.partition_give_up) {
          c->reset_both();
          throw io::NetError(ECONNRESET, "write: connection reset (partitioned)");
        }
        if (delay <= 0) co_await sleep_for(1_ms, stop);
        continue;
      }
      if (o.loss_per_million > 0 && p.fault("net.loss", o.loss_per_million)) {
        co_await sleep_for(o.retransmit_timeout, stop);
        continue;
      }
      break;
    }
    if (out.reset) throw io::NetError(ECONNRESET, "write: connection reset");
    if (!out.segments.try_send(std::move(segment))) throw io::NetError(EPIPE, "write: peer closed");
  }

  void close() override {
    if (!c_) return;
    // Our FIN on the way out; whatever the peer still sends to us is discarded.
    (client_side_ ? c_->to_server : c_->to_client).segments.close();
    inbound().segments.close();
    c_.reset();
  }

 private:
  Pipe& inbound() const noexcept { return client_side_ ? c_->to_client : c_->to_server; }  // c_ set
  Network& net_;
  std::shared_ptr<Connection> c_;
  bool client_side_;
  std::string segment_;
  std::size_t offset_ = 0;
  bool eof_ = false;
};

}  // namespace

struct Network::ListenerState {
  explicit ListenerState(Platform& p) : backlog(0, p) {}
  Channel<std::shared_ptr<Connection>> backlog;
};

class SimListener final : public io::Listener {
 public:
  SimListener(Network& net, std::shared_ptr<Network::ListenerState> s, std::string host, std::uint16_t port)
      : net_(net), s_(std::move(s)), host_(std::move(host)), port_(port) {}
  ~SimListener() override { close(); }

  Task<std::unique_ptr<io::Stream>> accept(std::stop_token stop) override {
    if (!s_) throw io::NetError(EBADF, "accept: listener closed");
    std::shared_ptr<Network::ListenerState> s = s_;
    auto c = co_await s->backlog.receive(stop);
    if (!c) throw io::NetError(EBADF, "accept: listener closed");
    co_return std::make_unique<SimStream>(net_, std::move(*c), false);
  }
  std::uint16_t port() const override { return port_; }
  void close() override {
    if (!s_) return;
    net_.unlisten(host_, port_);
    s_->backlog.close();
    s_.reset();
  }

 private:
  Network& net_;
  std::shared_ptr<Network::ListenerState> s_;
  std::string host_;
  std::uint16_t port_;
};

Network::Network(NetOptions options, Platform& p) : options_(options), p_(p), m_(p.make_mutex()) {}
Network::~Network() = default;

void Network::add_host(const std::string& name, std::vector<std::string> addresses) {
  m_->lock();
  for (const auto& a : addresses) host_of_[a] = name;
  auto& mine = addresses_[name];
  mine.insert(mine.end(), addresses.begin(), addresses.end());
  m_->unlock();
}

std::string Network::canonical(const std::string& host_or_address) {
  m_->lock();
  auto it = host_of_.find(host_or_address);
  std::string out = it == host_of_.end() ? host_or_address : it->second;
  m_->unlock();
  return out;
}

std::vector<std::string> Network::resolve(const std::string& name) {
  m_->lock();
  std::vector<std::string> out;
  if (auto it = addresses_.find(name); it != addresses_.end())
    out = it->second;
  else if (host_of_.count(name))
    out.push_back(name);
  m_->unlock();
  return out;
}

std::unique_ptr<io::Listener> Network::listen(const std::string& host_or_address, std::uint16_t port) {
  const std::string host = canonical(host_or_address);
  auto s = std::make_shared<ListenerState>(p_);
  m_->lock();
  bool fresh = listeners_.emplace(std::make_pair(host, port), s).second;
  m_->unlock();
  if (!fresh) throw io::NetError(EADDRINUSE, "listen: " + host + ":" + std::to_string(port) + " in use");
  return std::make_unique<SimListener>(*this, std::move(s), host, port);
}

void Network::unlisten(const std::string& host, std::uint16_t port) {
  m_->lock();
  listeners_.erase(std::make_pair(host, port));
  m_->unlock();
}

Task<std::unique_ptr<io::Stream>> Network::connect(std::string from, std::string to, std::uint16_t port,
                                                   std::stop_token stop) {
  const std::string where = to + ":" + std::to_string(port);
  from = canonical(from);
  const std::string host = canonical(to);
  // SYN
  if (options_.latency > 0) co_await sleep_for(options_.latency, stop);
  if (partitioned(from, host)) {
    co_await sleep_for(options_.partition_give_up, stop);
    throw io::NetError(ETIMEDOUT, "connect " + where + ": timed out (partitioned)");
  }
  m_->lock();
  auto it = listeners_.find(std::make_pair(host, port));
  std::shared_ptr<ListenerState> listener = it == listeners_.end() ? nullptr : it->second;
  m_->unlock();
  if (!listener || (options_.refuse_per_million > 0 && p_.fault("net.refuse", options_.refuse_per_million)))
    throw io::NetError(ECONNREFUSED, "connect " + where + ": connection refused");
  auto c = std::make_shared<Connection>(p_, from, host);
  if (!listener->backlog.try_send(c)) throw io::NetError(ECONNREFUSED, "connect " + where + ": connection refused");
  // SYN-ACK
  if (options_.latency > 0) co_await sleep_for(options_.latency, stop);
  co_return std::make_unique<SimStream>(*this, std::move(c), true);
}

void Network::partition(const std::string& a_in, const std::string& b_in) {
  std::string a = canonical(a_in), b = canonical(b_in);
  m_->lock();
  cuts_.insert(std::minmax(a, b));
  m_->unlock();
}

void Network::heal(const std::string& a_in, const std::string& b_in) {
  std::string a = canonical(a_in), b = canonical(b_in);
  m_->lock();
  cuts_.erase(std::minmax(a, b));
  m_->unlock();
}

bool Network::partitioned(const std::string& a_in, const std::string& b_in) {
  std::string a = canonical(a_in), b = canonical(b_in);
  m_->lock();
  bool cut = cuts_.count(std::minmax(a, b)) != 0;
  m_->unlock();
  return cut;
}

}  // namespace weft::sim
