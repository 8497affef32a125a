// The field's bug for real: a UI-thread handler blocks on an async call whose continuation
// is captured back to the UI thread. It deadlocks on real threads; resume_anywhere fixes it.
#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <weft/weft.hpp>

using namespace weft;

namespace {
Task<int> library_call_captured() {
  co_await sleep_for(5_ms);  // continuation captured to the caller's context (the UI thread)
  co_return 1;
}
Task<int> library_call_anywhere() {
  co_await resume_anywhere(sleep_for(5_ms));  // ConfigureAwait(false)
  co_return 1;
}
bool wait_for(std::atomic<bool>& flag, int ms) {
  for (int i = 0; i < ms && !flag.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return flag.load();
}
}  // namespace

TEST_CASE("block_on on the UI thread deadlocks for real when the continuation is captured", "[affinity][deadlock]") {
  // Leaked on purpose: its thread stays blocked forever, which is the point of the test.
  auto* ui = new SerialExecutor("ui-deadlock");
  auto* done = new std::atomic<bool>(false);
  spawn_detached(*ui, [](std::atomic<bool>* d) -> Task<void> {
    block_on(library_call_captured());  // .Result in a click handler
    d->store(true);
    co_return;
  }(done));
  CHECK_FALSE(wait_for(*done, 300));  // the watchdog: still stuck after 300 ms (the call takes 5 ms)
}

TEST_CASE("the resume_anywhere fix completes", "[affinity]") {
  SerialExecutor ui("ui-fixed");
  std::atomic<bool> done{false};
  auto h = spawn(ui, [](std::atomic<bool>& d) -> Task<void> {
    int v = block_on(library_call_anywhere());
    d.store(v == 1);
    co_return;
  }(done));
  CHECK(wait_for(done, 5000));
  h.join();
}

TEST_CASE("resume_anywhere on a Task: its awaits capture nothing", "[affinity]") {
  SerialExecutor ui("ui-task");
  auto h = spawn(ui, []() -> Task<int> {
    co_return block_on([]() -> Task<int> { co_return co_await resume_anywhere(library_call_captured()); }());
  }());
  CHECK(h.join() == 1);
}

namespace {
Task<void> note(std::string* order, char c) {
  *order += c;
  co_return;
}
// Runs resumed anywhere (no captured context) on the pool's only worker: queues a job on
// that pool, then yields. The yield must give the thread away, so the job runs first.
Task<void> yields_anywhere(ThreadPool* pool, std::string* order, bool* context_after) {
  auto other = spawn(*pool, note(order, 'B'));
  co_await yield();
  *order += 'A';
  *context_after = current_context() != nullptr;
  co_await std::move(other);
}
}  // namespace

TEST_CASE("yield under resume_anywhere gives the thread away and resumes with no context", "[affinity]") {
  ThreadPool pool(1, "one-worker");
  std::string order;
  bool context_after = true;
  auto h = spawn(pool, [](ThreadPool* p, std::string* o, bool* c) -> Task<void> {
    co_await resume_anywhere(yields_anywhere(p, o, c));
  }(&pool, &order, &context_after));
  h.join();
  // Before: a yield with no captured context returned at once ("AB"), and a loop of inline
  // completions resumed anywhere could never unwind its stack.
  CHECK(order == "BA");
  CHECK_FALSE(context_after);
}
