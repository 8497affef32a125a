// Cancellation against completion on real threads: timers (sleep_for with a stop token),
// channel receives with a stop token, at random cancel times and with many deadlines due
// together. Each wait ends exactly once, either completed or cancelled, and nothing touches
// a waiter after it resumed: run under ThreadSanitizer and AddressSanitizer in CI.
//
// WEFT_STRESS_SLEEPS (default 10^6) sets the number of sleeps; receives are a quarter of it.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <thread>
#include <weft/detail/hash.hpp>
#include <weft/weft.hpp>

using namespace weft;

namespace {

long env_count(const char* name, long fallback) {
  const char* e = std::getenv(name);
  return e ? std::atol(e) : fallback;
}

// A small deterministic generator per thread (the test's own randomness, not the runtime's).
struct Rng {
  std::uint64_t s;
  std::uint64_t next() noexcept {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
};

// Busy-waits for about `n` short pauses: a cancel time measured in instructions, so that it
// lands before, during or after the timer thread's handling of the same entry.
void spin(std::uint64_t n) {
  for (std::uint64_t i = 0; i < n; ++i) std::atomic_signal_fence(std::memory_order_seq_cst);
}

struct Counts {
  std::atomic<long> fired{0};
  std::atomic<long> cancelled{0};
  std::atomic<long> other{0};
};

Task<void> sleeper(Nanos d, std::stop_token token, Counts& c) {
  try {
    co_await sleep_for(d, token);
    c.fired.fetch_add(1, std::memory_order_relaxed);
  } catch (const OperationCancelled&) {
    c.cancelled.fetch_add(1, std::memory_order_relaxed);
  } catch (...) {
    c.other.fetch_add(1, std::memory_order_relaxed);
  }
}

Task<void> receiver(Channel<int>& ch, std::stop_token token, Counts& c) {
  try {
    auto v = co_await ch.receive(token);
    if (v)
      c.fired.fetch_add(1, std::memory_order_relaxed);
    else
      c.other.fetch_add(1, std::memory_order_relaxed);
  } catch (const OperationCancelled&) {
    c.cancelled.fetch_add(1, std::memory_order_relaxed);
  } catch (...) {
    c.other.fetch_add(1, std::memory_order_relaxed);
  }
}

}  // namespace

TEST_CASE("sleeps cancelled at random times, deadlines due together, each ends exactly once", "[stress][timer]") {
  const long total = env_count("WEFT_STRESS_SLEEPS", 1000000);
  const int batch = 64;
  constexpr int kCancellers = 3;
  ThreadPool pool(4);
  Counts c;
  Rng rng{weft::detail::golden_gamma};
  std::vector<std::stop_source> sources(batch);
  const std::uint64_t spin_max = std::uint64_t(env_count("WEFT_STRESS_SPIN", 4096));
  long spawned = 0;
  for (long round = 0; spawned < total; ++round) {
    for (int i = 0; i < batch; ++i) sources[i] = std::stop_source();
    // Every other round shares one stop source: its callbacks then cancel one entry after
    // another while the timer thread is firing the same batch, both taking the timer lock.
    bool shared = round % 2 == 1;
    long done_before = c.fired.load() + c.cancelled.load() + c.other.load();
    // Detached: a sleeper's frame is freed the moment it ends, so a late touch by the timer
    // thread is a use after free that the sanitizers see. Deadlines from 0 to 3 us: most of a
    // batch falls due in the same pass of the timer thread.
    for (int i = 0; i < batch; ++i)
      spawn_detached(pool, sleeper(Nanos(rng.next() % 4) * 1000, sources[shared ? 0 : i].get_token(), c));
    spawned += batch;
    if (shared) {
      spin(rng.next() % spin_max);
      sources[0].request_stop();
    } else {
      // Cancel three in four, each after a random pause (before arming, while armed, while
      // firing, after firing), from several threads at once, all contending for the timer
      // lock with the timer thread.
      std::uint64_t seed = rng.next();
      auto cancel_slice = [&, seed](int k) {
        Rng r{seed + std::uint64_t(k) * weft::detail::golden_gamma};
        for (int i = k; i < batch; i += kCancellers) {
          std::uint64_t x = r.next();
          if (x % 4 == 0) continue;
          spin((x >> 8) % spin_max);
          sources[i].request_stop();
        }
      };
      std::vector<std::thread> cancellers;
      for (int k = 1; k < kCancellers; ++k) cancellers.emplace_back(cancel_slice, k);
      cancel_slice(0);
      for (auto& t : cancellers) t.join();
    }
    while (c.fired.load() + c.cancelled.load() + c.other.load() < done_before + batch) std::this_thread::yield();
  }
  CHECK(c.other.load() == 0);
  CHECK(c.fired.load() + c.cancelled.load() == spawned);
  CHECK(c.fired.load() > 0);
  CHECK(c.cancelled.load() > 0);
}

TEST_CASE("channel receives cancelled while values arrive, each ends exactly once", "[stress][channel]") {
  const long total = env_count("WEFT_STRESS_SLEEPS", 1000000) / 4;
  const int batch = 64;
  ThreadPool pool(4);
  Counts c;
  Rng rng{0x2545f4914f6cdd1dull};
  std::vector<std::stop_source> sources(batch);
  std::vector<JoinHandle<void>> hs;
  hs.reserve(batch);
  long spawned = 0, sent = 0;
  while (spawned < total) {
    Channel<int> ch;
    hs.clear();
    for (int i = 0; i < batch; ++i) sources[i] = std::stop_source();
    for (int i = 0; i < batch; ++i) hs.push_back(spawn(pool, receiver(ch, sources[i].get_token(), c)));
    spawned += batch;
    // Values and stops interleaved at random: a value may meet a receiver whose stop is
    // being requested at that moment.
    int values = 0;
    for (int i = 0; i < batch; ++i) {
      std::uint64_t r = rng.next();
      spin((r >> 8) % 256);
      if (r % 2 == 0) {
        if (ch.try_send(i)) ++values;
      } else {
        sources[i].request_stop();
      }
    }
    // Whoever is left neither got a value nor was stopped: stop them all.
    for (auto& s : sources) s.request_stop();
    for (auto& h : hs) h.join();
    sent += values;
  }
  CHECK(c.other.load() == 0);
  CHECK(c.fired.load() + c.cancelled.load() == spawned);
  CHECK(c.fired.load() <= sent);
  CHECK(c.cancelled.load() > 0);
}
