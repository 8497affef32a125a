#include "fiber.hpp"

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
