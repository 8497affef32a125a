// cancellation latency: a handler times out its slow query and requests stop; the query
// ignores its token and runs for 2 s more. The neighbour passes the token to its wait.
#include "properties/harness.hpp"

using namespace weft;
using weft::test::explore;

namespace {

template <bool PassToken>
Task<int> slow_query(std::stop_token token) {
  if constexpr (PassToken)
    co_await sleep_for(2_s, token);
  else
    co_await sleep_for(2_s);
  co_return 42;
}

template <bool PassToken>
Task<int> handler(ThreadPool& pool) {
  std::stop_source stop;
  auto q = spawn(pool, slow_query<PassToken>(stop.get_token()));
  co_await sleep_for(100_ms);  // the request's timeout
  request_stop(stop);
  try {
    co_return co_await q;
  } catch (const OperationCancelled&) {
    co_return -1;
  }
}

template <bool PassToken>
void timed_out_request() {
  ThreadPool pool(2, "pool");
  auto h = spawn(pool, handler<PassToken>(pool));
  h.join();
}

}  // namespace

TEST_CASE("cancellation: work keeps running long after stop was requested, every seed", "[properties][cancellation]") {
  auto t = explore(timed_out_request<false>, ViolationKind::cancellation);
  CHECK(t.flagged == t.runs);
  REQUIRE(!t.first.empty());
  const auto& v = t.first.front();
  CHECK(v.kind == ViolationKind::cancellation);
  CHECK(v.tasks.size() == 1);
  CHECK(v.locations.front().find("cancellation_test.cpp:24") != std::string::npos);
}

TEST_CASE("cancellation: a query that takes the token stops at once, never flagged", "[properties][cancellation]") {
  auto t = explore(timed_out_request<true>, ViolationKind::cancellation);
  INFO(t.first_other);
  CHECK(t.any_violation == 0);
}
