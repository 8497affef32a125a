// The HTTP service (weft::http, as tools/http_server runs it), unchanged, over the
// simulator's fake network: several clients (keep-alive, malformed, dribbling) in virtual
// time, deterministic per seed.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cerrno>
#include <string>
#include <vector>

#include <weft/model/explorer.hpp>
#include <weft/properties/invariant.hpp>
#include <weft/sim/net.hpp>
#include <weft/sim/sim.hpp>
#include <weft/weft.hpp>

#include "common/stream_io.hpp"

#include <weft/http/service.hpp>

using namespace weft;
using weft::testing::read_some;
using weft::testing::write_all;

namespace {


// One response as "status:body", or "eof" when the connection closed first.
Task<std::string> read_reply(io::Stream& s, std::string& buf) {
  char tmp[1024];
  for (;;) {
    auto end = buf.find("\r\n\r\n");
    if (end != std::string::npos) {
      std::string head = buf.substr(0, end);
      std::size_t length = 0;
      auto cl = head.find("Content-Length: ");
      if (cl != std::string::npos) length = std::stoul(head.substr(cl + 16));
      if (buf.size() >= end + 4 + length) {
        std::string out = buf.substr(9, 3) + ":" + buf.substr(end + 4, length);
        buf.erase(0, end + 4 + length);
        co_return out;
      }
    }
    auto rd = read_some(s, tmp, 10_s);
    std::size_t n = co_await std::move(rd);
    if (n == 0) co_return "eof";
    buf.append(tmp, n);
  }
}

Task<std::unique_ptr<io::Stream>> connect_to(sim::Network& net, std::string from) {
  auto c = net.connect(std::move(from), "server", 80);
  co_return co_await std::move(c);
}

// A keep-alive client: `requests` GETs on one connection.
Task<std::string> client(sim::Network& net, std::string name, std::vector<std::string> targets) {
  std::string log = name + ":";
  try {
    auto c = connect_to(net, name);
    auto s = co_await std::move(c);
    std::string buf;
    for (const auto& t : targets) {
      std::string req = "GET " + t + " HTTP/1.1\r\nHost: server\r\n\r\n";
      auto w = write_all(*s, req);
      co_await std::move(w);
      auto rr = read_reply(*s, buf);
      log += co_await std::move(rr);
      log += ",";
    }
    s->close();
  } catch (const io::NetError& e) {
    log += "error " + std::to_string(e.code());
  }
  co_return log;
}

Task<std::string> malformed_client(sim::Network& net) {
  auto c = connect_to(net, "bad");
  auto s = co_await std::move(c);
  auto w = write_all(*s, "NOT HTTP AT ALL\r\n\r\n");
  co_await std::move(w);
  std::string buf;
  auto rr = read_reply(*s, buf);
  std::string first = co_await std::move(rr);
  auto rr2 = read_reply(*s, buf);
  std::string second = co_await std::move(rr2);
  s->close();
  co_return "bad:" + first.substr(0, 3) + "," + second;
}

// Sends one byte every 50 ms of a request that would take ~1 s; the service allows 300 ms.
Task<std::string> dribbling_client(sim::Network& net) {
  auto c = connect_to(net, "slow");
  auto s = co_await std::move(c);
  std::string request = "GET /hello HTTP/1.1\r\nHost: server\r\nX-Pad: 12345\r\n\r\n";
  for (char ch : request) {
    try {
      auto w = write_all(*s, std::string_view(&ch, 1));
      co_await std::move(w);
    } catch (const io::NetError&) {
      break;
    }
    co_await sleep_for(50_ms);
  }
  std::string buf;
  auto rr = read_reply(*s, buf);
  std::string reply = co_await std::move(rr);
  s->close();
  co_return "slow:" + reply;
}

struct Run {
  sim::Outcome outcome;
  std::string message;
  std::string log;
  std::uint64_t trace_hash;
  std::uint64_t requests;
};

Run run_service(std::uint64_t seed, sim::NetOptions net_options, http::Handlers handlers,
                http::Affinity affinity = http::Affinity::pool) {
  sim::SimPlatform sp;
  sim::RandomSource rs(seed);
  std::string log;
  std::uint64_t requests = 0;
  auto r = sp.run([&] {
    ThreadPool pool(2, "http");
    ThreadPool clients(2, "clients");
    sim::Network net(net_options);
    auto listener = net.listen("server", 80);
    http::ServiceOptions o;
    o.handlers = handlers;
    o.affinity = affinity;
    o.db_latency = 20_ms;
    o.request_timeout = 300_ms;
    http::ServiceStats stats;
    std::stop_source stop;
    auto served = spawn(pool, http::serve(*listener, pool, o, stop.get_token(), &stats));
    std::vector<JoinHandle<std::string>> hs;
    for (int i = 0; i < 3; ++i)
      hs.push_back(spawn(clients, client(net, "c" + std::to_string(i), {"/hello", "/db", "/hello", "/missing"})));
    hs.push_back(spawn(clients, malformed_client(net)));
    hs.push_back(spawn(clients, dribbling_client(net)));
    for (auto& h : hs) log += h.join() + "|";
    request_stop(stop);
    served.join();
    listener->close();
    requests = stats.requests.load();
  }, rs);
  return Run{r.outcome, r.message, log, r.trace_hash, requests};
}

const std::string kExpected =
    "c0:200:hello,200:db,200:hello,404:not found\n,|"
    "c1:200:hello,200:db,200:hello,404:not found\n,|"
    "c2:200:hello,200:db,200:hello,404:not found\n,|"
    "bad:400,eof|"
    "slow:408:request not complete in time\n|";

}  // namespace

