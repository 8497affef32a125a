// Random trees of spawn / await / when_all / when_any: every result and every exception is
// accounted for, no task is lost.
#include <catch2/catch.hpp>
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <atomic>
#include <weft/weft.hpp>

using namespace weft;

namespace {
struct Node {
  int kind = 0;  // 0 leaf value, 1 leaf throw, 2 spawn+await child, 3 when_all, 4 when_any
  int value = 0;
  int sleep_us = 0;
  std::vector<Node> children;
};

Node gen_node(int depth) {
  Node n;
  n.kind = depth <= 0 ? *rc::gen::inRange(0, 2) : *rc::gen::inRange(0, 5);
  n.value = *rc::gen::inRange(0, 100);
  n.sleep_us = *rc::gen::element(0, 0, 50, 200);
  if (n.kind >= 2) {
    int k = n.kind == 2 ? 1 : *rc::gen::inRange(1, 4);
    for (int i = 0; i < k; ++i) n.children.push_back(gen_node(depth - 1));
  }
  return n;
}

// Expected outcome: sum of values, or "throws".
struct Outcome {
  bool throws = false;
  long sum = 0;
  bool unknown = false;  // depends on which when_any child wins
};
Outcome expect(const Node& n) {
  switch (n.kind) {
    case 0: return {false, n.value};
    case 1: return {true, 0};
    case 2: return expect(n.children[0]);
    case 3: {
      Outcome o;
      for (auto& c : n.children) {
        auto e = expect(c);
        o.throws |= e.throws;
        o.sum += e.sum;
        o.unknown |= e.unknown;
      }
      if (o.throws) o.sum = 0;
      return o;
    }
    default: {  // when_any: known only when every child would give the same outcome
      Outcome first = expect(n.children[0]);
      for (auto& c : n.children) {
        auto e = expect(c);
        if (e.unknown || e.throws != first.throws || e.sum != first.sum) return {false, 0, true};
      }
      if (first.throws) return {false, -1, false};  // the catch in run() maps it to -1
      return first;
    }
  }
}

Task<long> run(const Node& n, ThreadPool& pool, std::atomic<int>& started, std::atomic<int>& finished) {
  started.fetch_add(1);
  struct Done {
    std::atomic<int>& f;
    ~Done() { f.fetch_add(1); }
  } done{finished};
  if (n.sleep_us) co_await sleep_for(Nanos(n.sleep_us) * 1000);
  switch (n.kind) {
    case 0: co_return n.value;
    case 1: throw std::runtime_error("leaf");
    case 2: co_return co_await spawn(pool, run(n.children[0], pool, started, finished));
    case 3: {
      std::vector<Task<long>> ts;
      for (auto& c : n.children) ts.push_back(run(c, pool, started, finished));
      try {
        auto rs = co_await when_all(std::move(ts));
        long s = 0;
        for (long r : rs) s += r;
        co_return s;
      } catch (const AggregateError& e) {
        (void)e.exceptions();
        throw std::runtime_error("aggregate");
      }
    }
    default: {
      std::vector<Task<long>> ts;
      for (auto& c : n.children) ts.push_back(run(c, pool, started, finished));
      try {
        auto r = co_await when_any(std::move(ts));
        co_return r.value;
      } catch (...) {
        co_return -1;
      }
    }
  }
}
}  // namespace

TEST_CASE("random spawn/await/when_all/when_any trees account for every result and exception", "[property]") {
  rc::prop("tree", [] {
    Node root = gen_node(3);
    std::atomic<int> lost{0};
    auto prev = set_unhandled_exception_handler([&](const LostException&) { ++lost; });
    std::atomic<int> started{0}, finished{0};
    bool threw = false;
    long got = 0;
    {
      ThreadPool pool(3);
      try {
        got = block_on(run(root, pool, started, finished));
      } catch (const std::exception&) {
        threw = true;
      }
      // when_any losers may still be running: wait until every started task finished.
      for (int i = 0; i < 5000 && finished.load() != started.load(); ++i)
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    set_unhandled_exception_handler(prev);
    RC_ASSERT(started.load() == finished.load());
    auto e = expect(root);
    if (!e.unknown) {
      RC_ASSERT(threw == e.throws);
      if (!threw) RC_ASSERT(got == e.sum);
    }
    // Only when_any losers may drop errors; a tree without when_any loses nothing.
    std::function<bool(const Node&)> has_any = [&](const Node& n) {
      if (n.kind == 4) return true;
      for (auto& c : n.children)
        if (has_any(c)) return true;
      return false;
    };
    if (!has_any(root)) RC_ASSERT(lost.load() == 0);
  });
}
