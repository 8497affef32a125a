// The simulator's stack switch. On x86-64 our own: it saves only the callee-saved
// registers and the stack pointer, then returns into the other fiber with `ret` (the
// resume address is the top of the saved stack), about 3 ns a switch here against
// boost.context's jump_fcontext at about 5 ns. It does not save the x87/SSE control words: every virtual
// thread of a simulation shares one OS thread's floating-point environment, as threads of
// one process share the rounding mode in practice. Elsewhere, boost.context.
#pragma once

#include <cstddef>
#include <cstdint>

#if defined(__x86_64__) && !defined(WEFT_FIBER_BOOST)
#define WEFT_FIBER_OWN 1
#else
#include <boost/context/detail/fcontext.hpp>
#endif

namespace weft::sim::fiber {

// Stacks with a guard region below them: an overflow faults on the guard instead of
// writing over the heap. The region is larger than a page so that a frame with a big local
// array does not jump over it.
inline constexpr std::size_t kGuardBytes = 64 * 1024;
// Returns the lowest usable byte of a new stack of `bytes`; [low - kGuardBytes, low) is
// inaccessible. Throws std::bad_alloc when the system refuses.
char* allocate_stack(std::size_t bytes);
void free_stack(char* low, std::size_t bytes) noexcept;
// True when `addr` lies in the guard region of the stack starting at `low`.
inline bool in_guard(const char* low, const void* addr) noexcept {
  auto a = reinterpret_cast<std::uintptr_t>(addr), l = reinterpret_cast<std::uintptr_t>(low);
  return low && a < l && a >= l - kGuardBytes;
}

// Overflow detection. install_overflow_handler() puts our SIGSEGV/SIGBUS handler in place
// unless it is there already (a test framework may have replaced it since: each simulator
// calls it when it is created), keeping the previous one to forward other faults to.
// watch_overflow() names, for the calling OS thread, what to call on a fault (null: stop),
// and gives the thread an alternate signal stack once. On a fault the handler calls
// check(arg, fault address) on that stack; check either never returns (it abandoned the
// faulting fiber) or returns, and the fault goes to the previous handler (by default the
// process dies as it would have).
using OverflowCheck = void (*)(void* arg, void* fault_addr);
void install_overflow_handler();
void watch_overflow(OverflowCheck check, void* arg);

#ifdef WEFT_FIBER_OWN

extern "C" void weft_fiber_switch(void** save_sp, void* to_sp);
extern "C" void weft_fiber_start();

struct Context {
  void* sp = nullptr;
};

// Prepares `c` to run fn(arg) on the stack [top - size, top) at its first switch-in.
inline void prepare(Context& c, char* top, std::size_t, void (*fn)(void*), void* arg) {
  auto t = reinterpret_cast<std::uintptr_t>(top) & ~std::uintptr_t(15);
  // weft_fiber_switch pops r15 r14 r13 r12 rbx rbp and the resume address: seven slots,
  // leaving the stack 16-byte aligned at weft_fiber_start, which calls fn (in r13) with
  // arg (in r12).
  auto** sp = reinterpret_cast<void**>(t - 7 * sizeof(void*));
  sp[0] = nullptr;
  sp[1] = nullptr;
  sp[2] = reinterpret_cast<void*>(fn);
  sp[3] = arg;
  sp[4] = nullptr;
  sp[5] = nullptr;
  sp[6] = reinterpret_cast<void*>(&weft_fiber_start);
  c.sp = sp;
}

// Saves the running context in `from` and continues `to`. Returns when someone switches
// back to `from`.
inline void jump(Context& from, Context& to) { weft_fiber_switch(&from.sp, to.sp); }

#else

namespace bctx = boost::context::detail;

struct Context {
  bctx::fcontext_t c = nullptr;
  void (*fn)(void*) = nullptr;
  void* arg = nullptr;
};

struct Hop {
  Context* from;
  Context* to;
};

inline void start(bctx::transfer_t t) {
  auto* h = static_cast<Hop*>(t.data);
  h->from->c = t.fctx;
  Context* me = h->to;
  me->fn(me->arg);
}

inline void prepare(Context& c, char* top, std::size_t size, void (*fn)(void*), void* arg) {
  c.fn = fn;
  c.arg = arg;
  c.c = bctx::make_fcontext(top, size, &start);
}

inline void jump(Context& from, Context& to) {
  Hop h{&from, &to};
  bctx::transfer_t t = bctx::jump_fcontext(to.c, &h);
  static_cast<Hop*>(t.data)->from->c = t.fctx;
}

#endif

}  // namespace weft::sim::fiber
