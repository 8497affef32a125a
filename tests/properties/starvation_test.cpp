// starvation: blocking calls on a 2-worker pool; request 3 waits in the queue, both workers
// sit in blocking_io, the heartbeat misses its deadline. The awaiting neighbour is clean.
#include <weft/properties/invariant.hpp>

#include "properties/harness.hpp"

using namespace weft;
using weft::test::explore;

namespace {

Task<int> db_call_blocking() {
  blocking_io(2_s);
  co_return 1;
}
Task<int> db_call_async() {
  co_await sleep_for(2_s);
  co_return 1;
}
Task<void> heartbeat(Nanos sent) {
  probe("heartbeat", current_platform().now() - sent, 100_ms);
  co_return;
}

template <bool Blocking>
void four_requests_two_workers() {
  ThreadPool pool(2, "pool");
  std::vector<JoinHandle<int>> hs;
  for (int i = 0; i < 4; ++i) hs.push_back(spawn(pool, Blocking ? db_call_blocking() : db_call_async()));
  auto hb = spawn(pool, heartbeat(current_platform().now()));
  for (auto& h : hs) h.join();
  hb.join();
}

}  // namespace

TEST_CASE("starvation: blocking calls on every worker starve the queue, every seed", "[properties][starvation]") {
  auto t = explore(four_requests_two_workers<true>, ViolationKind::starvation);
  CHECK(t.flagged == t.runs);
  REQUIRE(!t.first.empty());
  bool queue = false, probe_missed = false, occupancy = false;
  for (auto& v : t.first) {
    queue = queue || v.message.find("in the queue of pool") != std::string::npos;
    probe_missed = probe_missed || v.message.find("latency probe 'heartbeat'") != std::string::npos;
    occupancy = occupancy || v.message.find("all 2 threads of pool") != std::string::npos;
  }
  CHECK(queue);
  CHECK(probe_missed);
  CHECK(occupancy);
  test::check_approved("starvation_pool", test::render(t.first));
}

TEST_CASE("starvation: awaiting calls on the same pool are never flagged", "[properties][starvation]") {
  auto t = explore(four_requests_two_workers<false>, ViolationKind::starvation);
  INFO(t.first_other);
  CHECK(t.any_violation == 0);
}

namespace {
template <Nanos Latency>
void one_probe_deadline_5s() {
  probe("slow call", Latency, 5_s);  // a deadline beyond 2^32 ns (4.29 s) must not be clamped
}
}  // namespace

TEST_CASE("starvation: a probe's deadline is a full 64-bit duration", "[properties][starvation]") {
  auto within = explore(one_probe_deadline_5s<4500_ms>, ViolationKind::starvation, test::options(), {}, 20);
  INFO(within.first_other);
  CHECK(within.any_violation == 0);
  auto late = explore(one_probe_deadline_5s<5500_ms>, ViolationKind::starvation, test::options(), {}, 20);
  CHECK(late.flagged == late.runs);
  REQUIRE(!late.first.empty());
  CHECK(late.first.front().message == "starvation: latency probe 'slow call' observed 5500.000 ms, deadline 5000.000 ms");
}
