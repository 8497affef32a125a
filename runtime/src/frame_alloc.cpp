#include <cstddef>
#include <cstdlib>
#include <new>

#include "weft/task.hpp"

namespace weft::detail {

namespace {
// 8-byte classes: glibc rounds a request to 16 with an 8-byte header, so recycling by these
// classes costs no byte over plain malloc (64-byte classes made a trivial task 192 B, not 136).
constexpr std::size_t kGranule = 8;
constexpr std::size_t kClasses = 128;  // blocks up to 1 KiB are cached
// Per thread; beyond either limit blocks go back to the heap. The per-class limit keeps one
// burst (10k spawned frames freed on one thread) from crowding out every other size.
constexpr std::size_t kPerClassMax = 1024;
constexpr std::size_t kBytesMax = 512 * 1024;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kRecycle = false;  // keep use-after-free of frames visible to the sanitizers
#else
constexpr bool kRecycle = true;
#endif

struct Block {
  Block* next;
};

// Trivially destructible, so it stays usable while other thread_locals are destroyed (a
// frame freed from one of their destructors); CacheOwner drains it at thread exit.
struct Cache {
  Block* head[kClasses];
  std::size_t count[kClasses];
  std::size_t bytes;
  bool owned;
  bool closed;
  bool off;  // set_frame_cache(false)
};
thread_local Cache cache{};

struct CacheOwner {
  bool armed = false;
  ~CacheOwner() {
    cache.closed = true;
    for (auto& h : cache.head)
      while (h) {
        Block* b = h;
        h = b->next;
        ::operator delete(b);
      }
  }
};
thread_local CacheOwner cache_owner;

inline std::size_t size_class(std::size_t bytes) noexcept { return (bytes + kGranule - 1) / kGranule - 1; }
}  // namespace

void* frame_alloc(std::size_t bytes) {
  std::size_t c = size_class(bytes);
  if (!kRecycle || c >= kClasses || cache.off) return ::operator new(bytes);
  if (Block* b = cache.head[c]) {
    cache.head[c] = b->next;
    --cache.count[c];
    cache.bytes -= (c + 1) * kGranule;
    return b;
  }
  return ::operator new((c + 1) * kGranule);
}

void set_frame_cache(bool enabled) noexcept { cache.off = !enabled; }

void frame_free(void* p, std::size_t bytes) noexcept {
  std::size_t c = size_class(bytes);
  std::size_t block = (c + 1) * kGranule;
  if (!kRecycle || c >= kClasses || cache.closed || cache.off || cache.count[c] >= kPerClassMax ||
      cache.bytes + block > kBytesMax) {
    ::operator delete(p);
    return;
  }
  if (!cache.owned) {
    cache.owned = true;
    cache_owner.armed = true;  // constructs it, so it drains the cache at thread exit
  }
  auto* b = static_cast<Block*>(p);
  b->next = cache.head[c];
  cache.head[c] = b;
  ++cache.count[c];
  cache.bytes += block;
}

}  // namespace weft::detail
