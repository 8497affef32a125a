// The bugs of the detection benchmark. Each opens with its story; `fixed` selects the twin.
// Coroutines take their state as parameters (a lambda's captures die before it runs).
#include "bugs.hpp"

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "weft/properties/invariant.hpp"
#include "weft/sim/sim.hpp"
#include "weft/weft.hpp"

namespace weft::detection {

namespace {

Task<void> noop() { co_return; }

// A shared step: await a trivial async call. The task suspends, and the pool's workers
// choose what runs next -- the scheduling point every access of the original programs had.
JoinHandle<void> step(ThreadPool& pool) { return spawn(pool, noop()); }

void join_all(std::vector<JoinHandle<void>>& hs) {
  for (auto& h : hs) block_on(h);
}

// ---- deadlock01, lock-order cycles, dining philosophers --------------------------------
// Each task takes its first lock, does a step, takes its second. With the locks of a cycle
// taken in cycle order, every task can hold its first and wait for its neighbour's: a
// deadlock. The twin takes them in a global order (the last one reverses its pair).
Task<void> lock_pair(ThreadPool* pool, Mutex* first, Mutex* second) {
  auto g1 = co_await first->lock();
  co_await step(*pool);
  auto g2 = co_await second->lock();
}

void lock_cycle(int n, bool fixed) {
  ThreadPool pool(std::uint32_t(n), "pool");
  std::vector<std::unique_ptr<Mutex>> locks;
  for (int i = 0; i < n; ++i) locks.push_back(std::make_unique<Mutex>());
  std::vector<JoinHandle<void>> hs;
  for (int i = 0; i < n; ++i) {
    int first = i, second = (i + 1) % n;
    if (fixed && first > second) std::swap(first, second);
    hs.push_back(spawn(pool, lock_pair(&pool, locks[std::size_t(first)].get(), locks[std::size_t(second)].get())));
  }
  join_all(hs);
}

// ---- account: a read-modify-write split over two critical sections -------------------
Task<void> transfer(ThreadPool* pool, Mutex* m, Shared<int>* balance, int amount, bool fixed) {
  if (fixed) {
    auto g = co_await m->lock();
    int seen = balance->load();
    co_await step(*pool);
    balance->store(seen + amount);
    co_return;
  }
  int seen;
  {
    auto g = co_await m->lock();
    seen = balance->load();
  }
  co_await step(*pool);
  auto g = co_await m->lock();
  balance->store(seen + amount);
}

void account(bool fixed) {
  ThreadPool pool(2, "pool");
  Mutex m;
  Shared<int> balance{100, "balance"};
  auto deposit = spawn(pool, transfer(&pool, &m, &balance, 50, fixed));
  auto withdraw = spawn(pool, transfer(&pool, &m, &balance, -30, fixed));
  block_on(deposit);
  block_on(withdraw);
  invariant("account: balance is 120 after +50 and -30", balance.unobserved() == 120);
}

// ---- lazy init: check, then construct across an await ------------------------------
struct Lazy {
  Shared<bool> initialised{false, "initialised"};
  int constructions = 0;  // what the invariant counts: not an access of the original
};

Task<void> use_lazy(ThreadPool* pool, Mutex* m, Lazy* l, bool fixed) {
  Mutex::Guard g;
  if (fixed) g = co_await m->lock();
  if (!l->initialised.load()) {
    co_await step(*pool);  // constructing takes a while
    ++l->constructions;
    l->initialised.store(true);
  }
}

void lazy_init(bool fixed) {
  ThreadPool pool(3, "pool");
  Mutex m;
  Lazy l;
  std::vector<JoinHandle<void>> hs;
  for (int i = 0; i < 3; ++i) hs.push_back(spawn(pool, use_lazy(&pool, &m, &l, fixed)));
  join_all(hs);
  invariant("lazy init: constructed exactly once", l.constructions == 1);
}

// ---- twostage: data1 and data2 published under different locks ----------------------
struct TwoStage {
  Shared<int> data1{0, "data1"};
  Shared<int> data2{0, "data2"};
  int torn = 0;  // what the invariant counts
};

Task<void> two_stage_writer(ThreadPool* pool, Mutex* m1, Mutex* m2, TwoStage* s, bool fixed) {
  if (fixed) {
    auto g1 = co_await m1->lock();
    s->data1.store(1);
    co_await step(*pool);
    auto g2 = co_await m2->lock();
    s->data2.store(s->data1.load() + 1);
    co_return;
  }
  {
    auto g1 = co_await m1->lock();
    s->data1.store(1);
  }
  co_await step(*pool);
  auto g2 = co_await m2->lock();
  s->data2.store(s->data1.load() + 1);
}

Task<void> two_stage_reader(ThreadPool* pool, Mutex* m1, Mutex* m2, TwoStage* s, bool fixed) {
  int t1, t2;
  if (fixed) {
    auto g1 = co_await m1->lock();
    t1 = s->data1.load();
    co_await step(*pool);
    auto g2 = co_await m2->lock();
    t2 = s->data2.load();
  } else {
    {
      auto g1 = co_await m1->lock();
      t1 = s->data1.load();
    }
    co_await step(*pool);
    auto g2 = co_await m2->lock();
    t2 = s->data2.load();
  }
  if (t1 == 1 && t2 != t1 + 1) ++s->torn;
}

// `writers` two-stage writers, then one reader, as the original creates its threads (its
// twostage_N has N-1 writers and one reader). The reader must come between some writer's
// first stage and every writer's second: the more writers, the sooner one of them has
// published data2 by the time the reader gets there. One worker per task, as the original
// has one thread each.
void two_stage(int writers, bool fixed) {
  ThreadPool pool(std::uint32_t(writers + 1), "pool");
  Mutex m1, m2;
  TwoStage s;
  std::vector<JoinHandle<void>> hs;
  for (int i = 0; i < writers; ++i) hs.push_back(spawn(pool, two_stage_writer(&pool, &m1, &m2, &s, fixed)));
  hs.push_back(spawn(pool, two_stage_reader(&pool, &m1, &m2, &s, fixed)));
  join_all(hs);
  invariant("twostage: a reader saw data1 published without data2", s.torn == 0);
}

// ---- reorder_N: N-1 setters write a then b; one checker reads both --------------------
struct Reorder {
  Shared<int> a{0, "a"};
  Shared<int> b{0, "b"};
  int inconsistent = 0;  // what the invariant counts
};

Task<void> reorder_setter(ThreadPool* pool, Mutex* m, Reorder* r, bool fixed) {
  Mutex::Guard g;
  if (fixed) g = co_await m->lock();
  r->a.store(1);
  co_await step(*pool);
  r->b.store(-1);
}

Task<void> reorder_checker(ThreadPool* pool, Mutex* m, Reorder* r, bool fixed) {
  Mutex::Guard g;
  if (fixed) g = co_await m->lock();
  int a = r->a.load();
  co_await step(*pool);
  int b = r->b.load();
  if (!((a == 0 && b == 0) || (a == 1 && b == -1))) ++r->inconsistent;
}

// One worker per task, as the original has one thread each. With fewer workers than
// setters the bug cannot happen on weft's pool: a worker runs its own local queue (the
// setter's hop, then the setter's second half) before it takes the checker from the
// global queue, so the checker starts only after some setter wrote both fields.
void reorder(int n, bool fixed) {
  ThreadPool pool(std::uint32_t(n), "pool");
  Mutex m;
  Reorder r;
  std::vector<JoinHandle<void>> hs;
  for (int i = 0; i + 1 < n; ++i) hs.push_back(spawn(pool, reorder_setter(&pool, &m, &r, fixed)));
  hs.push_back(spawn(pool, reorder_checker(&pool, &m, &r, fixed)));
  join_all(hs);
  invariant("reorder: the checker saw a and b from different writes", r.inconsistent == 0);
}

// ---- token ring: stages pass a token; each adds one to a shared counter ---------------
Task<void> ring_stage(ThreadPool* pool, Event* mine, Event* next, Shared<int>* counter) {
  co_await mine->wait();
  int seen = counter->load();
  co_await step(*pool);
  counter->store(seen + 1);
  next->set();
}

// The bug: the ring starts with two tokens (stages 0 and 2), so two stages update the
// counter at once.
void token_ring(bool fixed) {
  constexpr int n = 4;
  ThreadPool pool(n, "pool");
  std::vector<std::unique_ptr<Event>> tokens;
  for (int i = 0; i <= n; ++i) tokens.push_back(std::make_unique<Event>());
  Shared<int> counter{0, "counter"};
  std::vector<JoinHandle<void>> hs;
  for (int i = 0; i < n; ++i)
    hs.push_back(spawn(pool, ring_stage(&pool, tokens[std::size_t(i)].get(), tokens[std::size_t(i + 1)].get(), &counter)));
  tokens[0]->set();
  if (!fixed) tokens[2]->set();
  join_all(hs);
  invariant("token ring: every stage counted once", counter.unobserved() == n);
}

// ---- work-stealing queue: the owner's pop and a thief's steal take the same item -----
struct Wsq {
  Shared<int> top{0, "top"};
  Shared<int> bottom{1, "bottom"};  // one item, at index 0
  int taken[2] = {0, 0};  // what the invariant counts
};

Task<void> wsq_pop(ThreadPool* pool, Mutex* m, Wsq* q, bool fixed) {
  Mutex::Guard g;
  if (fixed) g = co_await m->lock();
  int b = q->bottom.load() - 1;
  q->bottom.store(b);
  co_await step(*pool);
  if (q->top.load() <= b)
    ++q->taken[b];
  else
    q->bottom.store(b + 1);
}

Task<void> wsq_steal(ThreadPool* pool, Mutex* m, Wsq* q, bool fixed) {
  Mutex::Guard g;
  if (fixed) g = co_await m->lock();
  int t = q->top.load();
  co_await step(*pool);
  if (t < q->bottom.load()) {
    ++q->taken[t];
    co_await step(*pool);  // no compare-and-swap on top: the claim comes late
    q->top.store(t + 1);
  }
}

void work_stealing_queue(bool fixed) {
  ThreadPool pool(2, "pool");
  Mutex m;
  Wsq q;
  auto owner = spawn(pool, wsq_pop(&pool, &m, &q, fixed));
  auto thief = spawn(pool, wsq_steal(&pool, &m, &q, fixed));
  block_on(owner);
  block_on(thief);
  invariant("work-stealing queue: an item was taken twice", q.taken[0] <= 1);
}

// ---- wronglock: the same counter guarded by different locks --------------------------
Task<void> locked_increment(ThreadPool* pool, Mutex* m, Shared<int>* x) {
  auto g = co_await m->lock();
  int seen = x->load();
  co_await step(*pool);
  x->store(seen + 1);
}

void wronglock(int n, bool fixed) {
  ThreadPool pool(std::uint32_t(n), "pool");
  Mutex right, wrong;
  Shared<int> x{0, "x"};
  std::vector<JoinHandle<void>> hs;
  for (int i = 0; i < n; ++i) hs.push_back(spawn(pool, locked_increment(&pool, fixed || i == 0 ? &right : &wrong, &x)));
  join_all(hs);
  invariant("wronglock: an increment was lost", x.unobserved() == n);
}

// ---- stringbuffer: append(other) reads other's length, then copies under a new lock ---
std::size_t size_of(const std::string& s) { return s.size(); }

Task<void> sb_append(ThreadPool* pool, Mutex* m, Shared<std::string>* other, std::string* out, int* overrun,
                     bool fixed) {
  if (fixed) {
    auto g = co_await m->lock();
    std::size_t len = other->read(size_of);
    co_await step(*pool);
    other->read([&](const std::string& o) { out->append(o, 0, len); });
    co_return;
  }
  std::size_t len;
  {
    auto g = co_await m->lock();
    len = other->read(size_of);
  }
  co_await step(*pool);
  auto g = co_await m->lock();
  other->read([&](const std::string& o) {
    if (len > o.size())
      ++*overrun;  // getChars past the end: the original throws StringIndexOutOfBounds here
    else
      out->append(o, 0, len);
  });
}

Task<void> sb_truncate(Mutex* m, Shared<std::string>* other) {
  auto g = co_await m->lock();
  other->update([](std::string& o) { o.erase(2); });
}

void stringbuffer(bool fixed) {
  ThreadPool pool(2, "pool");
  Mutex m;
  Shared<std::string> other{"abcdefgh", "sb"};
  std::string out;
  int overrun = 0;
  auto a = spawn(pool, sb_append(&pool, &m, &other, &out, &overrun, fixed));
  auto t = spawn(pool, sb_truncate(&m, &other));
  block_on(a);
  block_on(t);
  invariant("stringbuffer: append copied past the end of a truncated buffer", overrun == 0);
}

// ---- carter: a task waits for an event while holding the lock its setter needs --------
Task<void> carter_waiter(ThreadPool* pool, Mutex* m, Event* e, bool fixed) {
  auto g = co_await m->lock();
  co_await step(*pool);
  if (fixed) g.unlock();
  co_await e->wait();
}

Task<void> carter_setter(ThreadPool* pool, Mutex* m, Event* e) {
  co_await step(*pool);
  {
    auto g = co_await m->lock();
  }
  e->set();
}

void carter(bool fixed) {
  ThreadPool pool(2, "pool");
  Mutex m;
  Event e;
  auto w = spawn(pool, carter_waiter(&pool, &m, &e, fixed));
  auto s = spawn(pool, carter_setter(&pool, &m, &e));
  block_on(w);
  block_on(s);
}

// ---- phase: a barrier whose arrival count is a lost-update race ------------------------
Task<void> phase_arrive(ThreadPool* pool, Mutex* m, Shared<int>* arrived, int n, Event* all, bool fixed) {
  {
    Mutex::Guard g;
    if (fixed) g = co_await m->lock();
    int seen = arrived->load();
    co_await step(*pool);
    arrived->store(seen + 1);
    if (seen + 1 == n) all->set();
  }
  co_await all->wait();  // the next phase
}

void phase(bool fixed) {
  constexpr int n = 3;
  ThreadPool pool(n, "pool");
  Mutex m;
  Event all;
  Shared<int> arrived{0, "arrived"};
  std::vector<JoinHandle<void>> hs;
  for (int i = 0; i < n; ++i) hs.push_back(spawn(pool, phase_arrive(&pool, &m, &arrived, n, &all, fixed)));
  join_all(hs);
}

// ---- bluetooth driver: an I/O starts after the stopper saw no pending I/O --------------
struct Driver {
  Shared<bool> stopping{false, "stopping"};
  Shared<bool> stopped{false, "stopped"};
  Shared<int> pending{1, "pending"};  // the driver's own reference
  int used_after_stop = 0;  // what the invariant counts
};

Task<void> bt_io(ThreadPool* pool, Mutex* m, Event* idle, Driver* d, bool fixed) {
  {
    Mutex::Guard g;
    if (fixed) g = co_await m->lock();
    if (d->stopping.load()) co_return;
    co_await step(*pool);
    d->pending.fetch_add(1);
  }
  if (d->stopped.load()) ++d->used_after_stop;  // the work itself
  co_await step(*pool);
  Mutex::Guard g;
  if (fixed) g = co_await m->lock();
  if (d->pending.fetch_sub(1) == 1) idle->set();
}

Task<void> bt_stop(Mutex* m, Event* idle, Driver* d, bool fixed) {
  {
    Mutex::Guard g;
    if (fixed) g = co_await m->lock();
    d->stopping.store(true);
    if (d->pending.fetch_sub(1) == 1) idle->set();
  }
  co_await idle->wait();
  d->stopped.store(true);
}

void bluetooth(bool fixed) {
  ThreadPool pool(2, "pool");
  Mutex m;
  Event idle;
  Driver d;
  auto io = spawn(pool, bt_io(&pool, &m, &idle, &d, fixed));
  auto stop = spawn(pool, bt_stop(&m, &idle, &d, fixed));
  block_on(io);
  block_on(stop);
  invariant("bluetooth: the driver was used after it stopped", d.used_after_stop == 0);
}

// ---- async: a timeout racing the completion it guards ----------------------------------
struct Reply {
  Shared<bool> done{false, "done"};
  int responses = 0;  // what the invariant counts
};

Task<void> respond_at(ThreadPool* pool, Reply* r, Nanos when, bool fixed) {
  co_await sleep_for(when);
  if (r->done.load()) co_return;
  if (fixed) r->done.store(true);  // claim before the await: check and claim in one step
  co_await step(*pool);            // format the reply
  r->done.store(true);
  ++r->responses;
}

void timeout_race(bool fixed) {
  ThreadPool pool(2, "pool");
  Reply r;
  auto completion = spawn(pool, respond_at(&pool, &r, 10_ms, fixed));
  auto timeout = spawn(pool, respond_at(&pool, &r, 10_ms, fixed));
  block_on(completion);
  block_on(timeout);
  invariant("timeout race: the request was answered twice", r.responses == 1);
}

// ---- async: cancellation racing a result -----------------------------------------------
struct Outcome {
  bool produced = false;
  bool returned = false;
  int got = 0;
};

Task<void> produce(ThreadPool* pool, Channel<int>* ch, Outcome* o) {
  co_await step(*pool);
  o->produced = true;
  try {
    co_await ch->send(42);
  } catch (const ChannelClosed&) {
    o->returned = true;  // the consumer is gone: the result goes back
  }
}

Task<void> consume(Channel<int>* ch, std::stop_token token, Outcome* o, bool fixed) {
  bool cancelled = false;
  try {
    if (auto v = co_await ch->receive(token)) o->got = *v;
  } catch (const OperationCancelled&) {
    cancelled = true;
  }
  if (cancelled && fixed) {  // close first, then take what was already sent
    ch->close();
    while (auto v = co_await ch->receive()) o->got = *v;
  }
}

Task<void> cancel_after_step(ThreadPool* pool, std::stop_source* source) {
  co_await step(*pool);
  request_stop(*source);
}

void cancel_race(bool fixed) {
  ThreadPool pool(3, "pool");
  Channel<int> ch(1);
  std::stop_source source;
  Outcome o;
  auto c = spawn(pool, consume(&ch, source.get_token(), &o, fixed));
  auto p = spawn(pool, produce(&pool, &ch, &o));
  auto k = spawn(pool, cancel_after_step(&pool, &source));
  block_on(c);
  block_on(p);
  block_on(k);
  invariant("cancellation race: a produced result was neither consumed nor returned",
            !o.produced || o.got == 42 || o.returned);
}

// ---- async: closing a channel while a fire-and-forget producer still sends -----------
Task<void> send_two(ThreadPool* pool, Channel<int>* ch) {
  for (int i = 0; i < 2; ++i) {
    co_await step(*pool);
    co_await ch->send(i);
  }
}

Task<void> count_all(Channel<int>* ch, int* count) {
  while (auto v = co_await ch->receive()) ++*count;
}

void close_race(bool fixed) {
  ThreadPool pool(3, "pool");
  Channel<int> ch;
  int count = 0;
  auto consumer = spawn(pool, count_all(&ch, &count));
  auto first = spawn(pool, send_two(&pool, &ch));
  std::optional<JoinHandle<void>> second;
  if (fixed)
    second = spawn(pool, send_two(&pool, &ch));
  else
    spawn_detached(pool, send_two(&pool, &ch));  // nobody will see its ChannelClosed
  block_on(first);
  if (second) block_on(*second);
  ch.close();
  block_on(consumer);
  // The detached producer still runs: let it finish (and lose its ChannelClosed) while the
  // channel it sends on is alive. Without this it ran on into a destroyed channel.
  sim::settle();
}

// ---- async: a permit leaked on the exception path ----------------------------------
Task<void> with_permit(ThreadPool* pool, Semaphore* s, Shared<bool>* busy, bool fixed) {
  co_await s->acquire();
  bool failed = false;
  try {
    co_await step(*pool);
    if (busy->load()) throw std::runtime_error("resource busy");  // only when the other is inside
    busy->store(true);
    co_await step(*pool);
    busy->store(false);
  } catch (const std::runtime_error&) {
    failed = true;
  }
  if (failed) {
    if (fixed) s->release();
    throw std::runtime_error("resource busy");  // the bug: the permit is not given back first
  }
  s->release();
}

Task<void> take_all(Semaphore* s) {
  co_await s->acquire();
  co_await s->acquire();
}

void permit_leak(bool fixed) {
  ThreadPool pool(2, "pool");
  Semaphore s(2);
  Shared<bool> busy{false, "busy"};
  auto a = spawn(pool, with_permit(&pool, &s, &busy, fixed));
  auto b = spawn(pool, with_permit(&pool, &s, &busy, fixed));
  for (auto* h : {&a, &b}) {
    try {
      block_on(*h);
    } catch (const std::runtime_error&) {  // a failed request is fine; a leaked permit is not
    }
  }
  block_on(spawn(pool, take_all(&s)));  // shutdown drains every permit
}

// ---- async: the continuation runs on the wrong executor --------------------------------
Task<int> compute() { co_return 7; }

Task<void> ui_handler(ThreadPool* pool, SerialExecutor* ui, int* off_ui, bool fixed) {
  auto h = spawn(*pool, compute());
  co_await spawn(*ui, noop());  // a repaint in between
  int v = fixed ? co_await h : co_await resume_anywhere(h);
  if (!ui->running_here()) ++*off_ui;  // touching UI state off the UI thread
  (void)v;
}

void wrong_executor(bool fixed) {
  ThreadPool pool(2, "pool");
  SerialExecutor ui("ui");
  int off_ui = 0;
  block_on(spawn(ui, ui_handler(&pool, &ui, &off_ui, fixed)));
  invariant("continuation: UI state touched off the UI thread", off_ui == 0);
}

Bug make(std::string name, std::string family, ViolationKind kind, std::string story, std::function<void(bool)> body) {
  return Bug{std::move(name), std::move(family), kind, std::move(story), [body] { body(false); }, [body] { body(true); }};
}

std::vector<Bug> build() {
  using K = ViolationKind;
  std::vector<Bug> out;
  out.push_back(make("deadlock01", "deadlock01", K::deadlock, "two tasks take two locks in opposite orders",
                     [](bool f) { lock_cycle(2, f); }));
  for (int n = 3; n <= 7; ++n)
    out.push_back(make("philosophers_" + std::to_string(n), "dining philosophers", K::deadlock,
                       std::to_string(n) + " tasks, each takes its fork then its neighbour's",
                       [n](bool f) { lock_cycle(n, f); }));
  out.push_back(make("account", "account", K::invariant, "a balance update split over two critical sections", account));
  out.push_back(make("lazy_init", "lazy init", K::invariant, "check-then-construct across an await", lazy_init));
  out.push_back(make("twostage", "twostage", K::invariant, "two fields published under two locks",
                     [](bool f) { two_stage(1, f); }));
  for (int n : {3, 10, 20})
    out.push_back(make("twostage_" + std::to_string(n), "twostage_N", K::invariant,
                       std::to_string(n - 1) + " two-stage writers against one reader",
                       [n](bool f) { two_stage(n - 1, f); }));
  for (int n : {3, 5, 10, 20})
    out.push_back(make("reorder_" + std::to_string(n), "reorder_N", K::invariant,
                       std::to_string(n - 1) + " setters write a then b, a checker reads both",
                       [n](bool f) { reorder(n, f); }));
  out.push_back(make("token_ring", "token ring", K::invariant, "a ring started with two tokens", token_ring));
  out.push_back(make("wsq", "work-stealing queue", K::invariant, "pop and steal both take the last item",
                     work_stealing_queue));
  out.push_back(make("wronglock", "wronglock", K::invariant, "one counter, two different locks",
                     [](bool f) { wronglock(2, f); }));
  out.push_back(make("wronglock_3", "wronglock", K::invariant, "three tasks, two of them on the wrong lock",
                     [](bool f) { wronglock(3, f); }));
  out.push_back(make("stringbuffer", "stringbuffer", K::invariant, "append reads a length, the source shrinks",
                     stringbuffer));
  // Both get stuck on an event nobody will set: no wait-for cycle (an event has no owner),
  // so weft reports a hang naming the event, not a deadlock.
  out.push_back(make("carter", "carter", K::hang, "waits for an event while holding its setter's lock", carter));
  out.push_back(make("phase", "phase", K::hang, "a barrier's arrival count loses an update", phase));
  out.push_back(make("bluetooth", "bluetooth driver", K::invariant, "an I/O starts after the stopper drained",
                     bluetooth));
  out.push_back(make("timeout_race", "timeout racing completion", K::invariant,
                     "completion and timeout both answer", timeout_race));
  out.push_back(make("cancel_race", "cancellation racing a result", K::invariant,
                     "the consumer is cancelled after the result was sent", cancel_race));
  out.push_back(make("close_race", "channel close racing send", K::lost_exception,
                     "a detached producer sends into a closed channel", close_race));
  out.push_back(make("permit_leak", "permit leaked on exception", K::deadlock,
                     "an exception path skips the semaphore release", permit_leak));
  out.push_back(make("wrong_executor", "continuation on the wrong executor", K::invariant,
                     "resume_anywhere resumes a UI handler on a pool thread", wrong_executor));
  return out;
}

}  // namespace

const std::vector<Bug>& all_bugs() {
  static const std::vector<Bug> bugs = build();
  return bugs;
}

}  // namespace weft::detection
