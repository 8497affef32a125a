#include "weft/io/loop.hpp"

namespace weft::io {

namespace {
// How many queued jobs the loop runs before it looks at the network again.
constexpr int kJobBudget = 128;
}  // namespace

EventLoop::EventLoop(std::string name, Platform& p) : Executor(p, std::move(name)), Reactor(p) {
  thread_ = p.start_thread(this->name(), [this] { loop(); }, ThreadOwner{id(), true});
}

EventLoop::~EventLoop() {
  cancel_pending_waits();
  stopping_.store(true, std::memory_order_seq_cst);
  wake();
  thread_->join();
  while (posting_.load(std::memory_order_acquire) != 0) Executor::platform().yield_point();
}

void EventLoop::post(Job* job) {
  emit_schedule(job);
  if (running_here()) {
    local_.push(job);
    return;
  }
  posting_.fetch_add(1, std::memory_order_relaxed);  // before the job is visible
  Job* top = remote_.load(std::memory_order_relaxed);
  do {
    job->next = top;
  } while (!remote_.compare_exchange_weak(top, job, std::memory_order_seq_cst, std::memory_order_relaxed));
  if (sleeping_.load(std::memory_order_seq_cst) && sleeping_.exchange(false, std::memory_order_seq_cst)) wake();
  posting_.fetch_sub(1, std::memory_order_release);  // the last touch of *this
}

void EventLoop::resume(Executor* ctx, Job* job) {
  // Only the loop thread polls, so a waiter captured on this loop resumes right here.
  if (ctx == this)
    run_job(job);
  else
    weft::detail::resume_in(ctx, job);
}

void EventLoop::take_remote() {
  if (!remote_.load(std::memory_order_relaxed)) return;
  Job* stack = remote_.exchange(nullptr, std::memory_order_acquire);
  // Newest first: reverse into posting order, then append.
  Job* fifo = nullptr;
  Job* last = stack;
  while (stack) {
    Job* next = stack->next;
    stack->next = fifo;
    fifo = stack;
    stack = next;
  }
  if (fifo) local_.append(fifo, last);
}

bool EventLoop::run_queued(int budget) {
  take_remote();
  while (!local_.empty() && budget-- > 0) run_job(local_.pop());
  return !local_.empty();
}

void EventLoop::loop() {
  auto& s = weft::detail::thread_state();
  s.executor = this;
  s.context = this;
  Platform& p = Executor::platform();
  for (;;) {
    p.yield_point();
    bool more = run_queued(kJobBudget);
    if (!more) {
      sleeping_.store(true, std::memory_order_seq_cst);
      more = remote_.load(std::memory_order_seq_cst) != nullptr;
      bool done = !more && stopping_.load(std::memory_order_seq_cst);
      if (more || done) sleeping_.store(false, std::memory_order_relaxed);
      if (done) break;
    }
    // Jobs waiting: only collect what is ready. Otherwise sleep until readiness or a post
    // (the bound is a safety net; posts and shutdown write the eventfd). woke() clears
    // sleeping_ before the ready waiters run, so their posts need no eventfd write.
    poll(more ? 0 : 1000);
  }
  s.executor = nullptr;
  s.context = nullptr;
}

EventLoops::EventLoops(std::uint32_t count, std::string name, Platform& p) {
  if (count == 0) throw std::invalid_argument("weft: EventLoops needs at least one loop");
  loops_.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) loops_.push_back(std::make_unique<EventLoop>(name + "-" + std::to_string(i), p));
}

std::vector<Reactor*> EventLoops::reactors() const {
  std::vector<Reactor*> r;
  for (auto& l : loops_) r.push_back(l.get());
  return r;
}

std::unique_ptr<Listener> tcp_listen(EventLoops& loops, std::uint16_t port, int backlog) {
  return tcp_listen(loops[0], loops.reactors(), port, backlog);
}

std::unique_ptr<Listener> tcp_listen(EventLoops& loops, std::string_view address, std::uint16_t port,
                                     ListenOptions options) {
  return tcp_listen(loops[0], loops.reactors(), address, port, options);
}

}  // namespace weft::io
