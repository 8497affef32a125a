// The global operator new/delete of a program that links the simulator (see heap.hpp).
//
// Every block is [padding][Node][user bytes]; the Node sits right before the user pointer.
// A tracked block's Node is on its thread's doubly linked list (never null links); an
// untracked one has next == nullptr. The low 4 bits of Node::prev_tag give the distance
// from the malloc'd base to the user pointer, 16 << tag, so that a list walk can free an
// over-aligned block it knows nothing else about.
#include "heap.hpp"

#include <cstdint>
#include <cstdlib>
#include <new>

#include "weft/assert.hpp"

namespace weft::sim::heap {

namespace {

struct alignas(16) Node {  // 16-aligned: the low 4 bits of a Node address carry the tag
  std::uintptr_t prev_tag;  // previous Node | tag
  Node* next;               // null: untracked
};
static_assert(sizeof(Node) == 16);

constexpr std::uintptr_t tag_mask = 15;

// The list of this thread's tracked blocks; circular once first used.
thread_local constinit Node head{0, nullptr};
thread_local constinit std::size_t blocks = 0;

Node* prev_of(const Node* n) noexcept { return reinterpret_cast<Node*>(n->prev_tag & ~tag_mask); }
void set_prev(Node* n, Node* p) noexcept { n->prev_tag = reinterpret_cast<std::uintptr_t>(p) | (n->prev_tag & tag_mask); }

void link(Node* n) noexcept {
  if (!head.next) {
    head.next = &head;
    head.prev_tag = reinterpret_cast<std::uintptr_t>(&head);
  }
  Node* last = prev_of(&head);
  n->next = &head;
  set_prev(n, last);
  last->next = n;
  set_prev(&head, n);
  ++blocks;
}

void unlink(Node* n) noexcept {
  WEFT_ASSERT(n->next && prev_of(n) && blocks > 0, "a tracked block's node is on the list, with both links");
  Node* p = prev_of(n);
  p->next = n->next;
  set_prev(n->next, p);
  n->next = nullptr;
  --blocks;
}

std::size_t offset_of(const Node* n) noexcept { return std::size_t(16) << (n->prev_tag & tag_mask); }

void* base_of(Node* n) noexcept { return reinterpret_cast<char*>(n + 1) - offset_of(n); }

void* allocate(std::size_t bytes, std::size_t align) noexcept {
  std::size_t offset = 16;
  std::uintptr_t tag = 0;
  while (offset < align && tag < tag_mask) {
    offset <<= 1;
    ++tag;
  }
  if (tracking && shifted && tag == 0) {
    offset = 32;
    tag = 1;
  }
  if (offset < align || bytes > SIZE_MAX - offset) return nullptr;
  void* base = align <= 16 ? std::malloc(bytes + offset) : std::aligned_alloc(offset, bytes + offset);
  if (!base) return nullptr;
  Node* n = reinterpret_cast<Node*>(static_cast<char*>(base) + offset) - 1;
  n->prev_tag = tag;
  n->next = nullptr;
  WEFT_ASSERT(offset_of(n) == offset && base_of(n) == base, "the tag gives the distance from the base to the user pointer");
  if (tracking) link(n);
  return n + 1;
}

void* allocate_or_throw(std::size_t bytes, std::size_t align) {
  for (;;) {
    if (void* p = allocate(bytes ? bytes : 1, align)) return p;
    std::new_handler h = std::get_new_handler();
    if (!h) throw std::bad_alloc();
    h();
  }
}

void deallocate(void* p) noexcept {
  if (!p) return;
  Node* n = static_cast<Node*>(p) - 1;
  if (n->next) unlink(n);
  std::free(base_of(n));
}

}  // namespace

thread_local constinit bool tracking = false;
thread_local constinit bool shifted = false;

void release() noexcept {
  if (!head.next) return;
  Node* n = head.next;
  while (n != &head) {
    Node* next = n->next;
    std::free(base_of(n));
    n = next;
  }
  head.next = &head;
  head.prev_tag = reinterpret_cast<std::uintptr_t>(&head);
  blocks = 0;
}

void adopt() noexcept {
  if (!head.next) return;
  Node* n = head.next;
  while (n != &head) {
    Node* next = n->next;
    n->next = nullptr;
    n = next;
  }
  head.next = &head;
  head.prev_tag = reinterpret_cast<std::uintptr_t>(&head);
  blocks = 0;
}

std::size_t tracked_blocks() noexcept { return blocks; }

}  // namespace weft::sim::heap

namespace h = weft::sim::heap;

// The replaceable allocation functions ([new.delete]): all of them, so that no form falls
// back to the library's and meets a block it did not allocate.
void* operator new(std::size_t n) { return h::allocate_or_throw(n, 16); }
void* operator new[](std::size_t n) { return h::allocate_or_throw(n, 16); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return h::allocate(n ? n : 1, 16); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return h::allocate(n ? n : 1, 16); }
void* operator new(std::size_t n, std::align_val_t a) { return h::allocate_or_throw(n, std::size_t(a)); }
void* operator new[](std::size_t n, std::align_val_t a) { return h::allocate_or_throw(n, std::size_t(a)); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return h::allocate(n ? n : 1, std::size_t(a));
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return h::allocate(n ? n : 1, std::size_t(a));
}
void operator delete(void* p) noexcept { h::deallocate(p); }
void operator delete[](void* p) noexcept { h::deallocate(p); }
void operator delete(void* p, std::size_t) noexcept { h::deallocate(p); }
void operator delete[](void* p, std::size_t) noexcept { h::deallocate(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { h::deallocate(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { h::deallocate(p); }
void operator delete(void* p, std::align_val_t) noexcept { h::deallocate(p); }
void operator delete[](void* p, std::align_val_t) noexcept { h::deallocate(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { h::deallocate(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { h::deallocate(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { h::deallocate(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { h::deallocate(p); }
