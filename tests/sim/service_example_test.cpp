// The README's "writing a service on weft" example, kept honest: it runs in simulation and on
// real threads, and the names it gives show up in the trace.
#include <catch2/catch.hpp>

#include <weft/sim/sim.hpp>
#include <weft/weft.hpp>

using namespace weft;

namespace {
// --- as in the README ---
struct Db {
  Semaphore connections{2, "db-connections"};  // a pool of two connections
  Nanos connection_wait = 50_ms;

  Task<std::string> query(std::string sql, std::stop_token stop, Nanos cost = 10_ms) {
    // Wait at most 50 ms for a connection, and not at all once the request is cancelled.
    Semaphore::Permit connection = co_await connections.permit(connection_wait, stop);
    co_await sleep_for(cost, stop);  // the query itself
    co_return "rows for " + sql;
  }  // the connection goes back here, on every path
};

// Two queries at once, results of different types would do as well: a tuple comes back.
Task<std::string> order_page(Db& db, int id, std::stop_token stop) {
  auto user = db.query("user " + std::to_string(id), stop);
  auto orders = db.query("orders " + std::to_string(id), stop);
  auto [u, o] = co_await when_all(std::move(user), std::move(orders));
  co_return u + " / " + o;
}

// A fan-out that never outlives its scope: children are cancelled and joined on every path.
Task<void> warm_cache(Db& db, ThreadPool& pool, int n) {
  TaskGroup group{"warm-cache"};
  for (int id = 0; id < n; ++id)
    group.spawn(pool, [&db, id](std::stop_token stop) { return db.query("price " + std::to_string(id), stop); });
  co_await group.join();  // AggregateError with every failure (TimedOut when the pool is short)
}

// The page goes out `patience` after its own query at the latest: slower recommendations are
// left to finish in the background (the wait gives up; the task runs on).
Task<std::string> home_page(Db& db, ThreadPool& pool, Nanos patience, std::stop_token stop) {
  auto recs = spawn(pool, db.query("recommendations", stop, 40_ms), "recommendations");
  std::string page = co_await db.query("user 7", stop);
  try {
    page += " + " + co_await recs.wait(patience);  // recs.wait(token), recs.join(d) likewise
  } catch (const TimedOut&) {
    page += " + recommendations later";  // `recs` is still valid: await it again, or
    recs.detach();                       // let it run on (a failure reaches the unhandled hook)
  }
  co_return page;
}
// --- end ---

std::size_t timed_out_in(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const AggregateError& a) {
    std::size_t n = 0;
    for (auto& inner : a.exceptions()) {
      try {
        std::rethrow_exception(inner);
      } catch (const TimedOut&) {
        ++n;
      } catch (...) {
      }
    }
    return n;
  } catch (...) {
    return 0;
  }
}
}  // namespace

TEST_CASE("README service example: in simulation, names in the trace, timeouts when the pool is short",
          "[example][sim]") {
  sim::SimPlatform sp;
  sim::RandomSource rs(7);
  std::string page;
  std::size_t timed_out = 0;
  std::exception_ptr warm_error;
  auto r = sp.run([&] {
    ThreadPool pool(4, "app");
    Db db;
    std::stop_source stop;
    auto p = spawn(pool, order_page(db, 7, stop.get_token()), "order-page");
    page = p.join();
    // Twelve queries for two connections, 10 ms each: the last ones wait more than 50 ms.
    auto w = spawn(pool, warm_cache(db, pool, 12), "warm-cache");
    try {
      w.join();
    } catch (...) {
      warm_error = std::current_exception();
    }
    CHECK(db.connections.available() == 2);  // every permit came back
  }, rs);
  REQUIRE(r.outcome == sim::Outcome::completed);
  CHECK(page == "rows for user 7 / rows for orders 7");
  REQUIRE(warm_error);
  timed_out = timed_out_in(warm_error);
  CHECK(timed_out >= 1);
  const auto& tr = sp.trace();
  bool named_page = false, named_group = false, named_pool = false;
  for (const auto& t : tr.tasks) named_page |= t.name == "order-page";
  for (const auto& o : tr.objects) {
    named_group |= o.kind == ObjectKind::task_group && o.name == "warm-cache";
    named_pool |= o.kind == ObjectKind::semaphore && o.name == "db-connections";
  }
  CHECK(named_page);
  CHECK(named_group);
  CHECK(named_pool);
  CHECK(count_if(tr.records.begin(), tr.records.end(), [](const sim::TraceRecord& rec) {
          return rec.kind == EventKind::exception_dropped;
        }) == 0);
}

TEST_CASE("README service example: a timed JoinHandle wait, in simulation", "[example][sim][join]") {
  sim::SimPlatform sp;
  sim::RandomSource rs(8);
  std::string patient, late;
  Nanos patient_took = 0, late_took = 0;
  auto r = sp.run([&] {
    Db db;  // before the pool: the detached recommendations still hold a connection at the end
    ThreadPool pool(4, "app");
    std::stop_source stop;
    Platform& p = current_platform();
    patient = spawn(pool, home_page(db, pool, 50_ms, stop.get_token()), "home-page").join();
    patient_took = p.now();
    late = spawn(pool, home_page(db, pool, 5_ms, stop.get_token()), "home-page").join();
    late_took = p.now() - patient_took;
  }, rs);
  REQUIRE(r.outcome == sim::Outcome::completed);
  CHECK(patient == "rows for user 7 + rows for recommendations");
  CHECK(patient_took == 40_ms);  // the recommendations' query
  CHECK(late == "rows for user 7 + recommendations later");
  CHECK(late_took == 15_ms);  // its own query, then 5 ms of patience
  CHECK(count_if(sp.trace().records.begin(), sp.trace().records.end(), [](const sim::TraceRecord& rec) {
          return rec.kind == EventKind::exception_dropped;
        }) == 0);
}

TEST_CASE("README service example: on real threads", "[example]") {
  Db db;  // outlives the pool: a detached query may still hold a connection
  ThreadPool pool(4, "app");
  db.connection_wait = 10_s;  // a loaded test machine must not turn this into a timeout
  std::stop_source stop;
  CHECK(spawn(pool, order_page(db, 7, stop.get_token()), "order-page").join() == "rows for user 7 / rows for orders 7");
  spawn(pool, warm_cache(db, pool, 6), "warm-cache").join();
  CHECK(db.connections.available() == 2);
  CHECK(spawn(pool, home_page(db, pool, 1_ms, stop.get_token())).join() == "rows for user 7 + recommendations later");
  CHECK(spawn(pool, home_page(db, pool, 10_s, stop.get_token())).join() == "rows for user 7 + rows for recommendations");
}
