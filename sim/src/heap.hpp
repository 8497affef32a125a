// The heap of one simulated execution. An execution that ends in deadlock or at a limit is
// abandoned: its virtual threads never return, so nothing they own (coroutine frames,
// executors, std::function targets, queues) is ever destroyed. To keep a campaign of
// millions of such executions at a flat footprint, every operator new made by user or
// runtime code while an execution runs is linked into a per-OS-thread list; an abandoned
// execution frees what is left on that list without running a destructor, a completed
// one hands it back to the ordinary heap.
//
// To make this possible the simulator replaces the global operator new/delete (heap.cpp):
// each block carries a 16-byte header, whether it is tracked or not. The simulator's own
// bookkeeping (trace, decisions, thread records, strategies) is allocated untracked: every
// entry from the runtime into the simulator holds an `Untracked` scope.
#pragma once

#include <cstddef>

namespace weft::sim::heap {

// Whether new allocations on this OS thread join the current execution's list.
extern thread_local bool tracking;
// While set, tracked allocations put their user bytes 16 bytes further from malloc's block
// (and ask malloc for 16 more): every address the execution's code sees moves. The
// nondeterminism check replays so, to catch a program whose decisions depend on addresses.
extern thread_local bool shifted;

struct Untracked {
  bool saved;
  Untracked() noexcept : saved(tracking) { tracking = false; }
  ~Untracked() { tracking = saved; }
  Untracked(const Untracked&) = delete;
  Untracked& operator=(const Untracked&) = delete;
};

// Frees every block still on this thread's list (an abandoned execution).
void release() noexcept;
// Keeps every block still on this thread's list as an ordinary allocation (a completed
// execution: what is left is the program's own business, e.g. state the body handed out).
void adopt() noexcept;
// Blocks on this thread's list now.
std::size_t tracked_blocks() noexcept;

}  // namespace weft::sim::heap
