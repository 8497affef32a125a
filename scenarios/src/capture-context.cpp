// capture-context — a library reads its settings asynchronously: the file read is offloaded
// to an I/O pool and followed by a short back-off, both awaited with the default context
// capture. Its caller is a UI handler that blocks on it (sync-over-async inside a
// library's consumer). The library's continuations are posted back to the blocked UI
// thread: deadlock, although the library itself "never touches the UI". Bites every
// general-purpose library without ConfigureAwait(false). Verdict: the bug is a deadlock
// (ui thread -> block_on(load_settings) -> continuation queued on "ui"). The fix is in
// the library: it awaits with resume_anywhere (JoinHandle and sleep alike), so its
// continuations never need the caller's thread and even a blocking caller completes.
#include <string>

#include "support/options.hpp"
#include "weft/scenarios/scenario.hpp"
#include "weft/sim/sim.hpp"
#include "weft/weft.hpp"

namespace weft::scenarios {
namespace {

struct Settings {
  std::string theme;
};

// The library, as shipped: every await resumes on the caller's context.
Task<Settings> load_settings_captured(Executor& io) {
  auto bytes = spawn_blocking(io, [] {
    blocking_io(20_ms);
    return std::string("theme=dark");
  });
  std::string text = co_await bytes;
  co_await sleep_for(5_ms);  // back-off before parsing
  co_return Settings{text.substr(6)};
}

// The library, fixed: ConfigureAwait(false) everywhere.
Task<Settings> load_settings_anywhere(Executor& io) {
  auto bytes = spawn_blocking(io, [] {
    blocking_io(20_ms);
    return std::string("theme=dark");
  });
  std::string text = co_await resume_anywhere(bytes);
  co_await resume_anywhere(sleep_for(5_ms));
  co_return Settings{text.substr(6)};
}

// The application's UI handler: blocks on the library call (it cannot be changed today).
template <class Library>
Task<void> on_open(Executor& io, Library library) {
  Settings s = block_on(library(io));
  annotate("theme " + s.theme);
  co_return;
}

template <class Library>
void run(Library library) {
  SerialExecutor ui("ui");
  ThreadPool io(2, "io");
  auto h = spawn(ui, on_open(io, library));
  sim::settle();
}

const Register reg{Scenario{
    "capture-context",
    ViolationKind::deadlock,
    "a library awaits with context capture and its UI caller blocks on it",
    [] { run(load_settings_captured); },
    [] { run(load_settings_anywhere); },
    explore_options("capture-context", 60_s),
    12,  // its row in the catalogue
}};

}  // namespace
}  // namespace weft::scenarios
