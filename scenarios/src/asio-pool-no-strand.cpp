// asio-pool-no-strand — a chat room's member list on an io_context run by two threads.
// Joins and leaves are posted straight to the context, so two of them can run at once on
// the two threads; each rewrites the list (and rebuilds the room's index, which takes a
// little CPU time) without a lock. On one thread this was correct; on a pool the updates
// overlap and the list is corrupted now and then, under load only. Verdict: the user
// invariant "one writer at a time on the member list" is violated in some interleavings.
// The fix posts every update through the room's strand (`net::make_strand(ctx)`), which
// never runs two of its handlers at once: the checker finds nothing.
#include <chrono>
#include <string>
#include <vector>

#include "support/options.hpp"
#include "weft/asio.hpp"
#include "weft/properties/invariant.hpp"
#include "weft/scenarios/scenario.hpp"
#include "weft/weft.hpp"

namespace weft::scenarios {
namespace {

namespace net = weft::asio;
using namespace std::chrono_literals;

struct Room {
  std::vector<std::string> members;
  int writers = 0;  // updates in progress: more than one is a data race on `members`

  void update(const std::string& who, bool join) {
    ++writers;
    invariant("one writer at a time on the member list", writers == 1);
    if (join) {
      members.push_back(who);
    } else {
      std::erase(members, who);
    }
    cpu_work(50_us);  // rebuilding the room's index while the list is half-updated
    --writers;
  }
};

template <class Executor>
void run_room(Executor room_ex, net::io_context& ctx) {
  Room room;
  for (int i = 0; i < 4; ++i) {
    std::string who = "user" + std::to_string(i);
    net::post(room_ex, [&room, who] { room.update(who, true); });
    net::post(room_ex, [&room, who] { room.update(who, false); });
  }
  ctx.run();
}

void run(bool strand) {
  net::io_context ctx(2);  // run by two threads
  if (strand)
    run_room(net::make_strand(ctx), ctx);
  else
    run_room(ctx.get_executor(), ctx);
}

const Register reg{Scenario{
    "asio-pool-no-strand",
    ViolationKind::invariant,
    "asio: a member list updated from two threads of a pool-run io_context without a strand",
    [] { run(false); },
    [] { run(true); },
    explore_options("asio-pool-no-strand", 60_s),
}};

}  // namespace
}  // namespace weft::scenarios