TEST_CASE("sim net: the http service serves keep-alive, malformed and dribbling clients", "[sim][net]") {
  auto affinity = GENERATE(http::Affinity::pool, http::Affinity::io);
  for (auto handlers : {http::Handlers::async, http::Handlers::blocking}) {
    for (std::uint64_t seed = 1; seed <= 4; ++seed) {
      auto run = run_service(seed, {}, handlers, affinity);
      INFO("seed " << seed << ": " << run.message);
      REQUIRE(run.outcome == sim::Outcome::completed);
      CHECK(run.log == kExpected);
      CHECK(run.requests == 12);
    }
  }
}

TEST_CASE("sim net: the same seed gives the same trace hash, and lossy jittery links still deliver in order", "[sim][net]") {
  sim::NetOptions lossy;
  lossy.latency = 1_ms;
  lossy.latency_jitter = 2_ms;
  lossy.loss_per_million = 100'000;
  for (std::uint64_t seed : {7u, 8u}) {
    auto a = run_service(seed, lossy, http::Handlers::async);
    auto b = run_service(seed, lossy, http::Handlers::async);
    INFO("seed " << seed << ": " << a.message);
    REQUIRE(a.outcome == sim::Outcome::completed);
    CHECK(a.log == kExpected);
    CHECK(a.trace_hash == b.trace_hash);
    CHECK(a.log == b.log);
  }
  auto c = run_service(9, lossy, http::Handlers::async);
  auto d = run_service(10, lossy, http::Handlers::async);
  CHECK(c.trace_hash != d.trace_hash);  // the seed matters
}

TEST_CASE("sim net: a partitioned client times out while the others are served", "[sim][net]") {
  sim::SimPlatform sp;
  sim::RandomSource rs(3);
  std::string log;
  auto r = sp.run([&] {
    ThreadPool pool(2, "http");
    sim::Network net;
    auto listener = net.listen("server", 80);
    net.partition("cut", "server");
    http::ServiceOptions o;
    std::stop_source stop;
    auto served = spawn(pool, http::serve(*listener, pool, o, stop.get_token(), nullptr));
    auto cut = spawn(pool, client(net, "cut", {"/hello"}));
    auto ok = spawn(pool, client(net, "ok", {"/hello"}));
    log = cut.join() + "|" + ok.join();
    request_stop(stop);
    served.join();
    listener->close();
  }, rs);
  REQUIRE(r.outcome == sim::Outcome::completed);
  CHECK(log == "cut:error " + std::to_string(ETIMEDOUT) + "|ok:200:hello,");
}

namespace {
Task<bool> accept_one(io::Listener& l) {
  auto a = l.accept();
  auto s = co_await std::move(a);
  co_return bool(s);
}
}  // namespace

TEST_CASE("sim net: hosts have names and addresses (documentation ranges, in memory only)", "[sim][net]") {
  sim::SimPlatform sp;
  sim::RandomSource rs(5);
  auto r = sp.run([] {
    ThreadPool pool(2, "pool");
    sim::Network net;
    net.add_host("db", {"192.0.2.5", "2001:db8::5"});
    CHECK(net.canonical("2001:db8::5") == "db");
    CHECK(net.canonical("app") == "app");
    CHECK(net.resolve("db") == std::vector<std::string>{"192.0.2.5", "2001:db8::5"});
    CHECK(net.resolve("nobody").empty());
    auto l = net.listen("2001:db8::5", 5432);  // listening on an address of "db" is listening on "db"
    CHECK_THROWS_AS(net.listen("db", 5432), io::NetError);
    auto accepted = spawn(pool, accept_one(*l));
    auto stream = spawn(pool, net.connect("app", "192.0.2.5", 5432)).join();
    CHECK(stream != nullptr);
    CHECK(accepted.join());
    net.partition("app", "2001:db8::5");
    CHECK(net.partitioned("app", "db"));
    net.heal("app", "db");
    CHECK(!net.partitioned("app", "192.0.2.5"));
    stream->close();
    l->close();
  }, rs);
  REQUIRE(r.outcome == sim::Outcome::completed);
}

