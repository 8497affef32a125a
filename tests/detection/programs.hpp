// Schedule-dependent bugs written on the public API, each with a clean twin: the classes the
// explorer must find at its default settings (coarse granularity). Coroutines take their
// state as parameters, never captures. Each program is `void(bool fixed)`.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "weft/properties/invariant.hpp"
#include "weft/properties/violation.hpp"
#include "weft/weft.hpp"

namespace weft::detection {

// 1. Lost update across an await: read, await something, write back. Two such tasks on a
// pool of two lose one increment when both read before either writes. Fix: hold an async
// mutex across the read-await-write.
inline Task<void> add_one(int* counter, Mutex* m, bool fixed) {
  Mutex::Guard g;
  if (fixed) g = co_await m->lock();
  int v = *counter;
  co_await weft::yield();  // an await between the read and the write (a call, a log flush)
  *counter = v + 1;
}
inline void lost_update(bool fixed) {
  ThreadPool pool(2, "pool");
  int counter = 0;
  Mutex m;
  auto a = spawn(pool, add_one(&counter, &m, fixed));
  auto b = spawn(pool, add_one(&counter, &m, fixed));
  a.join();
  b.join();
  invariant("both increments kept", counter == 2);
}

// 2. N-way lock cycle on async mutexes: task i locks m[i], awaits, then locks m[i+1 mod N].
// Fix: every task locks the lower-numbered mutex first.
inline Task<void> lock_pair(Mutex* first, Mutex* second) {
  auto g1 = co_await first->lock();
  co_await weft::yield();
  auto g2 = co_await second->lock();
}
inline void lock_cycle(bool fixed, int n) {
  ThreadPool pool(2, "pool");
  std::vector<std::unique_ptr<Mutex>> m;
  for (int i = 0; i < n; ++i) m.push_back(std::make_unique<Mutex>());
  std::vector<JoinHandle<void>> tasks;
  for (int i = 0; i < n; ++i) {
    Mutex* a = m[std::size_t(i)].get();
    Mutex* b = m[std::size_t((i + 1) % n)].get();
    if (fixed && a->id() > b->id()) std::swap(a, b);
    tasks.push_back(spawn(pool, lock_pair(a, b)));
  }
  for (auto& t : tasks) t.join();
}
inline void lock_cycle3(bool fixed) { lock_cycle(fixed, 3); }

// 3. Lost wakeup on a hand-written flag + event: the waiter checks the flag, awaits
// something, then registers its event; a notification in between is lost and the waiter
// sleeps forever. Fix: register first, then check the flag.
struct Notifier {
  bool ready = false;
  std::vector<std::shared_ptr<Event>> waiters;
};
inline Task<void> wait_ready(Notifier* n, bool fixed) {
  auto ev = std::make_shared<Event>();
  if (fixed) n->waiters.push_back(ev);
  if (n->ready) co_return;
  co_await weft::yield();  // e.g. a log call that awaits
  if (!fixed) n->waiters.push_back(ev);
  co_await ev->wait();
}
inline Task<void> notify(Notifier* n) {
  n->ready = true;
  for (auto& e : n->waiters) e->set();
  n->waiters.clear();
  co_return;
}
inline void lost_wakeup(bool fixed) {
  ThreadPool pool(2, "pool");
  Notifier n;
  auto w = spawn(pool, wait_ready(&n, fixed));
  auto s = spawn(pool, notify(&n));
  s.join();
  w.join();
}

// 4. A partial deadlock while a periodic timer keeps virtual time moving: two tasks in a
// lock inversion, and a heartbeat ticking every 10 ms until they are done. Fix: one lock order.
inline Task<void> heartbeat(bool* done) {
  while (!*done) co_await sleep_for(10_ms);
}
inline void partial_deadlock(bool fixed) {
  ThreadPool pool(2, "pool");
  Mutex a, b;
  bool done = false;
  auto tick = spawn(pool, heartbeat(&done));
  auto t1 = spawn(pool, lock_pair(&a, &b));
  auto t2 = spawn(pool, fixed ? lock_pair(&a, &b) : lock_pair(&b, &a));
  t1.join();
  t2.join();
  done = true;
  tick.join();
}

// 5. A semaphore permit leaked on an exception path: acquire, a step that may throw, then
// release by hand; the throw skips the release and the next caller waits forever. Fix:
// release in every path.
struct DbError : std::runtime_error {
  DbError() : std::runtime_error("DbError: connection reset") {}
};
inline Task<void> query(Semaphore* db, int id, bool fixed) {
  co_await db->acquire();
  try {
    co_await weft::yield();
    if (id == 0) throw DbError();
  } catch (...) {
    if (fixed) db->release();
    throw;
  }
  db->release();
}
inline void leaked_permit(bool fixed) {
  ThreadPool pool(2, "pool");
  Semaphore db(1);
  auto first = spawn(pool, query(&db, 0, fixed));
  try {
    first.join();
  } catch (const DbError&) {
  }
  auto second = spawn(pool, query(&db, 1, fixed));
  second.join();
}

// 6. A timeout racing the completion: the work and its timeout fire at the same instant;
// each checks "not finished yet", awaits (publishing the result), then marks it finished.
// Both may pass the check. Fix: claim (mark finished) before awaiting.
struct Operation {
  bool finished = false;
  int outcomes = 0;
};
inline Task<void> finish_after(Operation* op, Nanos d, bool fixed) {
  co_await sleep_for(d);
  if (op->finished) co_return;
  if (fixed) op->finished = true;
  co_await weft::yield();  // publish the result / the timeout error
  op->finished = true;
  ++op->outcomes;
}
inline void timeout_race(bool fixed) {
  ThreadPool pool(2, "pool");
  Operation op;
  auto work = spawn(pool, finish_after(&op, 10_ms, fixed));
  auto timeout = spawn(pool, finish_after(&op, 10_ms, fixed));
  work.join();
  timeout.join();
  invariant("exactly one outcome (result or timeout)", op.outcomes == 1);
}

// 7. An assertion thrown from the body: two jobs queued together on a pool of two, the
// second reads what the first initialises. On real threads either may start first. Fix:
// the reader awaits the initialiser.
struct Config {
  int value = 0;
};
inline Task<int> init_config(Config* c) {
  c->value = 42;
  co_return 0;
}
inline Task<int> read_config(Config* c, JoinHandle<int>* init) {
  if (init) co_await *init;
  co_return c->value;
}
inline void assertion_thrown(bool fixed) {
  ThreadPool pool(2, "pool");
  Config c;
  auto init = spawn(pool, init_config(&c));
  auto read = spawn(pool, read_config(&c, fixed ? &init : nullptr));
  int v = read.join();
  if (!fixed) init.join();
  if (v != 42) throw std::logic_error("assertion failed: config read before it was initialised");
}

// 8. A deadlock that needs a fault: when the cache fault fires, the fallback path takes
// the two locks in the other order. DFS has to branch on the fault to see it. Fix: the
// fallback keeps the lock order.
inline Task<void> refresh(Mutex* cache, Mutex* db, bool fixed) {
  bool miss = current_platform().fault("cache-miss", 300000);
  if (miss && !fixed) {
    auto g1 = co_await db->lock();
    co_await weft::yield();
    auto g2 = co_await cache->lock();
  } else {
    auto g1 = co_await cache->lock();
    co_await weft::yield();
    auto g2 = co_await db->lock();
  }
}
inline void fault_deadlock(bool fixed) {
  ThreadPool pool(2, "pool");
  Mutex cache, db;
  auto a = spawn(pool, refresh(&cache, &db, fixed));
  auto b = spawn(pool, refresh(&cache, &db, true));
  a.join();
  b.join();
}

struct Case {
  const char* name;
  void (*program)(bool fixed);
  ViolationKind kind;  // what the bug must be reported as
};

inline const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      {"lost-update", lost_update, ViolationKind::invariant},
      {"lock-cycle-3", lock_cycle3, ViolationKind::deadlock},
      {"lost-wakeup", lost_wakeup, ViolationKind::hang},
      {"partial-deadlock", partial_deadlock, ViolationKind::deadlock},
      {"leaked-permit", leaked_permit, ViolationKind::hang},
      {"timeout-race", timeout_race, ViolationKind::invariant},
      {"assertion-thrown", assertion_thrown, ViolationKind::crash},
      {"fault-deadlock", fault_deadlock, ViolationKind::deadlock},
  };
  return all;
}

}  // namespace weft::detection
