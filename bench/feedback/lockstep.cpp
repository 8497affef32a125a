#include "lockstep.hpp"

#include <memory>
#include <vector>

#include "weft/properties/invariant.hpp"
#include "weft/weft.hpp"

namespace weft::feedback_bench {

namespace {

Task<void> noop() { co_return; }
// A hop: the task suspends and the pool's workers choose what runs next.
JoinHandle<void> step(ThreadPool& pool) { return spawn(pool, noop()); }

struct Mailbox {
  Mutex lock;
  std::vector<std::unique_ptr<Mutex>> rounds;  // round i's fast-path lock: rounds[i - 1]
  int posted = 0;
  int pipelined_reads_wrong = 0;
};

Task<void> server(ThreadPool* pool, Mailbox* m, int n) {
  for (int i = 1; i <= n; ++i) {
    co_await step(*pool);
    auto round = co_await m->rounds[std::size_t(i - 1)]->lock();
    auto g = co_await m->lock.lock();
    m->posted = i;
  }
  co_await step(*pool);
  auto g = co_await m->lock.lock();
  m->posted = n + 1;  // the closing post
}

Task<void> client(ThreadPool* pool, Mailbox* m, int n, bool fixed) {
  for (int i = 1; i <= n; ++i) {
    co_await step(*pool);
    int seen = 0;
    {
      auto g = co_await m->lock.lock();
      seen = m->posted;
    }
    if (seen != i) co_return;  // not in step with the server: the slow path
    auto round = co_await m->rounds[std::size_t(i - 1)]->lock();
  }
  // Pipelined: the client takes the closing post for granted; the twin reads the mailbox
  // under its lock, as every round did, and takes what is there.
  co_await step(*pool);
  if (fixed) {
    auto g = co_await m->lock.lock();
  } else if (m->posted != n + 1) {
    ++m->pipelined_reads_wrong;
  }
}

}  // namespace

void lockstep(int rounds, bool fixed) {
  ThreadPool pool(2, "pool");
  Mailbox m;
  for (int i = 0; i < rounds; ++i) m.rounds.push_back(std::make_unique<Mutex>());
  auto s = spawn(pool, server(&pool, &m, rounds));
  auto c = spawn(pool, client(&pool, &m, rounds, fixed));
  block_on(s);
  block_on(c);
  invariant("lockstep: the pipelined client took a closing post that was not there yet", m.pipelined_reads_wrong == 0);
}

}  // namespace weft::feedback_bench
