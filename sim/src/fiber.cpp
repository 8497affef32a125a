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
// This thread's alternate signal stack, if we installed it; removed when the thread ends.
struct AltStack {
  bool ready = false;  // ours or one that was there before
  void* mine = nullptr;
  ~AltStack() {
    if (!mine) return;
    stack_t off{};
    off.ss_flags = SS_DISABLE;
    sigaltstack(&off, nullptr);
    std::free(mine);
  }
};
thread_local AltStack t_altstack;
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
  // process ends the way it would have without us. A signal that was sent (raise, kill)
  // has no instruction to run again: send it again, now to the default action.
  signal(sig, SIG_DFL);
  if (info->si_code <= 0) raise(sig);
}

void on_fault(int sig, siginfo_t* info, void* uctx) {
  // Only a fault the kernel raised can be a stack overflow (a sent signal has no address).
  if (t_watcher.check && info->si_code > 0) t_watcher.check(t_watcher.arg, info->si_addr);  // returns: not ours
  forward(sig, info, uctx);
}

}  // namespace

// Gives the calling thread an alternate signal stack unless it has one now (ours, or a
// sanitizer's or test framework's, which may take theirs away later: install_overflow_handler
// looks again each time).
static void ensure_altstack() {
  stack_t now{};
  if (sigaltstack(nullptr, &now) == 0 && !(now.ss_flags & SS_DISABLE) && now.ss_size >= 32 * 1024) {
    t_altstack.ready = true;
    return;
  }
  constexpr std::size_t bytes = 64 * 1024;
  if (!t_altstack.mine) t_altstack.mine = std::malloc(bytes);
  stack_t ss{};
  ss.ss_sp = t_altstack.mine;
  ss.ss_size = bytes;
  t_altstack.ready = ss.ss_sp && sigaltstack(&ss, nullptr) == 0;
}

void install_overflow_handler() {
  ensure_altstack();
  static std::mutex m;
  std::lock_guard lk(m);
  for (int sig : {SIGSEGV, SIGBUS}) {
    struct sigaction now {};
    if (sigaction(sig, nullptr, &now) != 0) continue;
    if ((now.sa_flags & SA_SIGINFO) && now.sa_sigaction == &on_fault) continue;  // ours already
    struct sigaction sa {};
    sa.sa_sigaction = &on_fault;
    sigemptyset(&sa.sa_mask);
    // SA_NODEFER: the handler may leave by switching to another fiber rather than
    // returning, so the signal must not stay blocked.
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigaction(sig, &sa, sig == SIGSEGV ? &g_previous_segv : &g_previous_bus);
  }
}

void watch_overflow(OverflowCheck check, void* arg) {
  if (check && !t_altstack.ready) ensure_altstack();
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
