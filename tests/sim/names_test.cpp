// Names in the trace: tasks (given or from the coroutine's function) and sync objects.
#include <catch2/catch.hpp>

#include <weft/sim/sim.hpp>
#include <weft/weft.hpp>

using namespace weft;

namespace orders {
Task<int> fetch_user(int id) {
  co_await sleep_for(1_ms);
  co_return id;
}
struct Service {
  Task<void> refresh() { co_return; }
};
}  // namespace orders

TEST_CASE("a task is named after its coroutine function unless given a name", "[names]") {
  CHECK(orders::fetch_user(1).name() == "orders::fetch_user");
  orders::Service s;
  CHECK(s.refresh().name() == "Service::refresh");
  auto lambda = []() -> Task<void> { co_return; };
  CHECK(lambda().name().starts_with("lambda in "));
  CHECK(orders::fetch_user(1).named("user-7").name() == "user-7");
}

TEST_CASE("names reach the trace: spawn text and object_create records", "[names][sim]") {
  sim::SimPlatform sp;
  sim::RandomSource rs(1);
  auto r = sp.run([] {
    ThreadPool pool(2, "pool");
    Mutex cache{"cache"};
    Semaphore db{2, "db"};
    Channel<int> jobs{4, "jobs"};
    Event ready{"ready"};
    Mutex anonymous;
    auto a = spawn(pool, orders::fetch_user(1), "refresh-prices");
    auto b = spawn(pool, orders::fetch_user(2));
    a.join();
    b.join();
    auto all = [](ThreadPool& p) -> Task<void> {
      std::vector<Task<int>> ts;
      ts.push_back(orders::fetch_user(3));
      ts.push_back(orders::fetch_user(4).named("second"));
      co_await when_all(std::move(ts));
      (void)p;
    };
    spawn(pool, all(pool)).join();
    CHECK(cache.name() == "cache");
    CHECK(db.name() == "db");
    CHECK(jobs.name() == "jobs");
    CHECK(ready.name() == "ready");
    CHECK(anonymous.name().empty());
  }, rs);
  REQUIRE(r.outcome == sim::Outcome::completed);
  const auto& tr = sp.trace();
  std::vector<std::string> names;
  for (const auto& t : tr.tasks) names.push_back(t.name);
  CHECK(std::count(names.begin(), names.end(), "refresh-prices") == 1);
  CHECK(std::count(names.begin(), names.end(), "orders::fetch_user") == 2);
  CHECK(std::count(names.begin(), names.end(), "second") == 1);
  REQUIRE(tr.objects.size() == 5);
  CHECK(tr.objects[0].kind == ObjectKind::mutex);
  CHECK(tr.objects[0].name == "cache");
  CHECK(tr.objects[1].kind == ObjectKind::semaphore);
  CHECK(tr.objects[2].kind == ObjectKind::channel);
  CHECK(tr.objects[3].kind == ObjectKind::event);
  CHECK(tr.site_at(tr.objects[0].site).file.ends_with("names_test.cpp"));
  CHECK(tr.object_name(tr.objects[1].id) == "db");
  CHECK(tr.object_name(tr.objects[4].id) == "mutex #" + std::to_string(tr.objects[4].id));
  CHECK(tr.task_name(1) == "refresh-prices");
  CHECK(tr.task_name(999) == "task 999");
  CHECK(tr.dump().find("object_create task=0 object=" + std::to_string(tr.objects[0].id) +
                       " value=1") != std::string::npos);
}

TEST_CASE("a lost exception names its task", "[names]") {
  std::string seen;
  auto old = set_unhandled_exception_handler([&](const LostException& e) { seen = e.name; });
  {
    ThreadPool pool(1);
    auto boom = []() -> Task<void> { throw std::runtime_error("boom"); co_return; };
    auto h = spawn(pool, boom(), "boomer");
    while (!h.done()) std::this_thread::yield();
  }
  set_unhandled_exception_handler(old);
  CHECK(seen == "boomer");
}
