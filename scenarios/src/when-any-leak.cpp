// when-any-leak — a payment is raced across three gateways with when_any and the first
// answer wins. The race requests stop on its stop_source, but the gateway calls were
// never given that source's token: the losers go on. One gateway is down and never
// answers, so its call waits forever — a leaked operation per payment, the classic
// "Task.WhenAny without cancelling the others". Bites as slowly growing memory and
// connection counts. Verdict: the bug is a hang — at quiescence a race loser is still
// suspended on its reply (lost the race, never cancelled, never finished). The fix passes
// the token to every gateway call: the losers are cancelled at once and nothing is left.
#include <stop_token>
#include <vector>

#include "support/net.hpp"
#include "support/options.hpp"
#include "support/service.hpp"
#include "weft/scenarios/scenario.hpp"
#include "weft/sim/sim.hpp"
#include "weft/weft.hpp"

namespace weft::scenarios {
namespace {

struct Gateways {
  Service fast{ServiceOptions{"gateway-a", 50_ms, 150_ms, 50_ms}};
  Service slow{ServiceOptions{"gateway-b", 300_ms, 600_ms, 100_ms}};
  Mailbox down_replies;  // gateway-c accepts the request and never answers
};

Task<std::string> charge(Service& gw, std::uint32_t payment, std::stop_token token) {
  auto call = gw.call_async(Request{payment, "charge"}, std::move(token));
  Response r = co_await std::move(call);
  co_return r.body;
}

Task<std::string> charge_down(Mailbox& replies, std::stop_token token) {
  auto reply = co_await replies.receive(std::move(token));
  co_return reply ? reply->payload : std::string("closed");
}

Task<void> pay(Gateways& g, std::uint32_t payment, bool pass_token) {
  std::stop_source losers;
  std::stop_token token = pass_token ? losers.get_token() : std::stop_token{};
  std::vector<Task<std::string>> race;
  race.push_back(charge(g.fast, payment, token));
  race.push_back(charge(g.slow, payment, token));
  race.push_back(charge_down(g.down_replies, token));
  auto winner = co_await when_any(std::move(race), losers);
  annotate("paid via gateway " + std::to_string(winner.index) + ": " + winner.value);
}

void run(bool pass_token) {
  ThreadPool pool(2, "app");
  Gateways gateways;
  auto h = spawn(pool, pay(gateways, 1, pass_token));
  sim::settle();
}

const Register reg{Scenario{
    "when-any-leak",
    ViolationKind::hang,
    "when_any over three gateways without cancelling the losers leaves one waiting forever",
    [] { run(false); },
    [] { run(true); },
    explore_options("when-any-leak", 60_s),
    8,  // its row in the catalogue
}};

}  // namespace
}  // namespace weft::scenarios
