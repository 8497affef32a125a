#include "weft/platform.hpp"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string_view>
#include <vector>
#include <thread>

#include "weft/assert.hpp"
#include "weft/detail/random.hpp"
#include "weft/timer.hpp"

namespace weft {

struct Platform::Ids {
  std::atomic<TaskId> task{0};
  std::atomic<ObjectId> object{0};
  std::mutex timers_guard;  // creation of the timer service only; never held across a switch
};

Platform::Platform() : ids_(std::make_unique<Ids>()) {}
Platform::~Platform() = default;  // derived classes call shutdown_timers() while still whole

namespace {
// All threads of a single-OS-thread platform (the simulator) run one at a time: a load
// and a store then give the same ids without the cost of a locked instruction.
std::uint32_t take_id(std::atomic<std::uint32_t>& counter, bool one_os_thread) noexcept {
  if (one_os_thread) {
    std::uint32_t v = counter.load(std::memory_order_relaxed) + 1;
    counter.store(v, std::memory_order_relaxed);
    return v;
  }
  return counter.fetch_add(1, std::memory_order_relaxed) + 1;
}
}  // namespace

TaskId Platform::next_task_id() noexcept { return take_id(ids_->task, one_os_thread_); }
ObjectId Platform::next_object_id() noexcept { return take_id(ids_->object, one_os_thread_); }
void Platform::OneOsThread::reset_ids() noexcept {
  p_.ids_->task.store(0, std::memory_order_relaxed);
  p_.ids_->object.store(0, std::memory_order_relaxed);
}

bool Platform::fault(std::string_view, std::uint32_t per_million) {
  return per_million > 0 && random_below(1000000) < per_million;
}

TimerService& Platform::timers() {
  std::lock_guard lk(ids_->timers_guard);
  if (!timers_) timers_ = std::make_unique<TimerService>(*this);
  return *timers_;
}

TimerService* Platform::started_timers() noexcept {
  std::lock_guard lk(ids_->timers_guard);
  return timers_.get();
}

void Platform::OneOsThread::abandon_timers() noexcept {
  if (p_.timers_) p_.timers_->abandon();
  p_.timers_.reset();
}

void Platform::shutdown_timers() {
  if (timers_) timers_->stop();
  timers_.reset();
}

namespace {

// A futex word, like Rust's thread parker: no mutex, one syscall on each side only when the
// parker really sleeps. unpark() touches nothing but the word, and FUTEX_WAKE on memory that
// was freed meanwhile is harmless, so a parker may be destroyed right after it returns.
class RealParker final : public Parker {
 public:
  void park(WaitKind why, TaskId, Nanos deadline) override {
    // A hand-off between busy threads (a reply, the next job) usually lands within
    // microseconds: poll the token that long before sleeping. Polling yields, so a peer
    // sharing this CPU still runs. The timer thread sleeps at once.
    if (why != WaitKind::timer && poll_token()) return;
    if (state_.fetch_sub(1, std::memory_order_acquire) == kNotified) return;  // kNotified -> kEmpty
    // Now kParked (-1). Sleep while it stays so; a timeout or spurious wake just returns.
    for (;;) {
      timespec ts{};
      const timespec* until = nullptr;
      if (deadline != no_deadline) {
        ts.tv_sec = time_t(deadline / 1000000000);
        ts.tv_nsec = long(deadline % 1000000000);
        until = &ts;
      }
      long r = syscall(SYS_futex, reinterpret_cast<int*>(&state_), FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, kParked,
                       until, nullptr, FUTEX_BITSET_MATCH_ANY);
      if (state_.load(std::memory_order_acquire) == kNotified) break;
      if (r != 0 && errno == ETIMEDOUT) break;
    }
    state_.exchange(kEmpty, std::memory_order_acquire);  // consume a token that raced in
  }
  void unpark() override {
    if (state_.exchange(kNotified, std::memory_order_release) == kParked)
      syscall(SYS_futex, reinterpret_cast<int*>(&state_), FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1);
  }