TEST_CASE("sim net: with short reads on, the http service still serves every client", "[sim][net]") {
  sim::NetOptions pieces;
  pieces.short_read_per_million = 500'000;  // every other read that could return more
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    auto run = run_service(seed, pieces, http::Handlers::async);
    INFO("seed " << seed << ": " << run.message);
    REQUIRE(run.outcome == sim::Outcome::completed);
    CHECK(run.log == kExpected);
  }
}

namespace {
// A client that sends `writes`, one write each, and a server that runs `serve` on the
// accepted stream, on a two-worker pool over a sim::Network with `options`. `serve` is
// a coroutine lambda: it lives in the server's frame while its body runs.
template <class Serve>
void client_server(sim::NetOptions options, std::vector<std::string> writes, Serve serve) {
  ThreadPool pool(2, "srv");
  sim::Network net(options);
  auto listener = net.listen("server", 80);
  auto server = spawn(pool, [](io::Listener* l, Serve serve) -> Task<void> {
    auto a = l->accept();
    auto s = co_await std::move(a);
    auto body = serve(*s);
    co_await std::move(body);
  }(listener.get(), std::move(serve)));
  auto client = spawn(pool, [](sim::Network* net, std::vector<std::string> writes) -> Task<void> {
    auto c = connect_to(*net, "client");
    auto s = co_await std::move(c);
    for (const std::string& w : writes) {
      auto wr = write_all(*s, w);
      co_await std::move(wr);
    }
  }(&net, std::move(writes)));
  client.join();
  server.join();
  listener->close();
}

// A server that takes one read for one message (the bug) or reads up to the newline; the
// client sends the message in one write.
void one_message(bool whole_line, sim::NetOptions net_options) {
  std::string got;
  client_server(net_options, {"PING 42\n"}, [&got, whole_line](io::Stream& s) -> Task<void> {
    char buf[64];
    do {
      auto rd = read_some(s, buf);
      std::size_t n = co_await std::move(rd);
      if (n == 0) break;
      got.append(buf, n);
    } while (whole_line && got.find('\n') == std::string::npos);
  });
  invariant("the server read the whole message", got == "PING 42\n");
}

// The mirror: a server that takes one read for one command, while the client sends two
// commands in two writes. The server is busy for a millisecond before it reads, so both
// writes have arrived by then; the twin counts the newlines instead.
void two_commands(bool count_lines, sim::NetOptions net_options) {
  int commands = 0;
  client_server(net_options, {"PING 1\n", "PING 2\n"}, [&commands, count_lines](io::Stream& s) -> Task<void> {
    co_await sleep_for(1_ms);
    char buf[64];
    for (;;) {
      auto rd = read_some(s, buf);
      std::size_t n = co_await std::move(rd);
      if (n == 0) break;
      commands += count_lines ? int(std::count(buf, buf + n, '\n')) : 1;
    }
  });
  invariant("the server saw both commands", commands == 2);
}

// A framing bug that `on` exposes through the fault `fault`: never flagged without it (300
// executions), flagged as an invariant within 10 executions on 5 of 5 seeds with it, the
// finding's trace showing the fault that fired; the twin clean with it.
void check_framing_bug(const char* name, void (*program)(bool twin, sim::NetOptions), sim::NetOptions on,
                       std::string_view fault) {
  model::ExploreOptions o;
  o.name = name;
  o.iterations = 300;
  o.shrink = false;
  auto off = model::explore(o, [&] { program(false, {}); });
  INFO(off.summary);
  CHECK(off.findings.empty());  // exact pieces: hidden
  for (std::uint64_t seed = 0; seed < 5; ++seed) {
    INFO("seed " << seed);
    o.seed = seed;
    auto found = model::explore(o, [&] { program(false, on); });
    REQUIRE_FALSE(found.findings.empty());
    CHECK(found.findings.front().violation.kind == ViolationKind::invariant);
    CHECK(*found.executions_to_first_bug <= 10);
    const sim::Trace& trace = found.findings.front().trace;
    CHECK(std::any_of(trace.records.begin(), trace.records.end(), [&](const sim::TraceRecord& r) {
      return r.kind == EventKind::fault && r.value == 1 && trace.text(r) == fault;
    }));
  }
  auto twin = model::explore(o, [&] { program(true, on); });
  INFO(twin.summary);
  CHECK(twin.findings.empty());
}
}  // namespace

TEST_CASE("sim net: short reads find a server that takes one read for one message", "[sim][net]") {
  sim::NetOptions pieces;
  pieces.short_read_per_million = 500'000;
  check_framing_bug("one read, one message", one_message, pieces, "net.short_read");
}

TEST_CASE("sim net: coalesced reads find a server that takes one read for one command", "[sim][net]") {
  sim::NetOptions together;
  together.coalesce_per_million = 500'000;
  check_framing_bug("one read, one command", two_commands, together, "net.coalesce");
}
