// Small programs the model tests explore, written on the weft runtime. Coroutines take
// their state as parameters, never captures (a capture dies with the lambda object).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "weft/model/explorer.hpp"
#include "weft/spawn.hpp"
#include "weft/sync.hpp"
#include "weft/thread_pool.hpp"
#include "weft/timer.hpp"

namespace weft::model_test {

inline Task<void> noop() { co_return; }

// A hop through the pool: a scheduling point between two steps of a task.
inline Task<void> lock_both(ThreadPool* pool, Mutex* first, Mutex* second) {
  auto g1 = co_await first->lock();
  co_await spawn(*pool, noop());
  auto g2 = co_await second->lock();
}

// Two-lock inversion on the async mutex: A takes m1 then m2, B takes m2 then m1.
// `fixed`: both take m1 first.
inline void two_locks(bool fixed) {
  ThreadPool pool(2, "pool");
  Mutex m1, m2;
  auto a = spawn(pool, lock_both(&pool, &m1, &m2));
  auto b = spawn(pool, fixed ? lock_both(&pool, &m1, &m2) : lock_both(&pool, &m2, &m1));
  block_on(a);
  block_on(b);
}

inline Task<Mutex::Guard> acquire(Mutex* m) { co_return co_await m->lock(); }

// The same inversion with sync-over-async: pool workers block_on the locks.
inline void two_locks_block_on(bool fixed) {
  ThreadPool pool(3, "pool");
  Mutex m1, m2;
  auto body = [&pool](Mutex* first, Mutex* second) {
    auto g1 = block_on(acquire(first));
    block_on(spawn(pool, noop()));
    auto g2 = block_on(acquire(second));
  };
  auto a = spawn_blocking(pool, [&] { body(&m1, &m2); });
  auto b = spawn_blocking(pool, [&] { fixed ? body(&m1, &m2) : body(&m2, &m1); });
  block_on(a);
  block_on(b);
}

inline Task<void> add_three(Mutex* m, int* counter) {
  for (int i = 0; i < 3; ++i) {
    auto g = co_await m->lock();
    *counter += 1;
  }
}

// "counter": 2 tasks x 3 {lock; += 1; unlock}; throws if an increment was lost.
inline void counter() {
  int value = 0;
  {
    ThreadPool pool(2, "pool");
    Mutex m;
    auto a = spawn(pool, add_three(&m, &value));
    auto b = spawn(pool, add_three(&m, &value));
    block_on(a);
    block_on(b);
  }
  if (value != 6) throw std::logic_error("counter is " + std::to_string(value) + ", expected 6");
}

inline Task<void> hops(ThreadPool* pool, int n) {
  for (int i = 0; i < n; ++i) co_await spawn(*pool, noop());
}

// The inversion among `noise` tasks that each hop `hops_each` times, `noise_before` of
// them spawned before the two lockers and the rest after.
inline void two_locks_in_noise(int noise, int hops_each, int noise_before = 0) {
  ThreadPool pool(3, "pool");
  Mutex m1, m2;
  std::vector<JoinHandle<void>> others;
  for (int i = 0; i < noise_before; ++i) others.push_back(spawn(pool, hops(&pool, hops_each)));
  auto a = spawn(pool, lock_both(&pool, &m1, &m2));
  auto b = spawn(pool, lock_both(&pool, &m2, &m1));
  for (int i = noise_before; i < noise; ++i) others.push_back(spawn(pool, hops(&pool, hops_each)));
  for (auto& h : others) block_on(h);
  block_on(a);
  block_on(b);
}

// Checkers that do not depend on properties::check_all.
inline std::vector<Violation> outcome_checker(const sim::Trace&, const sim::RunResult& r) {
  std::vector<Violation> out;
  Violation v;
  v.message = r.message;
  if (r.outcome == sim::Outcome::deadlock) v.kind = ViolationKind::deadlock;
  else if (r.outcome == sim::Outcome::body_threw) v.kind = ViolationKind::invariant;
  else if (r.outcome == sim::Outcome::step_limit || r.outcome == sim::Outcome::time_limit) v.kind = ViolationKind::limit;
  else return out;
  out.push_back(v);
  return out;
}

// A lock-order inversion that exact virtual time hides: `place` holds stock during
// [1 ms, 2 ms], `refresh` starts at 5 ms, so with exact timings the two never overlap and no
// interleaving deadlocks. With time jitter (sim::Options::time_jitter) the sleeps stretch and
// the windows can cross.
inline Task<void> timed_pair(Mutex* first, Mutex* second, Nanos start) {
  co_await sleep_for(start);
  auto g1 = co_await first->lock();
  co_await sleep_for(1_ms);
  auto g2 = co_await second->lock();
}

inline void timed_lock_order() {
  ThreadPool pool(2, "pool");
  Mutex stock, cache;
  auto a = spawn(pool, timed_pair(&stock, &cache, 1_ms));
  auto b = spawn(pool, timed_pair(&cache, &stock, 5_ms));
  block_on(a);
  block_on(b);
}

}  // namespace weft::model_test