 private:
  static constexpr int kParked = -1, kEmpty = 0, kNotified = 1;
  static_assert(sizeof(std::atomic<int>) == sizeof(int));
  bool take_token() {
    int expected = kNotified;
    return state_.load(std::memory_order_relaxed) == kNotified &&
           state_.compare_exchange_strong(expected, kEmpty, std::memory_order_acquire);
  }
  bool poll_token() {
    constexpr auto kPollFor = std::chrono::microseconds(20);
    auto start = std::chrono::steady_clock::now();
    for (;;) {
      for (int i = 0; i < 16; ++i) {
        if (take_token()) return true;
        std::this_thread::yield();
      }
      if (std::chrono::steady_clock::now() - start > kPollFor) return take_token();
    }
  }
  std::atomic<int> state_{kEmpty};
};

class RealMutex final : public PlatformMutex {
 public:
  void do_lock() override { m_.lock(); }
  void do_unlock() override { m_.unlock(); }

 private:
  std::mutex m_;
};

class RealThread final : public PlatformThread {
 public:
  explicit RealThread(std::thread t) : t_(std::move(t)) {}
  ~RealThread() override {
    if (t_.joinable()) t_.join();
  }
  void join() override {
    if (t_.joinable()) t_.join();
  }

 private:
  std::thread t_;
};

class RealPlatform final : public Platform {
 public:
  ~RealPlatform() override { shutdown_timers(); }
  std::unique_ptr<PlatformThread> start_thread(std::string, std::function<void()> body, ThreadOwner) override {
    return std::make_unique<RealThread>(std::thread([this, b = std::move(body)] {
      detail::ThreadState st;
      st.platform = this;
      detail::tls_state = &st;
      b();
      detail::tls_state = nullptr;
    }));
  }
  std::unique_ptr<Parker> make_parker() override { return std::make_unique<RealParker>(); }
  std::unique_ptr<PlatformMutex> make_mutex() override { return std::make_unique<RealMutex>(); }
  Nanos now() override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  void blocking_work(Nanos d, WorkKind kind, const std::source_location&) override {
    if (kind == WorkKind::blocking_io) {
      std::this_thread::sleep_for(std::chrono::nanoseconds(d));
    } else {
      auto end = now() + d;
      while (now() < end) {
      }
    }
  }
  std::uint64_t random_below(std::uint64_t bound) override {
    // splitmix64 per thread, seeded by the thread's own address; only steal-victim choice
    // uses it on real threads.
    thread_local std::uint64_t x = weft::detail::golden_gamma ^ reinterpret_cast<std::uintptr_t>(&x);
    const std::uint64_t z = weft::detail::splitmix64_next(x);
    return bound ? z % bound : 0;
  }
};

}  // namespace

Platform& real_platform() {
  // Never destroyed: threads the process leaves running at exit (the name resolver's pool,
  // a detached worker of a leaked executor, the timer thread) still call into it while
  // static destructors run; a destroyed platform under them is a use after free.
  static RealPlatform* p = new RealPlatform;
  return *p;
}

namespace detail {
thread_local constinit ThreadState* tls_state = nullptr;
Parker& ThreadState::own_parker() {
  if (!parker) parker = (platform ? *platform : real_platform()).make_parker();
  return *parker;
}
ThreadState& thread_state() noexcept {
  if (!tls_state) {
    thread_local ThreadState fallback;
    fallback.platform = &real_platform();
    tls_state = &fallback;
  }
  return *tls_state;
}
}  // namespace detail

static void work(Nanos d, WorkKind k, const std::source_location& where) {
  auto& p = current_platform();
  if (p.tracing()) p.emit(trace::event::blocking(true, detail::tls_state ? detail::tls_state->task : 0, k, d, where));
  p.blocking_work(d, k, where);
  if (p.tracing()) p.emit(trace::event::blocking(false, detail::tls_state ? detail::tls_state->task : 0, k, d, where));
}

void blocking_io(Nanos d, std::source_location where) { work(d, WorkKind::blocking_io, where); }
void cpu_work(Nanos d, std::source_location where) { work(d, WorkKind::cpu_work, where); }

namespace detail {

void emit_object_create(Platform& p, ObjectId id, ObjectKind kind, std::string_view name,
                        const std::source_location& where) {
  if (!p.tracing()) return;
  p.emit(trace::event::object_create(tls_state ? tls_state->task : 0, id, kind, name, where));
}

namespace {
// The qualified name of the function whose signature is `f`, without return type, parameters,
// template arguments' "[with ...]" note or anonymous namespaces; at most its last two parts.
std::string parse_function_name(std::string_view f) {
  if (auto b = f.find(" ["); b != std::string_view::npos) f = f.substr(0, b);
  for (std::string_view lambda : {"::<lambda", "::(anonymous class)", "::(lambda"}) {
    if (auto at = f.find(lambda); at != std::string_view::npos) {
      std::string outer = parse_function_name(f.substr(0, at));
      return outer.empty() ? "lambda" : "lambda in " + outer;
    }
  }
  std::string_view head = f;
  if (auto close = f.rfind(')'); close != std::string_view::npos) {
    int depth = 0;
    for (std::size_t i = close + 1; i-- > 0;) {
      if (f[i] == ')') ++depth;
      if (f[i] == '(' && --depth == 0) {
        head = f.substr(0, i);
        break;
      }
    }
  }
  // The name starts after the last space outside angle brackets (the return type's end).
  std::size_t start = 0;
  int depth = 0;
  for (std::size_t i = 0; i < head.size(); ++i) {
    char c = head[i];
    if (c == '<' || c == '(') ++depth;
    if ((c == '>' || c == ')') && depth > 0) --depth;
    if (c == ' ' && depth == 0) start = i + 1;
  }
  head = head.substr(start);
  std::vector<std::string_view> parts;
  depth = 0;
  std::size_t from = 0;
  for (std::size_t i = 0; i + 1 < head.size(); ++i) {
    char c = head[i];
    if (c == '<' || c == '(') ++depth;
    if ((c == '>' || c == ')') && depth > 0) --depth;
    if (depth == 0 && c == ':' && head[i + 1] == ':') {
      parts.push_back(head.substr(from, i - from));
      from = i + 2;
      ++i;
    }
  }
  parts.push_back(head.substr(from));
  std::erase_if(parts, [](std::string_view x) {
    return x.empty() || x == "(anonymous namespace)" || x == "{anonymous}";
  });
  std::string out;
  for (std::size_t i = parts.size() > 2 ? parts.size() - 2 : 0; i < parts.size(); ++i) {
    if (!out.empty()) out += "::";
    out += parts[i];
  }
  return out;
}
}  // namespace

std::string_view short_function_name(const char* function_name) {
  if (!function_name || !*function_name) return {};
  // Keyed by the address of the compiler's static string: one parse per coroutine function.
  // The entries live for the whole process and are malloc'd, not new'd: a simulator may
  // replace operator new with a per-execution heap that is dropped when the execution ends.
  struct Entry {
    const char* key;
    std::size_t size;
    Entry* next;
    char text[1];
  };
  static std::mutex m;
  static Entry* buckets[256] = {};
  std::lock_guard lk(m);
  Entry*& head = buckets[(reinterpret_cast<std::uintptr_t>(function_name) >> 4) % 256];
  for (Entry* e = head; e; e = e->next)
    if (e->key == function_name) return {e->text, e->size};
  std::string parsed = parse_function_name(function_name);
  auto* e = static_cast<Entry*>(std::malloc(sizeof(Entry) + parsed.size()));
  if (!e) return {};
  e->key = function_name;
  e->size = parsed.size();
  e->next = head;
  std::memcpy(e->text, parsed.data(), parsed.size());
  e->text[parsed.size()] = '\0';
  head = e;
  return {e->text, e->size};
}

}  // namespace detail

void annotate(std::string_view text, std::source_location where) {
  auto& p = current_platform();
  if (!p.tracing()) return;
  p.emit(trace::event::annotation(detail::tls_state ? detail::tls_state->task : 0, text, where));
}

}  // namespace weft

