#include "fiber.hpp"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <mutex>
#include <new>

namespace weft::sim::fiber {

char* allocate_stack(std::size_t bytes) {
  void* base = mmap(nullptr, kGuardBytes + bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED) throw std::bad_alloc();
  if (mprotect(base, kGuardBytes, PROT_NONE) != 0) {
    munmap(base, kGuardBytes + bytes);
    throw std::bad_alloc();
  }
  return static_cast<char*>(base) + kGuardBytes;
}

void free_stack(char* low, std::size_t bytes) noexcept {
  if (low) munmap(low - kGuardBytes, kGuardBytes + bytes);
}

namespace {

struct Watcher {
  OverflowCheck check = nullptr;
  void* arg = nullptr;
};
thread_local Watcher t_watcher;
thread_local bool t_altstack = false;
struct sigaction g_previous_segv, g_previous_bus;

void forward(int sig, siginfo_t* info, void* uctx) {
  const struct sigaction& prev = sig == SIGSEGV ? g_previous_segv : g_previous_bus;
  if (prev.sa_flags & SA_SIGINFO) {
    prev.sa_sigaction(sig, info, uctx);
    return;
  }
  if (prev.sa_handler == SIG_IGN) return;
  if (prev.sa_handler != SIG_DFL) {
    prev.sa_handler(sig);
    return;
  }
  // Default action: restore it and return; the faulting instruction runs again and the
  // process ends the way it would have without us.
  signal(sig, SIG_DFL);
}

void on_fault(int sig, siginfo_t* info, void* uctx) {
  if (t_watcher.check) t_watcher.check(t_watcher.arg, info->si_addr);  // returns: not ours
  forward(sig, info, uctx);
}

}  // namespace

void watch_overflow(OverflowCheck check, void* arg) {
  static std::once_flag installed;
  if (check) {
    std::call_once(installed, [] {
      struct sigaction sa {};
      sa.sa_sigaction = &on_fault;
      sigemptyset(&sa.sa_mask);
      // SA_NODEFER: the handler may leave by switching to another fiber rather than
      // returning, so the signal must not stay blocked.
      sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
      sigaction(SIGSEGV, &sa, &g_previous_segv);
      sigaction(SIGBUS, &sa, &g_previous_bus);
    });
    if (!t_altstack) {
      // Kept for the thread's life: the handler runs on it whenever a fiber overflows. A
      // thread that has one already (a sanitizer's) keeps it.
      stack_t old{};
      if (sigaltstack(nullptr, &old) == 0 && !(old.ss_flags & SS_DISABLE) && old.ss_size >= 32 * 1024) {
        t_altstack = true;
      } else {
        std::size_t bytes = 64 * 1024;
        stack_t ss{};
        ss.ss_sp = std::malloc(bytes);
        ss.ss_size = bytes;
        if (ss.ss_sp && sigaltstack(&ss, nullptr) == 0) t_altstack = true;
      }
    }
  }
  t_watcher = Watcher{check, arg};
}

}  // namespace weft::sim::fiber

#ifdef WEFT_FIBER_OWN
// weft_fiber_switch(void** save_sp, void* to_sp): pushes the callee-saved registers, saves
// the stack pointer, switches stacks, pops the other side's registers and returns with
// `ret` to where that side left off (the return address on top of its saved stack).
// weft_fiber_start: where a fresh context begins; calls fn(arg) and never returns
// (a virtual thread switches away for good when its body ends). Backtraces stop here.
asm(R"(
  .text
  .globl weft_fiber_switch
  .type weft_fiber_switch,@function
  .p2align 4
weft_fiber_switch:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
  .size weft_fiber_switch,.-weft_fiber_switch

  .globl weft_fiber_start
  .type weft_fiber_start,@function
  .p2align 4
weft_fiber_start:
  .cfi_startproc
  .cfi_undefined rip
  movq %r12, %rdi
  callq *%r13
  ud2
  .cfi_endproc
  .size weft_fiber_start,.-weft_fiber_start
)");
#endif
