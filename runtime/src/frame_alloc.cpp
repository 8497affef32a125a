#include <cstddef>
#include <cstdlib>
#include <new>

#include "weft/task.hpp"

namespace weft::detail {

namespace {
constexpr std::size_t kGranule = 64;
constexpr std::size_t kClasses = 16;       // blocks up to 1 KiB are cached
constexpr std::size_t kPerClassMax = 4096; // bound the memory a thread keeps

struct Block {
  Block* next;
};

struct Cache {
  Block* head[kClasses] = {};
  std::size_t count[kClasses] = {};
  ~Cache() {
    for (auto& h : head)
      while (h) {
        Block* b = h;
        h = b->next;
        ::operator delete(b);
      }
  }
};
thread_local Cache cache;

inline std::size_t size_class(std::size_t bytes) noexcept { return (bytes + kGranule - 1) / kGranule - 1; }
}  // namespace

void* frame_alloc(std::size_t bytes) {
  std::size_t c = size_class(bytes);
  if (c < kClasses) {
    if (Block* b = cache.head[c]) {
      cache.head[c] = b->next;
      --cache.count[c];
      return b;
    }
    return ::operator new((c + 1) * kGranule);
  }
  return ::operator new(bytes);
}

void frame_free(void* p, std::size_t bytes) noexcept {
  std::size_t c = size_class(bytes);
  if (c < kClasses && cache.count[c] < kPerClassMax) {
    auto* b = static_cast<Block*>(p);
    b->next = cache.head[c];
    cache.head[c] = b;
    ++cache.count[c];
    return;
  }
  ::operator delete(p);
}

}  // namespace weft::detail
